#include <zhaoyin/redirect/redirect_target.h>

#include <algorithm>

namespace zhaoyin::redirect {

namespace {

Refusal refuse(std::string reason, std::string message) { return Refusal{std::move(reason), std::move(message)}; }

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int hex_value(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alpha(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper_alpha(char c) { return c >= 'A' && c <= 'Z'; }

// What every target must be, byte by byte. A browser silently removes tab, CR
// and LF from a URL ("/\t/evil.example/" becomes "//evil.example/"), reads '\'
// as '/' in http(s) URLs, and would turn raw non-ASCII into punycode or
// percent-encoding: none of them may reach a Location header or a script.
std::optional<Refusal> check_bytes(std::string_view s) {
  if (s.empty()) return refuse("empty", "the URL is empty");
  if (s.size() > kMaxLength) return refuse("too_long", "the URL is longer than " + std::to_string(kMaxLength) + " bytes");
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return refuse("control_character", "the URL contains a control character (tab, CR, LF, ...)");
    if (c == ' ') return refuse("whitespace", "the URL contains a space");
    if (c >= 0x80)
      return refuse("non_ascii", "the URL contains non-ASCII characters (register an IDN host in its punycode xn-- form)");
    if (c == '\\') return refuse("backslash", "the URL contains a backslash (browsers read it as '/')");
  }
  return std::nullopt;
}

// Every '%' starts a %XX escape; `forbidden` (if given) refuses some decoded bytes.
template <class Forbidden>
std::optional<Refusal> check_percent(std::string_view s, Forbidden forbidden) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
      return refuse("malformed_percent_encoding", "a '%' in the URL is not followed by two hex digits");
    const auto decoded = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
    if (forbidden(decoded))
      return refuse("encoded_separator",
                    "the path percent-encodes '/', '\\', '.', '%' or a control character (decoding would change the path)");
    i += 2;
  }
  return std::nullopt;
}

bool canonical_ipv4(std::string_view host) {
  int parts = 0;
  std::size_t start = 0;
  while (start <= host.size()) {
    const auto dot = std::min(host.find('.', start), host.size());
    const auto part = host.substr(start, dot - start);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), is_digit)) return false;
    if (part.size() > 1 && part[0] == '0') return false;  // "010" is octal to a browser
    if (std::stoi(std::string(part)) > 255) return false;
    ++parts;
    start = dot + 1;
  }
  return parts == 4;
}

// A DNS name in lower-case ASCII (punycode for IDN), or a canonical dotted
// IPv4 address, or a bracketed IPv6 literal in lower-case hex.
std::optional<Refusal> check_host(std::string_view host) {
  if (host.empty()) return refuse("invalid_host", "the URL has no host");
  if (host.front() == '[') {
    const auto inner = host.substr(1, host.size() - 2);
    if (host.size() < 3 || host.back() != ']' ||
        !std::all_of(inner.begin(), inner.end(), [](char c) { return is_hex(c) || c == ':' || c == '.'; }))
      return refuse("invalid_host", "the URL's IPv6 literal is malformed");
    if (std::any_of(inner.begin(), inner.end(), is_upper_alpha))
      return refuse("host_not_lowercase", "write the IPv6 literal in lower case, as browsers do");
    return std::nullopt;
  }
  if (host.back() == '.')
    return refuse("trailing_dot_host", "the host ends with a dot (a different origin to the browser; register it without)");
  if (std::any_of(host.begin(), host.end(), is_upper_alpha))
    return refuse("host_not_lowercase", "the host has upper-case letters (hosts are registered and compared in lower case)");
  if (host.size() > 253) return refuse("invalid_host", "the host is longer than 253 characters");
  std::size_t start = 0;
  std::string_view last;
  while (start <= host.size()) {
    const auto dot = std::min(host.find('.', start), host.size());
    const auto label = host.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !std::all_of(label.begin(), label.end(), [](char c) { return is_lower_alpha(c) || is_digit(c) || c == '-'; }))
      return refuse("invalid_host", "the host is not a DNS name of letters, digits and '-' (IDN: use the xn-- form)");
    last = label;
    start = dot + 1;
  }
  // A browser reads a host whose last label is numeric as an IPv4 address in
  // any of its odd forms (2130706433, 0x7f.1, 010.0.0.1): only the plain
  // dotted-decimal form says what it means.
  if ((is_digit(last.front()) || last.rfind("0x", 0) == 0) && !canonical_ipv4(host))
    return refuse("invalid_host", "a numeric host must be a dotted-decimal IPv4 address (a.b.c.d, no leading zeros)");
  return std::nullopt;
}

bool loopback(std::string_view host) { return host == "127.0.0.1" || host == "[::1]" || host == "localhost"; }

}  // namespace

std::optional<Refusal> check_absolute(std::string_view uri) {
  if (auto r = check_bytes(uri)) return r;
  // RFC 6749 §3.1.2: "The endpoint URI MUST NOT include a fragment component."
  if (uri.find('#') != std::string_view::npos) return refuse("fragment", "the URL has a fragment (#...)");
  // The scheme, exactly "https" or "http" and nothing else: javascript:,
  // data:, and the upper-case or slash-less forms browsers also accept
  // ("HTTPS://", "https:evil.example") are refused.
  std::size_t colon = 0;
  while (colon < uri.size() && (is_lower_alpha(uri[colon]) || is_upper_alpha(uri[colon]) || is_digit(uri[colon]) ||
                                uri[colon] == '+' || uri[colon] == '-' || uri[colon] == '.'))
    ++colon;
  if (colon == 0 || colon == uri.size() || uri[colon] != ':' || !(is_lower_alpha(uri[0]) || is_upper_alpha(uri[0])))
    return refuse("not_absolute", "the URL is not absolute (it needs https://host/...)");
  const auto scheme = uri.substr(0, colon);
  if (scheme != "https" && scheme != "http")
    return refuse("scheme_not_allowed", "the URL's scheme must be https (" + std::string(scheme) + ": is not allowed)");
  if (uri.substr(colon + 1, 2) != "//")
    return refuse("not_absolute", "the URL must be written scheme://host/...");
  const auto rest = uri.substr(colon + 3);
  const auto authority = rest.substr(0, rest.find_first_of("/?"));
  const auto path_and_query = rest.substr(authority.size());
  // Whatever precedes '@' is userinfo to the browser, so
  // "https://good.example@evil.example/" goes to evil.example.
  if (authority.find('@') != std::string_view::npos)
    return refuse("userinfo", "the URL has userinfo (user@host); the browser would go to the host after '@'");
  if (authority.find('%') != std::string_view::npos)
    return refuse("percent_encoded_authority", "the URL's host or port is percent-encoded");
  std::string_view host = authority;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return refuse("invalid_host", "the URL's IPv6 literal is not closed");
    host = authority.substr(0, close + 1);
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return refuse("invalid_host", "unexpected characters after the IPv6 literal");
      has_port = true;
      port = after.substr(1);
    }
  } else if (const auto c = authority.find(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    has_port = true;
    port = authority.substr(c + 1);
  }
  if (auto r = check_host(host)) return r;
  if (has_port && (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), is_digit) ||
                   port[0] == '0' || std::stol(std::string(port)) > 65535))
    return refuse("invalid_port", "the URL's port must be a number from 1 to 65535");
  if (scheme == "http" && !loopback(host))
    return refuse("http_not_loopback", "http is allowed only for a loopback host (127.0.0.1, [::1], localhost); use https");
  return check_percent(path_and_query, [](unsigned char) { return false; });
}

std::optional<Refusal> check_relative_path(std::string_view path) {
  if (auto r = check_bytes(path)) return r;
  if (path.front() != '/')
    return refuse("not_a_path", "the target must be a path on this host, starting with '/'");
  // "//host" (and "/\host", refused above) is a scheme-relative URL: another site.
  if (path.size() > 1 && path[1] == '/')
    return refuse("scheme_relative", "the target starts with '//', which names another host");
  const auto end = path.find_first_of("?#");
  const auto segments = path.substr(0, end);
  if (segments.find("//") != std::string_view::npos)
    return refuse("scheme_relative", "the path has an empty segment ('//')");
  // Dot segments are resolved by the browser ("/a/..//evil" → "//evil"): none at all.
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (segments[i] != '/') continue;
    const auto seg = segments.substr(i + 1, segments.find('/', i + 1) - (i + 1));
    if (seg == "." || seg == "..") return refuse("dot_segment", "the path has a '.' or '..' segment");
  }
  // In the path, browsers also read "%2e" as '.' when resolving dot segments
  // ("/admin/%2e%2e/x" is "/x"); the query and fragment only need to be well formed.
  if (auto r = check_percent(segments, [](unsigned char c) {
        return c == '/' || c == '\\' || c == '%' || c == '.' || c < 0x20 || c == 0x7f;
      }))
    return r;
  return check_percent(path.substr(segments.size()), [](unsigned char) { return false; });
}

std::optional<Refusal> check_return_url(const std::vector<std::string>& registered_uris, std::string_view url) {
  const bool path = !url.empty() && url.front() == '/';
  if (auto refusal = path ? check_relative_path(url) : check_absolute(url)) return refusal;
  if (!path && !registered(registered_uris, url))
    return Refusal{"not_registered", "an absolute return_url must be one of the application's registered redirect URIs, byte for byte"};
  return std::nullopt;
}

bool registered(const std::vector<std::string>& registered, std::string_view uri) {
  return std::any_of(registered.begin(), registered.end(), [&](const std::string& r) { return r == uri; });
}

}  // namespace zhaoyin::redirect
