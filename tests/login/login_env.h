#pragma once
// What the login tests share: one sandbox and one real zhaoyin-host per test
// process (made on first use), HTTP helpers, the sandbox's applications and
// wallets, and answers crafted with the wallet core for cases the real wallet
// would never send.
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/wallet/wallet.h>

#include "host_process.h"
#include "http_client.h"  // Reply, http(), bearer(), fetch_request(), post_answer()
#include "sandbox_fixture.h"
#include "test_support.h"

namespace zhaoyin::test {

using nlohmann::json;

// A sandbox wallet (an entry of sandbox.json's "wallets"), loaded and unlocked.
inline wallet::Wallet sandbox_wallet(const std::filesystem::path& sandbox, const json& entry) {
  auto w = wallet::Wallet::load((sandbox / entry["path"].get<std::string>()).string());
  w.unlock(entry["password"].get<std::string>());
  return w;
}

// One sandbox and one host for the whole test process.
class LoginEnv {
 public:
  static LoginEnv& get() {
    static std::unique_ptr<LoginEnv> env(new LoginEnv(shared_sandbox()));
    return *env;
  }

  // A host of its own (e.g. on a copied sandbox, or without one).
  LoginEnv(const std::filesystem::path& sandbox, std::vector<std::string> extra = {})
      : sandbox_(sandbox), sandbox_json_(read_json(sandbox / "sandbox.json")) {
    std::vector<std::string> args = {"--data", dir_ / "data", "--sandbox", sandbox.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    host_ = std::make_unique<HostProcess>(dir_.path(), args);
    if (!host_->ready()) throw std::runtime_error("zhaoyin-host did not start:\n" + host_->log());
  }

  HostProcess& host() { return *host_; }
  std::string url(const std::string& path = "") const { return host_->url(path); }
  const std::filesystem::path& sandbox() const { return sandbox_; }
  const json& sandbox_json() const { return sandbox_json_; }

  const json& app(const std::string& department) const {
    for (const auto& a : sandbox_json_["applications"])
      if (a["department"] == department) return a;
    throw std::runtime_error("no sandbox application " + department);
  }

  std::string token(const std::string& department) {
    auto it = tokens_.find(department);
    if (it != tokens_.end()) return it->second;
    const auto& a = app(department);
    const auto r = http("POST", url("/oauth/token"),
                        "grant_type=client_credentials&client_id=" + a["client_id"].get<std::string>() +
                            "&client_secret=" + a["client_secret"].get<std::string>(),
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
    if (r.status != 200) throw std::runtime_error("token: " + r.body);
    return tokens_[department] = r.as_json()["access_token"].get<std::string>();
  }

  // POST /api/v1/login-sessions for the application of `department`.
  Reply create(const std::string& department, const json& body = json::object()) {
    return http("POST", url("/api/v1/login-sessions"), body.dump(), bearer(token(department)));
  }
  json create_ok(const std::string& department, const json& body = json::object()) {
    const auto r = create(department, body);
    if (r.status != 201) throw std::runtime_error("create: " + std::to_string(r.status) + " " + r.body);
    return r.as_json();
  }
  json session(const std::string& department, const std::string& id, const std::string& query = "") {
    return http("GET", url("/api/v1/login-sessions/" + id + query), "", bearer(token(department))).as_json();
  }

  const json& wallet_entry(const std::string& holder) const {
    for (const auto& w : sandbox_json_["wallets"])
      if (w["holder"] == holder) return w;
    throw std::runtime_error("no sandbox wallet of " + holder);
  }
  std::string wallet_path(const std::string& holder) const {
    return (sandbox_ / wallet_entry(holder)["path"].get<std::string>()).string();
  }
  wallet::Wallet wallet(const std::string& holder) const { return sandbox_wallet(sandbox_, wallet_entry(holder)); }

  // Runs zhaoyin-wallet as `holder` with the given verb arguments.
  CommandResult wallet_cli(const std::string& holder, const std::string& verb_args) const {
    return run_command(quote(bin("zhaoyin-wallet")) + " --wallet " + quote(wallet_path(holder)) + " --password " +
                       quote(wallet_entry(holder)["password"].get<std::string>()) + " " + verb_args);
  }

  // GET the wallet request behind a QR text (moves the session to scanned).
  json fetch_request(const std::string& qr_text) { return test::fetch_request(qr_text); }

  // The answer the real wallet would sign, for `holder`, to `request`.
  json answer_for(const json& request, const wallet::Wallet& w, const std::string& decision = "approve") const {
    return w.login_answer(request, decision == "approve");
  }

  Reply post_answer(const json& request, const json& body) { return test::post_answer(request, body); }

  // Creates a session, fetches its request and answers it as `holder` (signed by the real wallet core).
  Reply login_as(const std::string& department, const std::string& holder, const json& create_body = json::object(),
                 std::string* session_id = nullptr) {
    const auto s = create_ok(department, create_body);
    if (session_id) *session_id = s["id"].get<std::string>();
    const auto request = fetch_request(s["qr_text"].get<std::string>());
    const auto w = wallet(holder);
    return post_answer(request, w.signed_answer(answer_for(request, w)));
  }

 private:
  TempDir dir_{"zhaoyin-login-test"};
  std::filesystem::path sandbox_;
  json sandbox_json_;
  std::unique_ptr<HostProcess> host_;
  std::map<std::string, std::string> tokens_;
};

}  // namespace zhaoyin::test
