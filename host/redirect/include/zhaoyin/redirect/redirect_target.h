#pragma once
// Which URLs the host may send a browser to.
//
// Two shapes only, both checked byte by byte and never normalised: what is
// accepted is exactly what a browser will read, so there is nothing a browser
// could read differently (browsers drop tab/CR/LF inside URLs, read '\' as
// '/', lower-case hosts, drop a trailing dot, decode IDN, and take whatever
// precedes '@' as userinfo — each of those is refused here, not repaired).
//
//  * An absolute redirect URI (OIDC redirect_uri, an access application's
//    registered redirect_uris, an absolute login return_url):
//      https://<host>[:port][/path][?query]
//    host in lower-case ASCII (IDN only in its punycode "xn--" form), no
//    trailing dot, no userinfo, no percent-encoding in the authority, no
//    fragment (RFC 6749 §3.1.2, OIDC Core §3.1.2.1). http only for a loopback
//    host (127.0.0.1, [::1], localhost: RFC 8252 §7.3 native clients, and the
//    sandbox's demo client on http://127.0.0.1:8080). Whether it is one the
//    application registered is a separate, exact comparison (registered()).
//
//  * A host-relative path (a login return_url of the host's own pages, the
//    staff sign-in's next=): a single leading '/', never "//" or "/\" (a
//    scheme-relative URL to another host), no control characters, spaces,
//    backslashes or raw non-ASCII, no dot segments, and no percent-encoded
//    '/', '\', '.', '%' or control character in the path (a second decoding could turn
//    "/%2f%2fevil" into "//evil"; browsers resolve "%2e%2e" as "..").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zhaoyin::redirect {

// Why a target is refused. `reason` is a stable snake_case word (tests and
// error messages use it); `message` says it for a person.
struct Refusal {
  std::string reason;
  std::string message;
};

inline constexpr std::size_t kMaxLength = 2000;

// nullopt when `uri` is an acceptable absolute redirect URI (see above).
// Reasons: empty, too_long, control_character, whitespace, non_ascii,
// backslash, fragment, not_absolute, scheme_not_allowed, http_not_loopback,
// userinfo, percent_encoded_authority, invalid_host, host_not_lowercase,
// trailing_dot_host, invalid_port, malformed_percent_encoding.
std::optional<Refusal> check_absolute(std::string_view uri);

// nullopt when `path` is an acceptable host-relative path (see above).
// Reasons: empty, too_long, control_character, whitespace, non_ascii,
// backslash, not_a_path, scheme_relative (also "//" inside the path),
// dot_segment, malformed_percent_encoding, encoded_separator.
std::optional<Refusal> check_relative_path(std::string_view path);

// True when `uri` equals one of `registered` byte for byte (RFC 6749 §3.1.2.3
// and OIDC Core §3.1.2.1 ask for simple string comparison; nothing is
// lower-cased, decoded or stripped first).
bool registered(const std::vector<std::string>& registered, std::string_view uri);

// Where a hosted page (login, signing) sends the browser when its flow is
// done: a strict path on this host, or one of the application's registered
// redirect URIs byte for byte. nullopt when acceptable; otherwise the
// refusal of check_relative_path / check_absolute, or reason not_registered.
std::optional<Refusal> check_return_url(const std::vector<std::string>& registered_uris, std::string_view url);

}  // namespace zhaoyin::redirect
