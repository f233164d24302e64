// Callback URLs (host/http/src/callback_policy.cpp): a relying party chooses
// the URL, and the host then opens connections to it, so the policy is all
// that stands between a request body and the host's loopback services, the
// cloud metadata endpoint and the operator's private network.
//
// Input: a flags byte (bit 0: callbacks.allow_http), the callbacks.allow
// list up to the first '\n', then the URL. Properties, from the policy's
// rules (callback_policy.h, docs/security/callbacks.md) rather than its code,
// with the special-purpose ranges written out again here from RFC 6890:
//   - set_allow_list throws only std::invalid_argument; check_callback_url
//     only CallbackRefused with one of its three codes;
//   - an accepted URL is http(s) (http only when allowed), has a non-empty
//     lower-case host made of name or address characters only, a port, and a
//     path and query of visible ASCII starting with '/' (they go into the
//     request line and the Host header as they are);
//   - the host is an address exactly when the resolver reads it as one
//     (getaddrinfo with AI_NUMERICHOST, no lookup), and then the same address;
//   - an accepted address, and every address resolve_callback_destination
//     returns for it, is never loopback, link-local, private, CGNAT,
//     multicast, unspecified or broadcast — directly or embedded in an IPv6
//     form (mapped, compatible, NAT64, 6to4) — unless an allow-listed CIDR
//     holds it or its text is an allow-listed name;
//   - and for any 16 bytes as an address: special_purpose names every such
//     address, destination_allowed refuses it unless allow-listed, and the
//     text form parses back to the same address.
// No name is ever resolved: resolve_callback_destination is called for
// address hosts only.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/http/callback_policy.h>

using namespace zhaoyin::http;

namespace {

void require(bool ok) {
  if (!ok) std::abort();
}

using Bytes16 = std::array<std::uint8_t, 16>;

bool in_v4(const std::uint8_t* a, std::uint32_t network, int prefix) {
  const std::uint32_t v = (std::uint32_t{a[0]} << 24) | (std::uint32_t{a[1]} << 16) | (std::uint32_t{a[2]} << 8) | a[3];
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (v & mask) == (network & mask);
}

// RFC 6890 and successors: the IPv4 ranges a callback must never reach.
bool forbidden_v4(const std::uint8_t* a) {
  return in_v4(a, 0x00000000, 8) ||    // "this network", unspecified
         in_v4(a, 0x0a000000, 8) ||    // private
         in_v4(a, 0x64400000, 10) ||   // CGNAT (shared address space)
         in_v4(a, 0x7f000000, 8) ||    // loopback
         in_v4(a, 0xa9fe0000, 16) ||   // link-local, cloud metadata
         in_v4(a, 0xac100000, 12) ||   // private
         in_v4(a, 0xc0a80000, 16) ||   // private
         in_v4(a, 0xe0000000, 4) ||    // multicast
         in_v4(a, 0xffffffff, 32);     // broadcast
}

bool starts_with(const Bytes16& a, std::initializer_list<std::uint8_t> prefix) {
  return std::equal(prefix.begin(), prefix.end(), a.begin());
}
bool zero(const Bytes16& a, std::size_t from, std::size_t to) {
  return std::all_of(a.begin() + static_cast<long>(from), a.begin() + static_cast<long>(to), [](std::uint8_t b) { return b == 0; });
}

bool forbidden(const Bytes16& a) {
  if (zero(a, 0, 10) && a[10] == 0xff && a[11] == 0xff) return forbidden_v4(a.data() + 12);  // ::ffff:a.b.c.d
  if (zero(a, 0, 16)) return true;                                    // ::
  if (zero(a, 0, 15) && a[15] == 1) return true;                      // ::1
  if (zero(a, 0, 12)) return forbidden_v4(a.data() + 12);             // ::a.b.c.d (compatible)
  if (starts_with(a, {0x00, 0x64, 0xff, 0x9b}) && zero(a, 4, 12)) return forbidden_v4(a.data() + 12);  // NAT64
  if (starts_with(a, {0x20, 0x02})) return forbidden_v4(a.data() + 2);  // 6to4
  if ((a[0] & 0xfe) == 0xfc) return true;                             // fc00::/7 unique local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true;             // fe80::/10 link-local
  if (a[0] == 0xff) return true;                                      // multicast
  return false;
}

bool listed_network(const Bytes16& a, const CallbackSettings& s) {
  for (const auto& c : s.allow_networks) {
    require(c.prefix >= 0 && c.prefix <= 128);
    bool inside = true;
    for (int bit = 0; bit < c.prefix && inside; ++bit) {
      const int byte = bit / 8;
      const int mask = 0x80 >> (bit % 8);
      inside = (a[static_cast<std::size_t>(byte)] & mask) == (c.network.bytes[static_cast<std::size_t>(byte)] & mask);
    }
    if (inside) return true;
  }
  return false;
}

// What the resolver makes of a host without looking anything up.
std::optional<std::vector<Bytes16>> numeric(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST;
  addrinfo* found = nullptr;
  if (host.find('\0') != std::string::npos || getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return std::nullopt;
  std::vector<Bytes16> out;
  for (const addrinfo* i = found; i; i = i->ai_next) {
    Bytes16 a{};
    if (i->ai_family == AF_INET) {
      a[10] = a[11] = 0xff;
      std::memcpy(a.data() + 12, &reinterpret_cast<const sockaddr_in*>(i->ai_addr)->sin_addr, 4);
    } else if (i->ai_family == AF_INET6) {
      std::memcpy(a.data(), reinterpret_cast<const sockaddr_in6*>(i->ai_addr)->sin6_addr.s6_addr, 16);
    } else {
      continue;
    }
    out.push_back(a);
  }
  freeaddrinfo(found);
  return out;
}

bool host_char(unsigned char c) { return std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == ':'; }

void check_address(const Bytes16& bytes, const CallbackSettings& s) {
  IpAddress a;
  a.bytes = bytes;
  if (forbidden(bytes)) {
    require(special_purpose(a).has_value());
    require(destination_allowed(a, s) == listed_network(bytes, s));
  }
  const auto back = IpAddress::parse(a.to_string());
  require(back && *back == a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  CallbackSettings s;
  s.allow_http = (data[0] & 1) != 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto newline = rest.find('\n');
  const std::string list(rest.substr(0, newline));
  const std::string url(newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1));
  try {
    s.set_allow_list(list);
  } catch (const std::invalid_argument&) {
    s = CallbackSettings{};
    s.allow_http = (data[0] & 1) != 0;
  }

  // Any 16 bytes of the input as an address.
  Bytes16 raw{};
  std::memcpy(raw.data(), data + 1, std::min<std::size_t>(16, size - 1));
  check_address(raw, s);

  CallbackTarget t;
  try {
    t = check_callback_url(url, s);
  } catch (const CallbackRefused& e) {
    require(e.code() == "invalid_callback_url" || e.code() == "callback_scheme_refused" ||
            e.code() == "callback_destination_refused");
    return 0;
  }
  require(t.scheme == "https" || (t.scheme == "http" && s.allow_http));
  require(!t.host.empty() && t.port != 0);
  for (unsigned char c : t.host) require(host_char(c) && !std::isupper(c));
  require(!t.path_and_query.empty() && t.path_and_query.front() == '/');
  for (unsigned char c : t.path_and_query) require(c > 0x20 && c < 0x7f);

  const bool name_listed = std::find(s.allow_hosts.begin(), s.allow_hosts.end(), t.host) != s.allow_hosts.end();
  const auto addresses = numeric(t.host);
  require(t.host_is_address == addresses.has_value());
  if (!addresses) return 0;  // a name: judged at delivery by what it resolves to (never looked up here)
  for (const auto& a : *addresses) require(name_listed || listed_network(a, s) || !forbidden(a));
  const auto resolved = resolve_callback_destination(t, s);
  require(!resolved.empty());
  for (const auto& a : resolved) {
    require(std::find(addresses->begin(), addresses->end(), a.bytes) != addresses->end());
    require(name_listed || listed_network(a.bytes, s) || !forbidden(a.bytes));
  }
  return 0;
}
