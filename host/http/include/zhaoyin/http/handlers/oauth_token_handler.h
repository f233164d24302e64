#pragma once
// POST /oauth/token — OAuth 2.0 client credentials grant (RFC 6749 §4.4) for
// relying-party applications.
//
// Request: application/x-www-form-urlencoded with grant_type=client_credentials
// and an optional scope (space-separated; each value must be one of the
// application's needs: login, presentation, signature, ...; default all of them).
// The client authenticates with HTTP Basic (§2.3.1) or with client_id and
// client_secret form fields (§2.3.1, not both).
//
// 200 {"access_token":"...","token_type":"Bearer","expires_in":3600,"scope":"login presentation"}
//     with Cache-Control: no-store
// 400 invalid_request         missing or repeated parameter, two authentication methods
// 400 unsupported_grant_type  grant_type other than client_credentials
// 400 invalid_scope           a scope value the application was not approved for
// 401 invalid_client          no credentials, unknown client, wrong secret, revoked application
//                             (with WWW-Authenticate: Basic realm="zhaoyin")
// 403 client_suspended        the application is suspended
// 415 unsupported_media_type  a body that is not form-encoded
// 429 too_many_attempts       too many failed client authentications from this
//                             source address (for this client_id, or in all);
//                             Retry-After says when to try again. Checked before
//                             the secret. See attempt_throttle.h.
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::http {

class OAuthTokenHandler final : public Handler {
 public:
  explicit OAuthTokenHandler(std::shared_ptr<HostContext> ctx);
  void handle(Exchange& ex) override;

 private:
  std::shared_ptr<HostContext> ctx_;
};

}  // namespace zhaoyin::http
