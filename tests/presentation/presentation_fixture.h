#pragma once
// What the presentation tests share: the sandbox, a real zhaoyin-host on it,
// application tokens, wallets from the sandbox, and presentation codes made
// with a wallet's key (as `zhaoyin-wallet present` makes them, or crafted with
// chosen fields to provoke a refusal).
#include <chrono>
#include <host_fixture.h>
#include <host_process.h>
#include <memory>
#include <sandbox_fixture.h>
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/protocol/presentation_code.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/wallet/wallet.h>

namespace zhaoyin::test {

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A sandbox wallet by file stem ("91420100YULA38GUXF-1"), unlocked.
inline wallet::Wallet sandbox_wallet(const fs::path& sandbox, const std::string& stem) {
  const auto doc = read_json(sandbox / "sandbox.json");
  for (const auto& w : doc["wallets"]) {
    if (w["path"].get<std::string>() == "wallets/" + stem + ".wallet.json") {
      auto wallet = wallet::Wallet::load(sandbox / w["path"].get<std::string>());
      wallet.unlock(w["password"].get<std::string>());
      return wallet;
    }
  }
  throw std::runtime_error("no sandbox wallet " + stem);
}

inline std::string wallet_password(const fs::path& sandbox, const std::string& stem) {
  const auto doc = read_json(sandbox / "sandbox.json");
  for (const auto& w : doc["wallets"])
    if (w["path"].get<std::string>() == "wallets/" + stem + ".wallet.json") return w["password"].get<std::string>();
  throw std::runtime_error("no sandbox wallet " + stem);
}

// The fields of a code about to be signed: a fresh, valid one by default.
inline protocol::PresentationCode fresh_code_fields(const wallet::Wallet& w) {
  protocol::PresentationCode c;
  c.serial_hex = w.license_serial();
  c.issued_at = unix_now();
  c.validity = protocol::kDefaultPresentationValidity;
  c.nonce = trust::random_bytes(12);
  c.grant_digest = protocol::grant_digest(w.grant());
  return c;
}

// Signs `c` with the wallet's key and returns the code text (the layout of
// protocol::encode_presentation_code, built from signed_bytes()).
inline std::string sign_code(const wallet::Wallet& w, protocol::PresentationCode& c) {
  const trust::Bytes signed_bytes = c.signed_bytes();
  c.signature = trust::sm2_signature_to_raw(w.sign(signed_bytes));
  trust::Bytes layout(signed_bytes.begin() + static_cast<std::ptrdiff_t>(protocol::kPresentationContext.size()),
                      signed_bytes.end());
  layout.insert(layout.end(), c.signature.begin(), c.signature.end());
  return std::string(protocol::kPresentationPrefix) + protocol::base32_encode(layout);
}

inline std::string fresh_code(const wallet::Wallet& w) {
  auto c = fresh_code_fields(w);
  return sign_code(w, c);
}

// The client id of the sandbox application of this department.
inline nlohmann::json sandbox_application(const fs::path& sandbox, const std::string& department) {
  const auto doc = read_json(sandbox / "sandbox.json");
  for (const auto& a : doc["applications"])
    if (a["department"] == department) return a;
  throw std::runtime_error("no sandbox application for " + department);
}

// A zhaoyin-host on a sandbox, with helpers for the presentation API.
class PresentationHost {
 public:
  // `extra` options are passed on to zhaoyin-host (e.g. "--set", "authority.refresh_seconds=1").
  PresentationHost(const fs::path& workdir, const fs::path& sandbox, std::vector<std::string> extra = {})
      : sandbox_(sandbox), data_(workdir / "data"), extra_(std::move(extra)),
        host_(std::make_unique<HostProcess>(workdir, args())) {
    if (!host_->ready()) throw std::runtime_error("zhaoyin-host did not start:\n" + host_->log());
  }

  // Stops the host and starts it again on the same store (a restart).
  void restart(const fs::path& workdir) {
    host_.reset();
    host_ = std::make_unique<HostProcess>(workdir, args());
    tokens_.clear();
    if (!host_->ready()) throw std::runtime_error("zhaoyin-host did not restart:\n" + host_->log());
  }

  std::uint16_t port() const { return static_cast<std::uint16_t>(host_->port()); }
  int pid() const { return host_->pid(); }
  std::string url(const std::string& path = "") const { return host_->url(path); }
  std::string log() const { return host_->log(); }

  std::string token(const std::string& department) {
    if (auto it = tokens_.find(department); it != tokens_.end()) return it->second;
    const auto app = sandbox_application(sandbox_, department);
    HttpCall call;
    call.method = "POST";
    call.path = "/oauth/token";
    call.content_type = "application/x-www-form-urlencoded";
    call.body = "grant_type=client_credentials&client_id=" + app["client_id"].get<std::string>() +
                "&client_secret=" + app["client_secret"].get<std::string>();
    const auto r = http_call(port(), call);
    if (r.status != 200) throw std::runtime_error("token request failed: " + r.body);
    return tokens_[department] = r.json()["access_token"].get<std::string>();
  }

  HttpResult present(const std::string& department, const std::string& code,
                     const std::optional<std::string>& matter = std::nullopt) {
    nlohmann::json body = {{"code", code}};
    if (matter) body["matter"] = *matter;
    return api("POST", "/api/v1/presentations", department, body.dump());
  }

  HttpResult api(const std::string& method, const std::string& path, const std::string& department,
                 const std::string& json_body = "") {
    HttpCall call;
    call.method = method;
    call.path = path;
    call.headers = {{"Authorization", "Bearer " + token(department)}};
    if (!json_body.empty()) {
      call.content_type = "application/json";
      call.body = json_body;
    }
    return http_call(port(), call);
  }

  HttpResult get(const std::string& path) {
    HttpCall call;
    call.path = path;
    return http_call(port(), call);
  }

 private:
  std::vector<std::string> args() const {
    std::vector<std::string> a = {"--data", data_.string(), "--sandbox", sandbox_.string()};
    a.insert(a.end(), extra_.begin(), extra_.end());
    return a;
  }
  fs::path sandbox_;
  fs::path data_;
  std::vector<std::string> extra_;
  std::unique_ptr<HostProcess> host_;
  std::map<std::string, std::string> tokens_;
};

inline std::string error_code(const HttpResult& r) {
  try {
    return r.json()["error"]["code"].get<std::string>();
  } catch (const std::exception&) {
    return "<no error code in: " + r.body + ">";
  }
}

}  // namespace zhaoyin::test
