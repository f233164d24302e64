// The "sign" kind of the shared wallet endpoints (/wallet/v1/requests/{ticket}).
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/login/wallet_requests.h>

#include "sign_service.h"

namespace zhaoyin::signing {

namespace {

class SignRequestKind final : public login::WalletRequestKind {
 public:
  explicit SignRequestKind(std::shared_ptr<http::HostContext> ctx) : service_(std::move(ctx)) {}

  std::optional<nlohmann::json> fetch(const std::string& ticket) override {
    auto task = service_.find_by_ticket(ticket);
    if (!task) return std::nullopt;
    if (task->status == "expired") throw http::ApiError(410, "task_expired", "the sign task has expired");
    if (task->final()) throw http::ApiError(409, "already_answered", "the sign task was already answered (" + task->status + ")");
    return service_.wallet_request(service_.mark_scanned(*task));
  }

  std::optional<nlohmann::json> answer(const std::string& ticket, const nlohmann::json& body) override {
    if (!service_.find_by_ticket(ticket)) return std::nullopt;
    return service_.answer(ticket, body);
  }

 private:
  SignService service_;
};

}  // namespace

void register_sign_wallet_kind() {
  login::register_wallet_request_kind("sign", [](std::shared_ptr<http::HostContext> ctx) {
    return std::make_unique<SignRequestKind>(std::move(ctx));
  });
}

}  // namespace zhaoyin::signing
