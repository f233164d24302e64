#pragma once
// POST /oauth/introspect — OAuth 2.0 Token Introspection (RFC 7662) for a
// relying-party application's own access tokens.
//
// Request (§2.1): application/x-www-form-urlencoded with `token` and an
// optional `token_type_hint` (read and ignored: there is one kind of token
// here). The client authenticates as at /oauth/token (client_authentication.h):
// §2.1 requires the caller to be authorised, and only the application a token
// was issued to may learn about it.
//
// 200 (§2.2) {"active":true,"client_id":"...","scope":"login presentation",
//             "token_type":"Bearer","iat":1795428021,"exp":1795431621}
//     or {"active":false} — for a token that is unknown, expired, revoked
//     (a rotated secret or a revoked application deletes its tokens), of
//     another application (§4: the server need not say whose), or of a
//     suspended application (refused while it lasts). Cache-Control: no-store.
// 400 invalid_request  missing `token`, a repeated field, two authentication methods
// 401 invalid_client   no credentials, unknown client, wrong secret, revoked application
// 403 client_suspended the caller itself is suspended
// 429 too_many_attempts failed client authentications, throttled with /oauth/token's
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::http {

class OAuthIntrospectHandler final : public Handler {
 public:
  explicit OAuthIntrospectHandler(std::shared_ptr<HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(Exchange& ex) override;

 private:
  std::shared_ptr<HostContext> ctx_;
};

}  // namespace zhaoyin::http
