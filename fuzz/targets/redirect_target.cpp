// Redirect targets (host/redirect: OIDC redirect_uri, login return_url, the
// staff sign-in's next=), which come from relying parties' registrations and
// from browsers' query strings. Properties checked, from the rules in
// redirect_target.h rather than from the code:
//   - neither check throws, and a refusal always names a reason;
//   - an accepted absolute URI is printable ASCII without '\' or '#', is
//     https (or http to a loopback host), has no '@' in its authority, a
//     lower-case host without a trailing dot, and no '%' in the authority;
//   - an accepted path starts with exactly one '/', never "//" before the query or fragment, has
//     no '\', control characters, spaces, raw non-ASCII, "." or ".." segments,
//     and no percent-encoded '/', '\', '.' or '%' before the query;
//   - registered() is exact: a URI is registered iff it equals an entry;
//   - declared_hosts.h: an accepted absolute URI has an endpoint (non-empty
//     host, port 1..65535) that, declared, admits the URI, and a refusal
//     names host_not_declared; a refused URI has no endpoint.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/redirect/declared_hosts.h>
#include <zhaoyin/redirect/redirect_target.h>

using namespace zhaoyin;

namespace {

bool printable_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c >= 0x7f) return false;
  return true;
}

void check_absolute_accepted(std::string_view uri) {
  if (!printable_ascii(uri) || uri.find('\\') != std::string_view::npos || uri.find('#') != std::string_view::npos)
    std::abort();
  std::string_view rest;
  bool http = false;
  if (uri.substr(0, 8) == "https://") {
    rest = uri.substr(8);
  } else if (uri.substr(0, 7) == "http://") {
    rest = uri.substr(7);
    http = true;
  } else {
    std::abort();
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.empty() || authority.find('@') != std::string_view::npos || authority.find('%') != std::string_view::npos)
    std::abort();
  std::string_view host = authority;
  if (host.front() != '[') host = host.substr(0, host.rfind(':') == std::string_view::npos ? host.size() : host.rfind(':'));
  for (unsigned char c : host)
    if (std::isupper(c)) std::abort();
  if (!host.empty() && host.back() == '.') std::abort();
  if (http && host != "127.0.0.1" && host != "localhost" && host != "[::1]") std::abort();
}

void check_path_accepted(std::string_view path) {
  if (path.empty() || path[0] != '/' || !printable_ascii(path)) std::abort();
  if (path.find('\\') != std::string_view::npos) std::abort();
  const std::string_view before_query = path.substr(0, path.find_first_of("?#"));  // path part only
  if (before_query.find("//") != std::string_view::npos) std::abort();  // query and fragment stay on this page
  std::size_t start = 1;
  while (start <= before_query.size()) {
    std::size_t end = before_query.find('/', start);
    if (end == std::string_view::npos) end = before_query.size();
    const std::string_view segment = before_query.substr(start, end - start);
    if (segment == "." || segment == "..") std::abort();
    start = end + 1;
  }
  std::string lowered(before_query);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* encoded : {"%2f", "%5c", "%2e", "%25"})
    if (lowered.find(encoded) != std::string::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto absolute = redirect::check_absolute(text);
  if (absolute) {
    if (absolute->reason.empty()) std::abort();
  } else {
    check_absolute_accepted(text);
  }
  const auto endpoint = redirect::endpoint_of(text);
  if (absolute) {
    if (endpoint) std::abort();
  } else {
    if (!endpoint || endpoint->host.empty() || endpoint->port < 1 || endpoint->port > 65535) std::abort();
    if (redirect::check_declared(std::vector<redirect::Endpoint>{*endpoint}, text)) std::abort();
    if (redirect::check_declared(std::vector<std::string>{redirect::to_string(*endpoint)}, text)) std::abort();
    const auto other = redirect::check_declared(std::vector<redirect::Endpoint>{{endpoint->host, endpoint->port % 65535 + 1}}, text);
    if (!other || other->reason != "host_not_declared") std::abort();
  }
  const auto path = redirect::check_relative_path(text);
  if (path) {
    if (path->reason.empty()) std::abort();
  } else {
    check_path_accepted(text);
  }
  const std::vector<std::string> entries = {"https://rp.example/cb", std::string(text.substr(0, text.size() / 2))};
  const bool expected = text == entries[0] || text == entries[1];
  if (redirect::registered(entries, text) != expected) std::abort();
  return 0;
}
