#pragma once
// Handlers of the relying-party API (/api/v1/login-sessions...), one class per route.
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::login {

#define ZHAOYIN_LOGIN_HANDLER(Name)                                                        \
  class Name final : public http::Handler {                                                \
   public:                                                                                 \
    explicit Name(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}        \
    void handle(http::Exchange& ex) override;                                              \
                                                                                           \
   private:                                                                                \
    std::shared_ptr<http::HostContext> ctx_;                                               \
  };

ZHAOYIN_LOGIN_HANDLER(CreateLoginSession)   // POST   /api/v1/login-sessions
ZHAOYIN_LOGIN_HANDLER(GetLoginSession)      // GET    /api/v1/login-sessions/{id}[?wait=S&last=STATUS]
ZHAOYIN_LOGIN_HANDLER(CancelLoginSession)   // DELETE /api/v1/login-sessions/{id}
ZHAOYIN_LOGIN_HANDLER(RedeemLoginReturn)    // POST   /api/v1/login-sessions/{id}/return (same-device flow)
ZHAOYIN_LOGIN_HANDLER(LoginSessionEvents)   // GET    /api/v1/login-sessions/{id}/events (SSE)
ZHAOYIN_LOGIN_HANDLER(LoginQrPng)           // GET    /api/v1/login-sessions/{id}/qr.png
ZHAOYIN_LOGIN_HANDLER(LoginQrSvg)           // GET    /api/v1/login-sessions/{id}/qr.svg
ZHAOYIN_LOGIN_HANDLER(GetWalletRequest)     // GET    /wallet/v1/requests/{ticket}
ZHAOYIN_LOGIN_HANDLER(AnswerWalletRequest)  // POST   /wallet/v1/requests/{ticket}/answer
ZHAOYIN_LOGIN_HANDLER(LoginPage)            // GET    /login/{id}
ZHAOYIN_LOGIN_HANDLER(LoginPageState)       // GET    /login/{id}/state[?wait=S&last=STATUS]
ZHAOYIN_LOGIN_HANDLER(RenewLoginPage)       // POST   /login/{id}/renew
ZHAOYIN_LOGIN_HANDLER(DemoLogin)            // GET    /demo/login
ZHAOYIN_LOGIN_HANDLER(DemoLoginResult)      // GET    /demo/login/{id}/result

#undef ZHAOYIN_LOGIN_HANDLER

// ?wait=S (0..30) as a duration; 400 invalid_request otherwise.
std::chrono::seconds wait_seconds(const http::Exchange& ex);

}  // namespace zhaoyin::login
