#pragma once
// Authentication of relying-party applications (and of the operator) on API calls:
//   Authorization: Bearer <access token from POST /oauth/token>   (RFC 6750)
#include <optional>
#include <string>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/token_repository.h>

namespace zhaoyin::http {

struct AuthenticatedClient {
  store::Application application;
  store::AccessToken token;
  bool has_scope(const std::string& scope) const;  // the token's scope lists this value
};

// The calling application, or ApiError:
//   401 invalid_token   no/malformed Authorization header, unknown or expired token,
//                       revoked or deleted application (with WWW-Authenticate: Bearer ...)
//   403 client_suspended  the application is suspended
AuthenticatedClient authenticate_bearer(Exchange& ex, const HostContext& ctx);

// The host's operator on /api/v1/admin/... calls, or ApiError:
//   Authorization: Bearer <operator token>  (the token in admin.token_file;
//   the sandbox writes one to <sandbox>/admin/operator-token)
//   403 admin_disabled  no operator token is configured on this host
//   401 invalid_token   missing, malformed or wrong token
// (The staff pages' operator sessions will be accepted here too.)
void authenticate_operator(Exchange& ex, const HostContext& ctx);

// 403 insufficient_scope unless the token carries `scope`.
void require_scope(const AuthenticatedClient& client, const std::string& scope);

// "Basic <base64(form-encoded id ':' form-encoded secret)>" (RFC 6749 §2.3.1);
// nullopt when the header is not Basic; ApiError 401 invalid_client when it is
// Basic but malformed.
struct BasicCredentials {
  std::string client_id;
  std::string client_secret;
};
std::optional<BasicCredentials> parse_basic_authorization(const std::string& header_value);

}  // namespace zhaoyin::http
