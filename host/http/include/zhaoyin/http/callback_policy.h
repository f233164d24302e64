#pragma once
// Where the host may send relying-party callbacks, and how.
//
// A callback URL comes from a relying party's request (login sessions, sign
// tasks), so it is outside input that makes the host open connections: left
// unchecked, it reaches the host's own loopback services, the cloud metadata
// endpoint (169.254.169.254) and the operator's private network (SSRF). The
// policy therefore refuses every destination that is not an ordinary public
// address — loopback, link-local, private (RFC 1918, fc00::/7), CGNAT
// (100.64/10), multicast, unspecified, broadcast, reserved and documentation
// ranges, and the IPv6 forms that embed such an IPv4 address (::ffff:a.b.c.d,
// ::a.b.c.d, 64:ff9b::/96, 6to4, Teredo) — unless the operator allow-lists it
// (callbacks.allow: CIDRs and host names).
//
// Two checks use it:
//  - check_callback_url(), where a URL is configured (the create request is
//    answered 400 callback_url_refused): scheme, syntax, IP literals and
//    "localhost"-like names. Names are not resolved there: DNS may answer
//    differently later, so the decisive check is
//  - resolve_callback_destination(), at each delivery: resolves the name once,
//    checks every address it got, and returns them; the transport connects to
//    exactly those addresses (no second lookup, so DNS rebinding cannot swap a
//    checked address for a forbidden one).
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace zhaoyin::http {

// An address as 16 bytes; IPv4 is stored in its IPv4-mapped form
// (::ffff:a.b.c.d), so "10.0.0.1" and "::ffff:10.0.0.1" are the same address.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool is_v4() const;  // an IPv4 address (or the IPv4-mapped IPv6 form of one)
  std::string to_string() const;
  static std::optional<IpAddress> parse(const std::string& text);  // "1.2.3.4", "::1", "[::1]"
  bool operator==(const IpAddress&) const = default;
};

struct Cidr {
  IpAddress network;
  int prefix = 128;  // over the 128-bit form: an IPv4 /8 is stored as /104
  bool contains(const IpAddress& a) const;
  // "10.0.0.0/8", "fd00::/8", or a bare address (a single host). Throws
  // std::invalid_argument on anything else.
  static Cidr parse(const std::string& text);
};

struct CallbackSettings {
  bool allow_http = false;                     // callbacks.allow_http: plain http:// URLs are accepted
  std::vector<Cidr> allow_networks;            // callbacks.allow: CIDRs (and bare addresses) let through
  std::vector<std::string> allow_hosts;        // callbacks.allow: host names let through (lower case, exact)
  std::string pinned_ca_dir;                   // callbacks.pinned_ca_dir: <dir>/<client_id>.pem pins that app's CA
  std::chrono::seconds connect_timeout{5};     // callbacks.connect_timeout_seconds
  std::chrono::seconds read_timeout{10};       // callbacks.read_timeout_seconds (also TLS handshake and send)
  int workers = 4;                             // callbacks.workers: deliveries in flight at once (one per application)
  int max_attempts = 10;                       // callbacks.max_attempts: the first try and the retries
  std::chrono::seconds retry_base{2};          // callbacks.retry_base_seconds: the first retry's delay, doubled after each
  std::chrono::seconds retry_max{3600};        // callbacks.retry_max_seconds: the longest delay between attempts

  // Parses the callbacks.allow value: entries separated by commas or spaces,
  // each a CIDR, an address or a host name. Throws std::invalid_argument.
  void set_allow_list(const std::string& list);
};

// A URL or destination the policy refuses. `code` is stable snake_case:
// invalid_callback_url (not an absolute http(s) URL, user info, bad port),
// callback_scheme_refused (http while callbacks.allow_http is off),
// callback_destination_refused (a forbidden address or name).
class CallbackRefused : public std::runtime_error {
 public:
  CallbackRefused(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

// Why an address is not an ordinary public destination ("loopback",
// "private", "link-local", ...), or nullopt when it is one.
std::optional<std::string> special_purpose(const IpAddress& a);

// True when the address may be sent to: public, or allow-listed.
bool destination_allowed(const IpAddress& a, const CallbackSettings& s);

struct CallbackTarget {
  std::string scheme;  // "http" | "https"
  std::string host;    // as in the URL, lower case, without brackets
  std::uint16_t port = 0;
  std::string path_and_query;  // "/" at least
  bool host_is_address = false;
};

// Parses and checks a callback URL without resolving it. Throws CallbackRefused.
CallbackTarget check_callback_url(const std::string& url, const CallbackSettings& s);

// check_callback_url for a request that configures a callback: refusals
// become ApiError 400 — invalid_request for a malformed URL,
// callback_scheme_refused / callback_destination_refused for the policy.
void require_callback_url(const std::string& url, const CallbackSettings& s);

// The same, and the URL's host and port must be one of the application's
// declared 办事系统 (store::Application::declared_systems, 附件1;
// redirect/declared_hosts.h): 400 callback_url_not_declared otherwise. An
// empty list (an application that declares none) is not checked.
void require_callback_url(const std::string& url, const CallbackSettings& s,
                          const std::vector<std::string>& declared_systems);

// check_callback_url, then resolves the host (once) and checks every address
// it resolves to; returns them in resolver order. Throws CallbackRefused when
// any address is refused (a name that resolves to one public and one private
// address is refused: the host cannot know which one a later lookup prefers),
// std::runtime_error when the name does not resolve.
std::vector<IpAddress> resolve_callback_destination(const CallbackTarget& target, const CallbackSettings& s);

}  // namespace zhaoyin::http
