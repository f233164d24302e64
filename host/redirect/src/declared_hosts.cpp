// The declared 办事系统 as a bound on redirect targets (declared_hosts.h).
#include <zhaoyin/redirect/declared_hosts.h>

#include <algorithm>
#include <cctype>

namespace zhaoyin::redirect {

std::string to_string(const Endpoint& e) {
  const bool ipv6 = e.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

Endpoint declared_endpoint(std::string_view host, int port) {
  std::string h(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return {h, port};
}

std::optional<Endpoint> endpoint_of(std::string_view uri) {
  if (check_absolute(uri)) return std::nullopt;
  // check_absolute has established: scheme "http" or "https", then "://", an
  // authority without userinfo or '%', host lower case, port 1..65535.
  const auto colon = uri.find(':');
  const auto scheme = uri.substr(0, colon);
  const auto rest = uri.substr(colon + 3);
  const auto authority = rest.substr(0, rest.find_first_of("/?"));
  std::string_view host = authority, port;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) port = authority.substr(close + 2);
  } else if (const auto c = authority.find(':'); c != std::string_view::npos) {
    host = authority.substr(0, c);
    port = authority.substr(c + 1);
  }
  const int number = port.empty() ? (scheme == "https" ? 443 : 80) : std::stoi(std::string(port));
  return Endpoint{std::string(host), number};
}

std::optional<Refusal> check_declared(const std::vector<Endpoint>& declared, std::string_view uri) {
  if (declared.empty() || (!uri.empty() && uri.front() == '/')) return std::nullopt;
  const auto endpoint = endpoint_of(uri);
  if (!endpoint) return Refusal{"host_not_declared", "the URL is not an acceptable absolute URL"};
  if (std::find(declared.begin(), declared.end(), *endpoint) != declared.end()) return std::nullopt;
  return Refusal{"host_not_declared", "the URL's host and port " + to_string(*endpoint) +
                                          " are not one of the application's declared systems (办事系统)"};
}

bool endpoint_declared(const std::vector<std::string>& declared_systems, const Endpoint& endpoint) {
  if (declared_systems.empty()) return true;
  const auto shown = to_string(endpoint);
  return std::find(declared_systems.begin(), declared_systems.end(), shown) != declared_systems.end();
}

std::optional<Refusal> check_declared(const std::vector<std::string>& declared_systems, std::string_view uri) {
  if (declared_systems.empty() || (!uri.empty() && uri.front() == '/')) return std::nullopt;
  const auto endpoint = endpoint_of(uri);
  if (!endpoint) return Refusal{"host_not_declared", "the URL is not an acceptable absolute URL"};
  if (endpoint_declared(declared_systems, *endpoint)) return std::nullopt;
  return Refusal{"host_not_declared", "the URL's host and port " + to_string(*endpoint) +
                                          " are not one of the application's declared systems (办事系统)"};
}

}  // namespace zhaoyin::redirect
