#pragma once
// The wallet endpoints are shared by every QR flow:
//   GET  /wallet/v1/requests/{ticket}          the signed request
//   POST /wallet/v1/requests/{ticket}/answer   the holder's signed answer
// A ticket belongs to one flow ("login" here; "sign" with the signing issue).
// Each flow registers a kind; the routes ask each kind in turn whether it owns
// the ticket. Registration is process-wide and idempotent per type name.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::login {

class WalletRequestKind {
 public:
  virtual ~WalletRequestKind() = default;
  // The unsigned request of `ticket` (the route signs it with the host
  // identity), or nullopt when the ticket is not of this kind. Records the
  // scan. Throws http::ApiError for a flow that can no longer be answered.
  virtual std::optional<nlohmann::json> fetch(const std::string& ticket) = 0;
  // The reply to the wallet's answer, or nullopt when the ticket is not of this kind.
  virtual std::optional<nlohmann::json> answer(const std::string& ticket, const nlohmann::json& body) = 0;
};

using WalletRequestKindFactory = std::function<std::unique_ptr<WalletRequestKind>(std::shared_ptr<http::HostContext>)>;

void register_wallet_request_kind(const std::string& type, WalletRequestKindFactory factory);

// One instance of every registered kind for this request, in registration order.
std::vector<std::unique_ptr<WalletRequestKind>> wallet_request_kinds(const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::login
