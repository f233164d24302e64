#pragma once
// A real zhaoyin-host on the shared sandbox whose store already holds
// applications with chosen limits: they are created with ApplicationRepository
// in the host's data folder before the host starts (as an approval would have
// left them). Tokens come from /oauth/token like any relying party's.
#include <map>
#include <memory>
#include <optional>
#include <presentation_fixture.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::test {

inline std::string secret_of(const std::string& client_id) { return "secret-of-" + client_id + "-4f9c2a7d51e8"; }

// An application approved for every need, nationwide, on the pc channel, for
// every matter under 电子政务/税务, with the given limits (0: none).
inline store::Application quota_app(const std::string& client_id, std::int64_t peak_rate, std::int64_t annual_volume) {
  store::Application app;
  app.client_id = client_id;
  app.name = "限额测试 " + client_id;
  app.department = "tax";
  app.scope = "national";
  app.province = "42";
  app.needs = {"login", "presentation", "signature"};
  app.channels = {"pc"};
  app.matters = {"电子政务/税务"};
  app.peak_rate = peak_rate;
  app.annual_volume = annual_volume;
  app.redirect_uris = {"https://rp.example/callback"};
  return app;
}

class QuotaHost {
 public:
  explicit QuotaHost(const std::vector<store::Application>& apps) {
    {
      store::DatabaseSettings settings;
      settings.data_dir = data_dir();
      store::Database db(settings);
      db.migrate();
      store::ApplicationRepository repo(db);
      for (const auto& app : apps) repo.create(app, secret_of(app.client_id));
    }
    start();
  }

  void start() {
    host_ = std::make_unique<HostProcess>(dir_.path(), std::vector<std::string>{"--data", data_dir().string(),
                                                                               "--sandbox", sandbox().string()});
    if (!host_->ready()) throw std::runtime_error("zhaoyin-host did not start:\n" + host_->log());
  }
  int stop() { return host_->stop(); }

  fs::path data_dir() const { return dir_.path() / "data"; }
  const fs::path& sandbox() const { return shared_sandbox(); }
  std::uint16_t port() const { return static_cast<std::uint16_t>(host_->port()); }
  std::string log() const { return host_->log(); }

  // An access token for `client_id`, with the given scope (default: every need).
  std::string token(const std::string& client_id, const std::optional<std::string>& scope = std::nullopt) {
    const std::string key = client_id + "|" + scope.value_or("*");
    if (auto it = tokens_.find(key); it != tokens_.end()) return it->second;
    HttpCall call;
    call.method = "POST";
    call.path = "/oauth/token";
    call.content_type = "application/x-www-form-urlencoded";
    call.body = "grant_type=client_credentials&client_id=" + client_id + "&client_secret=" + secret_of(client_id);
    if (scope) call.body += "&scope=" + *scope;
    const auto r = http_call(port(), call);
    if (r.status != 200) throw std::runtime_error("token request failed: " + r.body);
    return tokens_[key] = r.json()["access_token"].get<std::string>();
  }

  HttpResult post(const std::string& path, const std::string& client_id, const nlohmann::json& body,
                  const std::optional<std::string>& scope = std::nullopt) {
    HttpCall call;
    call.method = "POST";
    call.path = path;
    call.headers = {{"Authorization", "Bearer " + token(client_id, scope)}};
    call.content_type = "application/json";
    call.body = body.dump();
    return http_call(port(), call);
  }

  HttpResult present(const std::string& client_id, const std::string& code,
                     const std::optional<std::string>& matter = std::nullopt) {
    nlohmann::json body = {{"code", code}};
    if (matter) body["matter"] = *matter;
    return post("/api/v1/presentations", client_id, body);
  }

  HttpResult get(const std::string& path) {
    HttpCall call;
    call.path = path;
    return http_call(port(), call);
  }

  // A fresh presentation code of a sandbox wallet ("91420100YULA38GUXF-1").
  std::string code_of(const std::string& wallet_stem) const {
    return fresh_code(sandbox_wallet(sandbox(), wallet_stem));
  }

 private:
  TempDir dir_{"zhaoyin-quota-host"};
  std::unique_ptr<HostProcess> host_;
  std::map<std::string, std::string> tokens_;
};

// Sends `request` until the answer is a 429 (at most `attempts` times) and
// returns that answer, or the last one.
template <class Request>
HttpResult until_rate_limited(Request request, int attempts = 50) {
  for (int i = 1; i < attempts; ++i) {
    auto r = request();
    if (r.status == 429) return r;
  }
  return request();
}

}  // namespace zhaoyin::test
