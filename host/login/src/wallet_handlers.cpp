// The wallet endpoints, generic over the registered wallet request kinds, and
// the login kind itself.
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/login/login_service.h>
#include <zhaoyin/login/wallet_requests.h>

#include "api_handlers.h"

namespace zhaoyin::login {

namespace {

class LoginRequestKind final : public WalletRequestKind {
 public:
  explicit LoginRequestKind(std::shared_ptr<http::HostContext> ctx) : service_(std::move(ctx)) {}

  std::optional<nlohmann::json> fetch(const std::string& ticket) override {
    auto session = service_.find_by_ticket(ticket);
    if (!session) return std::nullopt;
    if (session->status == "expired") throw http::ApiError(410, "session_expired", "the login session has expired");
    if (session->status == "cancelled") throw http::ApiError(409, "already_answered", "the login session was cancelled");
    if (session->final())
      throw http::ApiError(409, "already_answered", "the login session was already answered (" + session->status + ")");
    return service_.wallet_request(service_.mark_scanned(*session));
  }

  std::optional<nlohmann::json> answer(const std::string& ticket, const nlohmann::json& body) override {
    if (!service_.find_by_ticket(ticket)) return std::nullopt;
    return service_.answer(ticket, body);
  }

 private:
  LoginService service_;
};

}  // namespace

void register_login_wallet_kind() {
  register_wallet_request_kind("login", [](std::shared_ptr<http::HostContext> ctx) {
    return std::make_unique<LoginRequestKind>(std::move(ctx));
  });
}

void GetWalletRequest::handle(http::Exchange& ex) {
  if (!ctx_->identity)
    throw http::ApiError(503, "wallet_unavailable", "this host has no signing identity; wallet requests are unavailable");
  const std::string& ticket = ex.param("ticket");
  for (auto& kind : wallet_request_kinds(ctx_)) {
    if (auto request = kind->fetch(ticket)) {
      ex.response().set("Cache-Control", "no-store");
      ex.send_json(200, ctx_->identity->sign_request(*request));
      return;
    }
  }
  throw http::ApiError::not_found("no wallet request for this ticket");
}

void AnswerWalletRequest::handle(http::Exchange& ex) {
  if (!ctx_->identity)
    throw http::ApiError(503, "wallet_unavailable", "this host has no signing identity; wallet requests are unavailable");
  const std::string& ticket = ex.param("ticket");
  const nlohmann::json body = ex.json_body();
  for (auto& kind : wallet_request_kinds(ctx_)) {
    if (auto reply = kind->answer(ticket, body)) {
      ex.response().set("Cache-Control", "no-store");
      ex.send_json(200, *reply);
      return;
    }
  }
  throw http::ApiError::not_found("no wallet request for this ticket");
}

}  // namespace zhaoyin::login
