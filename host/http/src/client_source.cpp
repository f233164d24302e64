#include <zhaoyin/http/client_source.h>

#include <Poco/Net/IPAddress.h>
#include <Poco/String.h>
#include <algorithm>

namespace zhaoyin::http {

namespace {

bool is_trusted(const std::string& address, const std::vector<std::string>& trusted) {
  const std::string key = source_key(address);
  if (key.empty()) return false;
  return std::any_of(trusted.begin(), trusted.end(), [&](const std::string& t) {
    Poco::Net::IPAddress a, b;
    return Poco::Net::IPAddress::tryParse(Poco::trim(t), a) && Poco::Net::IPAddress::tryParse(address, b) && a == b;
  });
}

}  // namespace

std::string source_key(const std::string& address) {
  Poco::Net::IPAddress ip;
  if (!Poco::Net::IPAddress::tryParse(address, ip)) return "";
  if (ip.family() == Poco::Net::IPAddress::IPv4) return ip.toString();
  if (ip.isIPv4Mapped()) {
    const std::string text = ip.toString();  // "::ffff:a.b.c.d"
    return text.substr(text.rfind(':') + 1);
  }
  const Poco::Net::IPAddress prefix = ip & Poco::Net::IPAddress(64, Poco::Net::IPAddress::IPv6);
  return prefix.toString() + "/64";
}

std::string client_source(Exchange& ex, const std::vector<std::string>& trusted_proxies) {
  const std::string peer = ex.request().clientAddress().host().toString();
  if (trusted_proxies.empty() || !is_trusted(peer, trusted_proxies)) return source_key(peer);
  const auto forwarded = ex.header("X-Forwarded-For");
  if (!forwarded) return source_key(peer);
  // Proxies append: the right-most entry is what our own proxy saw. Walk left
  // past our proxies; the first other address is the client.
  std::vector<std::string> hops;
  std::string::size_type start = 0;
  while (start <= forwarded->size() && hops.size() < 64) {
    const auto comma = forwarded->find(',', start);
    hops.push_back(Poco::trim(forwarded->substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (is_trusted(*it, trusted_proxies)) continue;
    const std::string key = source_key(*it);
    // Garbage where an address should be: our proxy wrote what it was sent;
    // count the request against the proxy hop that passed it on.
    return key.empty() ? source_key(peer) : key;
  }
  return source_key(peer);
}

}  // namespace zhaoyin::http
