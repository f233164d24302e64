#include <zhaoyin/signing/routes.h>

#include <chrono>
#include <zhaoyin/http/callback_dispatcher.h>

#include "api_handlers.h"
#include "seal_watch.h"
#include "sign_flow.h"
#include "sign_service.h"

namespace zhaoyin::signing {

void register_sign_wallet_kind();  // wallet_kind.cpp

namespace {

// Registers H with a factory that also keeps the callback dispatcher alive as
// long as the router (it stops when the host drops the router).
template <class H>
void add(http::Router& router, const char* method, const char* pattern, const std::shared_ptr<http::HostContext>& ctx,
         const std::shared_ptr<http::CallbackDispatcher>& callbacks) {
  router.add(method, pattern, http::Router::Factory([ctx, callbacks]() -> std::unique_ptr<http::Handler> {
               return std::make_unique<H>(ctx);
             }));
}

}  // namespace

void register_signing_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  register_sign_wallet_kind();
  SignService::changes_metric(*ctx);
  SignService::duration_metric(*ctx);
  // The dispatcher's thread also records overdue tasks that have a callback as
  // expired (and so calls their relying party back), even when nobody polls.
  const auto callbacks = http::CallbackDispatcher::start(
      ctx, kCallbackFlow, [ctx] { sign_engine(ctx).expire_overdue(100); },
      // A held callback whose host stopped before sending it: today's state.
      [ctx](const std::string& task_id) { return sign_engine(ctx).render_callback(task_id); });
  // Seal changes for the relying parties that watch a seal (seal_watch.h):
  // the dispatcher's sweep reads the authority's seal-change feed.
  const auto poller = std::make_shared<SealFeedPoller>(ctx);
  const auto seal_changes =
      http::CallbackDispatcher::start(ctx, kSealChangeFlow, [poller] { poller->poll_when_due(); });
  add<CreateSignTask>(router, "POST", "/api/v1/sign-tasks", ctx, callbacks);
  add<GetSignTask>(router, "GET", "/api/v1/sign-tasks/{id}", ctx, callbacks);
  add<CancelSignTask>(router, "DELETE", "/api/v1/sign-tasks/{id}", ctx, callbacks);
  add<SignTaskEvents>(router, "GET", "/api/v1/sign-tasks/{id}/events", ctx, callbacks);
  add<SignTaskQrPng>(router, "GET", "/api/v1/sign-tasks/{id}/qr.png", ctx, callbacks);
  add<SignTaskQrSvg>(router, "GET", "/api/v1/sign-tasks/{id}/qr.svg", ctx, callbacks);
  add<SignTaskDocument>(router, "GET", "/api/v1/sign-tasks/{id}/document", ctx, callbacks);
  add<VerifySignatures>(router, "POST", "/api/v1/signatures/verify", ctx, callbacks);
  add<SealUsageRecords>(router, "GET", "/api/v1/seals/{esid}/usage", ctx, callbacks);
  add<EnterpriseSeals>(router, "GET", "/api/v1/enterprises/{uscc}/seals", ctx, callbacks);
  add<SealDetail>(router, "GET", "/api/v1/seals/{esid}", ctx, callbacks);
  add<WatchSeal>(router, "PUT", "/api/v1/seals/{esid}/watch", ctx, seal_changes);
  add<UnwatchSeal>(router, "DELETE", "/api/v1/seals/{esid}/watch", ctx, seal_changes);
  add<ListSealWatches>(router, "GET", "/api/v1/seal-watches", ctx, seal_changes);
  add<WalletInbox>(router, "POST", "/wallet/v1/inbox", ctx, callbacks);
  add<SignPage>(router, "GET", "/sign/{id}", ctx, callbacks);
  add<SignPageState>(router, "GET", "/sign/{id}/state", ctx, callbacks);
  add<DemoSign>(router, "GET", "/demo/sign", ctx, callbacks);
  add<DemoSampleContract>(router, "GET", "/demo/sample-contract.pdf", ctx, callbacks);
  add<DemoSignPage>(router, "GET", "/demo/sign/{id}", ctx, callbacks);
  add<DemoSignState>(router, "GET", "/demo/sign/{id}/state", ctx, callbacks);
  add<DemoSignDocument>(router, "GET", "/demo/sign/{id}/document", ctx, callbacks);
}

}  // namespace zhaoyin::signing
