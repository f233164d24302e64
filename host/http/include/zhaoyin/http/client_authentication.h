#pragma once
// How a relying-party application authenticates at the OAuth endpoints
// (/oauth/token, /oauth/introspect): RFC 6749 §2.3.1, HTTP Basic or the form
// fields client_id and client_secret, never both.
//
// read_client_credentials() only reads (400 invalid_request for two methods or
// a half-given pair; 401 invalid_client for another Authorization scheme), so
// an endpoint can check its own parameters before the secret is looked at.
// authenticate_client() checks them: the attempt throttle first (429
// too_many_attempts, counted in zhaoyin_auth_throttled_total{endpoint}), then
// the secret (401 invalid_client, the same answer for an unknown client),
// then the application's status (401 for revoked, 403 client_suspended).
#include <string>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/application_repository.h>

namespace zhaoyin::http {

struct ClientCredentials {
  std::string client_id;
  std::string client_secret;
  bool given() const { return !client_id.empty() || !client_secret.empty(); }
};

ClientCredentials read_client_credentials(Exchange& ex, const FormFields& fields);

// `endpoint` names the endpoint in logs and metrics (e.g. "oauth_token").
store::Application authenticate_client(Exchange& ex, HostContext& ctx, const ClientCredentials& credentials,
                                       const std::string& endpoint);

// The first value of a form field, if present.
std::optional<std::string> form_field(const FormFields& fields, const std::string& name);

}  // namespace zhaoyin::http
