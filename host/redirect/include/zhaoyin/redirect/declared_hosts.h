#pragma once
// The 办事系统 an access application declares (附件1: 应用系统名称, 域名(IP), 端口)
// bound where its browser redirects may go: an OIDC redirect URI or an
// absolute return_url whose host and port are not one of the declared
// systems is refused, when the application is submitted (access form
// validation) and again when the redirect is used (OIDC authorize, login
// sessions), so a registration changed by other means (the admin API, an
// older store) cannot send browsers off the declared systems either.
//
// An application that declares no systems (created before the declaration
// existed, or through the admin API without one) is not checked here: its
// redirect URIs are still bound byte for byte to the registered ones
// (redirect_target.h).
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/redirect/redirect_target.h>

namespace zhaoyin::redirect {

struct Endpoint {
  std::string host;  // lower case; an IPv6 literal without its brackets
  int port = 0;      // explicit, or the scheme's default (https 443, http 80; RFC 3986 §6.2.3)
  bool operator==(const Endpoint& other) const { return host == other.host && port == other.port; }
};

// "etax.example.gov.cn:443", "[::1]:8080": as the pages and errors show it.
std::string to_string(const Endpoint& endpoint);

// Host and port of an absolute redirect URI that check_absolute accepts; nullopt otherwise.
std::optional<Endpoint> endpoint_of(std::string_view absolute_uri);

// A declared host as typed in the form ("Etax.Example.gov.cn", "[::1]", "::1")
// and its port, normalised for comparison.
Endpoint declared_endpoint(std::string_view host, int port);

// nullopt when `declared` is empty or `uri` lies on one of the declared
// endpoints; otherwise reason "host_not_declared". A host-relative path
// (this host's own pages) is never refused here.
std::optional<Refusal> check_declared(const std::vector<Endpoint>& declared, std::string_view uri);

// The same against a store::Application's declared_systems ("host:port" as
// to_string wrote them), for a URL already reduced to its endpoint (a
// callback URL, whose own policy is http/callback_policy.h).
bool endpoint_declared(const std::vector<std::string>& declared_systems, const Endpoint& endpoint);
std::optional<Refusal> check_declared(const std::vector<std::string>& declared_systems, std::string_view uri);

}  // namespace zhaoyin::redirect
