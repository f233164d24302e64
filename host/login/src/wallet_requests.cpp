#include <zhaoyin/login/wallet_requests.h>

#include <mutex>
#include <utility>
#include <vector>

namespace zhaoyin::login {

namespace {
std::mutex kinds_mutex;
std::vector<std::pair<std::string, WalletRequestKindFactory>>& kinds() {
  static std::vector<std::pair<std::string, WalletRequestKindFactory>> k;
  return k;
}
}  // namespace

void register_wallet_request_kind(const std::string& type, WalletRequestKindFactory factory) {
  std::lock_guard lock(kinds_mutex);
  for (auto& [name, f] : kinds()) {
    if (name == type) {
      f = std::move(factory);
      return;
    }
  }
  kinds().emplace_back(type, std::move(factory));
}

std::vector<std::unique_ptr<WalletRequestKind>> wallet_request_kinds(const std::shared_ptr<http::HostContext>& ctx) {
  std::vector<WalletRequestKindFactory> factories;
  {
    std::lock_guard lock(kinds_mutex);
    for (const auto& [name, f] : kinds()) factories.push_back(f);
  }
  std::vector<std::unique_ptr<WalletRequestKind>> out;
  for (const auto& f : factories) out.push_back(f(ctx));
  return out;
}

}  // namespace zhaoyin::login
