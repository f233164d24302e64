#include <zhaoyin/http/callback_policy.h>
#include <zhaoyin/redirect/declared_hosts.h>

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <zhaoyin/http/api_error.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

namespace zhaoyin::http {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

IpAddress from_v4(const std::uint8_t* four) {
  IpAddress a;
  a.bytes[10] = a.bytes[11] = 0xff;
  std::memcpy(a.bytes.data() + 12, four, 4);
  return a;
}

IpAddress from_v6(const std::uint8_t* sixteen) {
  IpAddress a;
  std::memcpy(a.bytes.data(), sixteen, 16);
  return a;
}

// Numeric hosts in every form the resolver accepts, including the legacy IPv4
// shorthands ("127.1", "2130706433", "0x7f.0.0.1") that inet_pton refuses but
// getaddrinfo turns into 127.0.0.1: they must be classified, not waved through
// as "names".
std::optional<IpAddress> numeric_host(const std::string& host) {
  in_addr v4{};
  if (inet_aton(host.c_str(), &v4) == 1) return from_v4(reinterpret_cast<const std::uint8_t*>(&v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return from_v6(v6.s6_addr);
  return std::nullopt;
}

// The IPv4 special-purpose ranges (RFC 6890 and its updates).
std::optional<std::string> special_v4(const std::uint8_t* b) {
  const unsigned a0 = b[0], a1 = b[1], a2 = b[2];
  if (a0 == 0) return "unspecified";  // 0.0.0.0/8, "this network"
  if (a0 == 10) return "private";
  if (a0 == 100 && (a1 & 0xc0) == 64) return "cgnat";  // 100.64.0.0/10
  if (a0 == 127) return "loopback";
  if (a0 == 169 && a1 == 254) return "link-local";  // includes the metadata service 169.254.169.254
  if (a0 == 172 && (a1 & 0xf0) == 16) return "private";
  if (a0 == 192 && a1 == 0 && a2 == 0) return "reserved";  // IETF protocol assignments
  if (a0 == 192 && a1 == 0 && a2 == 2) return "documentation";
  if (a0 == 192 && a1 == 88 && a2 == 99) return "reserved";  // former 6to4 relay anycast
  if (a0 == 192 && a1 == 168) return "private";
  if (a0 == 198 && (a1 & 0xfe) == 18) return "benchmarking";  // 198.18.0.0/15
  if (a0 == 198 && a1 == 51 && a2 == 100) return "documentation";
  if (a0 == 203 && a1 == 0 && a2 == 113) return "documentation";
  if ((a0 & 0xf0) == 224) return "multicast";
  if ((a0 & 0xf0) == 240) return "reserved";  // 240.0.0.0/4, including broadcast 255.255.255.255
  return std::nullopt;
}

bool starts(const IpAddress& a, std::initializer_list<std::uint8_t> prefix) {
  return std::equal(prefix.begin(), prefix.end(), a.bytes.begin());
}

bool all_zero(const IpAddress& a, std::size_t from, std::size_t to) {
  return std::all_of(a.bytes.begin() + static_cast<long>(from), a.bytes.begin() + static_cast<long>(to),
                     [](std::uint8_t b) { return b == 0; });
}

// An IPv6 address without a zone, or a host name of at most 253 characters
// in labels of 1 to 63 letters, digits, '-' and '_' (no empty label, so no
// trailing dot: "localhost." must not pass for another name than "localhost").
bool valid_host(const std::string& host) {
  if (host.find(':') != std::string::npos) {
    in6_addr v6{};
    return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && host.find('\0') == std::string::npos;
  }
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  for (const char ch : host) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (std::isalnum(c) != 0 || c == '-' || c == '_') {
      if (++label > 63) return false;
    } else {
      return false;
    }
  }
  return label > 0;
}

std::string join_addresses(const std::vector<IpAddress>& list) {
  std::string out;
  for (const auto& a : list) out += (out.empty() ? "" : ", ") + a.to_string();
  return out;
}

}  // namespace

bool IpAddress::is_v4() const {
  return all_zero(*this, 0, 10) && bytes[10] == 0xff && bytes[11] == 0xff;
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (is_v4()) return inet_ntop(AF_INET, bytes.data() + 12, text, sizeof text);
  return inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
}

std::optional<IpAddress> IpAddress::parse(const std::string& raw) {
  std::string text = raw;
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') text = text.substr(1, text.size() - 2);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return from_v4(reinterpret_cast<const std::uint8_t*>(&v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return from_v6(v6.s6_addr);
  return std::nullopt;
}

bool Cidr::contains(const IpAddress& a) const {
  int bits = prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((a.bytes[i] & mask) != (network.bytes[i] & mask)) return false;
  }
  return true;
}

Cidr Cidr::parse(const std::string& text) {
  const auto slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) throw std::invalid_argument("'" + text + "' is not an address or CIDR");
  Cidr c;
  c.network = *address;
  const int width = address->is_v4() ? 32 : 128;
  int prefix = width;
  if (slash != std::string::npos) {
    const std::string digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), ::isdigit))
      throw std::invalid_argument("'" + text + "' has no valid prefix length");
    prefix = std::stoi(digits);
    if (prefix > width) throw std::invalid_argument("'" + text + "': prefix longer than " + std::to_string(width));
  }
  c.prefix = address->is_v4() ? 96 + prefix : prefix;
  return c;
}

void CallbackSettings::set_allow_list(const std::string& list) {
  allow_networks.clear();
  allow_hosts.clear();
  std::string entry;
  const auto flush = [&] {
    if (entry.empty()) return;
    const bool looks_numeric = entry.find(':') != std::string::npos || entry.find('/') != std::string::npos ||
                               std::all_of(entry.begin(), entry.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
    if (looks_numeric) {
      allow_networks.push_back(Cidr::parse(entry));
    } else {
      const bool name_ok = std::all_of(entry.begin(), entry.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
      });
      if (!name_ok) throw std::invalid_argument("'" + entry + "' is not a host name, address or CIDR");
      allow_hosts.push_back(lower(entry));
    }
    entry.clear();
  };
  for (char c : list) {
    if (c == ',' || std::isspace(static_cast<unsigned char>(c)))
      flush();
    else
      entry += c;
  }
  flush();
}

std::optional<std::string> special_purpose(const IpAddress& a) {
  if (a.is_v4()) return special_v4(a.bytes.data() + 12);
  if (all_zero(a, 0, 16)) return "unspecified";
  if (all_zero(a, 0, 15) && a.bytes[15] == 1) return "loopback";
  // ::a.b.c.d (IPv4-compatible, deprecated): never a real destination.
  if (all_zero(a, 0, 12)) return "ipv4-compatible";
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address: judge that one.
  if (starts(a, {0x00, 0x64, 0xff, 0x9b}) && all_zero(a, 4, 12)) {
    if (auto why = special_v4(a.bytes.data() + 12)) return "nat64 of " + *why;
    return std::nullopt;
  }
  if (starts(a, {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01})) return "nat64-local";  // 64:ff9b:1::/48
  if (starts(a, {0x01, 0x00}) && all_zero(a, 2, 8)) return "discard";      // 100::/64
  if (starts(a, {0x20, 0x01, 0x0d, 0xb8})) return "documentation";         // 2001:db8::/32
  if (starts(a, {0x20, 0x01}) && (a.bytes[2] & 0xfe) == 0) return "reserved";  // 2001::/23, includes Teredo
  if (starts(a, {0x20, 0x02})) {                                           // 6to4 embeds an IPv4 address
    if (auto why = special_v4(a.bytes.data() + 2)) return "6to4 of " + *why;
    return std::nullopt;
  }
  if ((a.bytes[0] & 0xfe) == 0xfc) return "private";                   // fc00::/7 unique local
  if (a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80) return "link-local";  // fe80::/10
  if (a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0xc0) return "site-local";  // fec0::/10 (deprecated)
  if (a.bytes[0] == 0xff) return "multicast";
  if ((a.bytes[0] & 0xe0) != 0x20) return "reserved";  // only 2000::/3 is global unicast
  return std::nullopt;
}

bool destination_allowed(const IpAddress& a, const CallbackSettings& s) {
  if (!special_purpose(a)) return true;
  return std::any_of(s.allow_networks.begin(), s.allow_networks.end(), [&](const Cidr& c) { return c.contains(a); });
}

CallbackTarget check_callback_url(const std::string& url, const CallbackSettings& s) {
  if (url.empty() || url.size() > 2000) throw CallbackRefused("invalid_callback_url", "callback_url must be 1 to 2000 characters");
  // A URI is visible ASCII (RFC 3986 §2). Poco::URI keeps a query as it is
  // given, and the transport writes path and query into the request line:
  // "…/hook?x=\r\nX-Injected: 1" would have added a header line (or a whole
  // request) to every callback (found by fuzz_callback_url). Spaces,
  // controls and raw non-ASCII are refused; percent-encoded they pass.
  if (!std::all_of(url.begin(), url.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c > 0x20 && c < 0x7f;
      }))
    throw CallbackRefused("invalid_callback_url",
                          "callback_url may hold only visible ASCII characters (percent-encode the rest)");
  CallbackTarget t;
  try {
    const Poco::URI uri(url);
    t.scheme = lower(uri.getScheme());
    t.host = lower(uri.getHost());
    if ((t.scheme != "http" && t.scheme != "https") || t.host.empty())
      throw CallbackRefused("invalid_callback_url", "callback_url must be an absolute http(s) URL");
    // Credentials in the URL would be sent nowhere (we never use them) and
    // only serve to disguise where the URL points ("https://rp.example@10.0.0.1/").
    if (!uri.getUserInfo().empty())
      throw CallbackRefused("invalid_callback_url", "callback_url must not carry user information");
    t.port = uri.getPort();
    if (t.port == 0) throw CallbackRefused("invalid_callback_url", "callback_url has no valid port");
    t.path_and_query = uri.getPathAndQuery();
    // "https://rp.example?x=1" has an empty path: the request target is "/?x=1"
    // (RFC 9112 §3.2.1), not "?x=1" (found by fuzz_callback_url).
    if (t.path_and_query.empty() || t.path_and_query.front() != '/') t.path_and_query = "/" + t.path_and_query;
  } catch (const Poco::SyntaxException&) {
    throw CallbackRefused("invalid_callback_url", "callback_url is not a URL");
  }
  if (t.host.size() > 2 && t.host.front() == '[' && t.host.back() == ']') t.host = t.host.substr(1, t.host.size() - 2);
  // Poco::URI keeps whatever stands between "//" and the port as typed:
  // '%' escapes ("rp%00.example"), an IPv6 zone ("fe80::1%25eth0"). Such a
  // host went on as a "name" — into the Host header, the TLS name check and
  // the resolver, which may read a zoned one as an address the check below
  // never saw (found by fuzz_callback_url). The host must be an IPv6 address
  // (it has a ':') or a host name: dot-separated labels of letters, digits,
  // '-' and '_' (legacy IPv4 spellings such as "127.1" are such names, and
  // are read as the addresses they are below).
  if (!valid_host(t.host))
    throw CallbackRefused("invalid_callback_url", "callback_url's host is neither a host name nor an IP address");
  if (t.scheme == "http" && !s.allow_http)
    throw CallbackRefused("callback_scheme_refused",
                          "callback_url must be https:// (plain http is not allowed by this host's callbacks.allow_http)");

  const bool host_listed = std::find(s.allow_hosts.begin(), s.allow_hosts.end(), t.host) != s.allow_hosts.end();
  if (const auto address = numeric_host(t.host)) {
    t.host_is_address = true;
    if (!host_listed && !destination_allowed(*address, s))
      throw CallbackRefused("callback_destination_refused", "callback_url points at " + address->to_string() + " (" +
                                                                *special_purpose(*address) +
                                                                "), which this host does not send callbacks to");
    return t;
  }
  // Names that always mean this machine or its local network (RFC 6761 and
  // mDNS); other names are judged by what they resolve to at delivery.
  const bool local_name = t.host == "localhost" || ends_with(t.host, ".localhost") || ends_with(t.host, ".local") ||
                          t.host == "ip6-localhost" || t.host == "ip6-loopback" || t.host == "localhost.localdomain";
  if (local_name && !host_listed)
    throw CallbackRefused("callback_destination_refused",
                          "callback_url points at " + t.host + ", which this host does not send callbacks to");
  return t;
}

void require_callback_url(const std::string& url, const CallbackSettings& s) {
  try {
    check_callback_url(url, s);
  } catch (const CallbackRefused& e) {
    if (e.code() == "invalid_callback_url") throw ApiError::bad_request(e.what());
    throw ApiError(400, e.code(), e.what());
  }
}

void require_callback_url(const std::string& url, const CallbackSettings& s,
                          const std::vector<std::string>& declared_systems) {
  require_callback_url(url, s);
  const auto target = check_callback_url(url, s);
  const redirect::Endpoint endpoint{target.host, target.port};
  if (!redirect::endpoint_declared(declared_systems, endpoint))
    throw ApiError(400, "callback_url_not_declared",
                   "callback_url refused (host_not_declared): " + redirect::to_string(endpoint) +
                       " is not one of the application's declared systems (办事系统)");
}

std::vector<IpAddress> resolve_callback_destination(const CallbackTarget& target, const CallbackSettings& s) {
  const bool host_listed = std::find(s.allow_hosts.begin(), s.allow_hosts.end(), target.host) != s.allow_hosts.end();
  std::vector<IpAddress> addresses;
  if (const auto numeric = numeric_host(target.host)) {
    addresses.push_back(*numeric);
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = getaddrinfo(target.host.c_str(), nullptr, &hints, &found);
    if (rc != 0) throw std::runtime_error("cannot resolve " + target.host + ": " + gai_strerror(rc));
    const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, &freeaddrinfo);
    for (const addrinfo* i = found; i; i = i->ai_next) {
      IpAddress a;
      if (i->ai_family == AF_INET)
        a = from_v4(reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in*>(i->ai_addr)->sin_addr));
      else if (i->ai_family == AF_INET6)
        a = from_v6(reinterpret_cast<const sockaddr_in6*>(i->ai_addr)->sin6_addr.s6_addr);
      else
        continue;
      if (std::find(addresses.begin(), addresses.end(), a) == addresses.end()) addresses.push_back(a);
    }
    if (addresses.empty()) throw std::runtime_error("cannot resolve " + target.host + ": no address");
  }
  if (host_listed) return addresses;
  for (const auto& a : addresses)
    if (!destination_allowed(a, s))
      throw CallbackRefused("callback_destination_refused", target.host + " resolves to " + join_addresses(addresses) +
                                                                "; " + a.to_string() + " (" + *special_purpose(a) +
                                                                ") is not a destination this host sends callbacks to");
  return addresses;
}

}  // namespace zhaoyin::http
