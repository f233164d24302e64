#include "admin_edge.h"

#include <zhaoyin/admin/staff.h>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::admin {

namespace {

thread_local std::string g_request_id;

class RequestIdScope {
 public:
  explicit RequestIdScope(const std::string& id) { g_request_id = id; }
  ~RequestIdScope() { g_request_id.clear(); }
  RequestIdScope(const RequestIdScope&) = delete;
  RequestIdScope& operator=(const RequestIdScope&) = delete;
};

class AdminEdgeHandler final : public http::Handler {
 public:
  AdminEdgeHandler(std::unique_ptr<http::Handler> inner, std::shared_ptr<http::HostContext> ctx)
      : inner_(std::move(inner)), ctx_(std::move(ctx)) {}

  void handle(http::Exchange& ex) override {
    RequestIdScope scope(ex.request_id());
    try {
      inner_->handle(ex);
    } catch (const http::ApiError& e) {
      if (e.status() >= 300 && e.status() < 400) {
        for (const auto& [name, value] : e.headers()) ex.response().set(name, value);
        ex.response().set("Cache-Control", "no-store");
        if (!ex.sent()) ex.send_empty(e.status());
        return;
      }
      refuse(ex, e.status(), e.code(), e.what());
    } catch (const authority::AuthorityUnavailable& e) {
      ctx_->log->warn("authority unavailable", {{"request_id", ex.request_id()}, {"path", ex.path()}, {"error", e.what()}});
      refuse(ex, 503, "authority_unavailable", "发证机关暂不可达，请稍后重试（the issuing authority cannot be reached; try again later）");
    } catch (const store::StoreError& e) {
      ctx_->log->error("store failure", {{"request_id", ex.request_id()}, {"path", ex.path()}, {"error", e.what()}});
      refuse(ex, 503, "store_unavailable", "数据存储暂不可用，请稍后重试（the store is unavailable; try again later）");
    } catch (const std::exception& e) {
      ctx_->log->error("unexpected exception on an admin page",
                       {{"request_id", ex.request_id()}, {"path", ex.path()}, {"error", e.what()}});
      refuse(ex, 500, "internal_error", "内部错误（internal error, request id " + ex.request_id() + "）");
    }
  }

 private:
  void refuse(http::Exchange& ex, int status, const std::string& code, const std::string& message) {
    if (ex.sent()) return;
    try {
      send_error_page(ex, *ctx_, status, code, message);
    } catch (const std::exception& e) {
      // The page itself failed (e.g. the store is down while reading the
      // session): fall back to the API's JSON refusal.
      ctx_->log->warn("cannot render the admin error page", {{"request_id", ex.request_id()}, {"error", e.what()}});
      if (!ex.sent()) ex.send_json(status, http::Exchange::error_body(code, message));
    }
  }

  std::unique_ptr<http::Handler> inner_;
  std::shared_ptr<http::HostContext> ctx_;
};

}  // namespace

void add_behind_admin_edge(http::Router& router, const http::Router& pages,
                           const std::shared_ptr<http::HostContext>& ctx) {
  for (const auto& route : pages.routes()) {
    auto factory = route.factory;
    router.add(route.method, route.pattern, http::Router::Factory([factory, ctx]() -> std::unique_ptr<http::Handler> {
                 return std::make_unique<AdminEdgeHandler>(factory(), ctx);
               }));
  }
}

const std::string& current_request_id() { return g_request_id; }

}  // namespace zhaoyin::admin
