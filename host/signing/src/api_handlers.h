#pragma once
// Handlers of the signing API, the hosted pages and the demo, one class per route.
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>

#include "sign_service.h"

namespace zhaoyin::signing {

#define ZHAOYIN_SIGNING_HANDLER(Name)                                                \
  class Name final : public http::Handler {                                          \
   public:                                                                           \
    explicit Name(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}  \
    void handle(http::Exchange& ex) override;                                        \
                                                                                     \
   private:                                                                          \
    std::shared_ptr<http::HostContext> ctx_;                                         \
  };

ZHAOYIN_SIGNING_HANDLER(CreateSignTask)     // POST   /api/v1/sign-tasks
ZHAOYIN_SIGNING_HANDLER(GetSignTask)        // GET    /api/v1/sign-tasks/{id}[?wait=S&last=STATUS]
ZHAOYIN_SIGNING_HANDLER(CancelSignTask)     // DELETE /api/v1/sign-tasks/{id}
ZHAOYIN_SIGNING_HANDLER(SignTaskEvents)     // GET    /api/v1/sign-tasks/{id}/events (SSE)
ZHAOYIN_SIGNING_HANDLER(SignTaskQrPng)      // GET    /api/v1/sign-tasks/{id}/qr.png
ZHAOYIN_SIGNING_HANDLER(SignTaskQrSvg)      // GET    /api/v1/sign-tasks/{id}/qr.svg
ZHAOYIN_SIGNING_HANDLER(SignTaskDocument)   // GET    /api/v1/sign-tasks/{id}/document[?signature=N]
ZHAOYIN_SIGNING_HANDLER(VerifySignatures)   // POST   /api/v1/signatures/verify
ZHAOYIN_SIGNING_HANDLER(SealUsageRecords)   // GET    /api/v1/seals/{esid}/usage
ZHAOYIN_SIGNING_HANDLER(EnterpriseSeals)    // GET    /api/v1/enterprises/{uscc}/seals?login_session=ID (seal_handlers.cpp)
ZHAOYIN_SIGNING_HANDLER(SealDetail)         // GET    /api/v1/seals/{esid}?login_session=ID (seal_handlers.cpp)
ZHAOYIN_SIGNING_HANDLER(WatchSeal)          // PUT    /api/v1/seals/{esid}/watch?login_session=ID (seal_watch_handlers.cpp)
ZHAOYIN_SIGNING_HANDLER(UnwatchSeal)        // DELETE /api/v1/seals/{esid}/watch (seal_watch_handlers.cpp)
ZHAOYIN_SIGNING_HANDLER(ListSealWatches)    // GET    /api/v1/seal-watches (seal_watch_handlers.cpp)
ZHAOYIN_SIGNING_HANDLER(WalletInbox)        // POST   /wallet/v1/inbox (wallet_inbox.cpp)
ZHAOYIN_SIGNING_HANDLER(SignPage)           // GET    /sign/{id} (sign_pages.cpp)
ZHAOYIN_SIGNING_HANDLER(SignPageState)      // GET    /sign/{id}/state[?wait=S&last=STATUS] (sign_pages.cpp)
ZHAOYIN_SIGNING_HANDLER(DemoSign)           // GET    /demo/sign
ZHAOYIN_SIGNING_HANDLER(DemoSignPage)       // GET    /demo/sign/{id}
ZHAOYIN_SIGNING_HANDLER(DemoSignState)      // GET    /demo/sign/{id}/state[?wait=S&last=STATUS]
ZHAOYIN_SIGNING_HANDLER(DemoSignDocument)   // GET    /demo/sign/{id}/document
ZHAOYIN_SIGNING_HANDLER(DemoSampleContract) // GET    /demo/sample-contract.pdf

#undef ZHAOYIN_SIGNING_HANDLER

// The enterprise and holder that a confirmed login session of the calling
// application (?login_session=ID, scope "signature") verified; the seal
// endpoints show an enterprise's seals only through one (seal_handlers.cpp).
SignService::LoginHolder verified_login(http::Exchange& ex, const std::shared_ptr<http::HostContext>& ctx);

// ?wait=S (0..30); 400 invalid_request otherwise.
std::chrono::seconds wait_seconds(const http::Exchange& ex);

}  // namespace zhaoyin::signing
