#include <zhaoyin/login/routes.h>

#include <chrono>
#include <zhaoyin/http/callback_dispatcher.h>
#include <zhaoyin/login/login_service.h>

#include "api_handlers.h"
#include "login_flow.h"

namespace zhaoyin::login {

void register_login_wallet_kind();  // wallet_handlers.cpp

namespace {

// Registers H with a factory that also keeps the callback dispatcher alive:
// it lives as long as the router, and stops when the host drops it.
template <class H>
void add(http::Router& router, const char* method, const char* pattern, const std::shared_ptr<http::HostContext>& ctx,
         const std::shared_ptr<http::CallbackDispatcher>& dispatcher) {
  router.add(method, pattern, http::Router::Factory([ctx, dispatcher]() -> std::unique_ptr<http::Handler> {
               return std::make_unique<H>(ctx);
             }));
}

}  // namespace

void register_login_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  register_login_wallet_kind();
  LoginService::changes_metric(*ctx);
  LoginService::duration_metric(*ctx);
  // The dispatcher's thread also records overdue sessions that have a callback
  // as expired (and so calls their relying party back), even when nobody polls.
  const auto dispatcher = http::CallbackDispatcher::start(
      ctx, kCallbackFlow, [ctx] { login_engine(ctx).expire_overdue(100); },
      // A held callback whose host stopped before sending it: today's state.
      [ctx](const std::string& session_id) { return login_engine(ctx).render_callback(session_id); });
  add<CreateLoginSession>(router, "POST", "/api/v1/login-sessions", ctx, dispatcher);
  add<GetLoginSession>(router, "GET", "/api/v1/login-sessions/{id}", ctx, dispatcher);
  add<CancelLoginSession>(router, "DELETE", "/api/v1/login-sessions/{id}", ctx, dispatcher);
  add<RedeemLoginReturn>(router, "POST", "/api/v1/login-sessions/{id}/return", ctx, dispatcher);
  add<LoginSessionEvents>(router, "GET", "/api/v1/login-sessions/{id}/events", ctx, dispatcher);
  add<LoginQrPng>(router, "GET", "/api/v1/login-sessions/{id}/qr.png", ctx, dispatcher);
  add<LoginQrSvg>(router, "GET", "/api/v1/login-sessions/{id}/qr.svg", ctx, dispatcher);
  add<GetWalletRequest>(router, "GET", "/wallet/v1/requests/{ticket}", ctx, dispatcher);
  add<AnswerWalletRequest>(router, "POST", "/wallet/v1/requests/{ticket}/answer", ctx, dispatcher);
  add<LoginPage>(router, "GET", "/login/{id}", ctx, dispatcher);
  add<LoginPageState>(router, "GET", "/login/{id}/state", ctx, dispatcher);
  add<RenewLoginPage>(router, "POST", "/login/{id}/renew", ctx, dispatcher);
  add<DemoLogin>(router, "GET", "/demo/login", ctx, dispatcher);
  add<DemoLoginResult>(router, "GET", "/demo/login/{id}/result", ctx, dispatcher);
}

}  // namespace zhaoyin::login
