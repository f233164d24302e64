#pragma once
// What the signing tests share: one sandbox and one real zhaoyin-host per test
// process (made on first use), HTTP helpers, the sandbox's applications and
// wallets, sample PDFs drawn with cairo, and the wallet's sign answers made in
// process with the wallet core (tools/wallet/src/sign_answers.h) — including
// ones the real wallet would never send.
#include <cairo-pdf.h>
#include <cairo.h>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/wallet/wallet.h>

#include "host_process.h"
#include "sandbox_fixture.h"
#include "sign_answers.h"
#include "sign_wallet.h"  // the wallet's two steps, shared with tests/cluster
#include "test_support.h"

namespace zhaoyin::test {

using nlohmann::json;

inline cairo_status_t append_to_bytes(void* closure, const unsigned char* data, unsigned int length) {
  auto* out = static_cast<trust::Bytes*>(closure);
  out->insert(out->end(), data, data + length);
  return CAIRO_STATUS_SUCCESS;
}

// An A4 PDF with Chinese text (cairo, xref table), `pages` pages.
inline trust::Bytes sample_pdf(int pages = 2, const std::string& title = "采购合同 Purchase contract") {
  trust::Bytes out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(append_to_bytes, &out, 595.28, 841.89);
  cairo_t* cr = cairo_create(surface);
  cairo_select_font_face(cr, "WenQuanYi Zen Hei", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  for (int page = 1; page <= pages; ++page) {
    cairo_set_font_size(cr, 20);
    cairo_move_to(cr, 72, 100);
    cairo_show_text(cr, page == 1 ? title.c_str() : "签章页 Signature page");
    cairo_set_font_size(cr, 12);
    cairo_move_to(cr, 72, 140);
    cairo_show_text(cr, "甲方：武汉长江云数科技有限公司（沙箱）");
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return out;
}

inline std::string b64(const trust::Bytes& b) { return trust::base64_encode(b); }
inline std::string b64(const std::string& s) { return trust::base64_encode(trust::to_bytes(s)); }

// One sandbox and one host for the whole test process (or a host of its own).
class SigningEnv {
 public:
  static SigningEnv& get() {
    static std::unique_ptr<SigningEnv> env(new SigningEnv(shared_sandbox()));
    return *env;
  }

  explicit SigningEnv(const std::filesystem::path& sandbox, std::vector<std::string> extra = {})
      : sandbox_(sandbox), sandbox_json_(read_json(sandbox / "sandbox.json")) {
    std::vector<std::string> args = {"--data", (dir_.path() / "data").string(), "--sandbox", sandbox.string(),
                                     "--set", "http.max_body_bytes=8388608"};
    args.insert(args.end(), extra.begin(), extra.end());
    host_ = std::make_unique<HostProcess>(dir_.path(), args);
    if (!host_->ready()) throw std::runtime_error("zhaoyin-host did not start:\n" + host_->log());
  }

  HostProcess& host() { return *host_; }
  // The host's --data directory (its SQLite store), for tests that tamper with it.
  std::filesystem::path data_dir() const { return dir_.path() / "data"; }
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

  Reply create(const std::string& department, const json& body) {
    return http("POST", url("/api/v1/sign-tasks"), body.dump(), bearer(token(department)));
  }
  json create_ok(const std::string& department, const json& body) {
    const auto r = create(department, body);
    if (r.status != 201) throw std::runtime_error("create: " + std::to_string(r.status) + " " + r.body);
    return r.as_json();
  }
  // A PDF task for `types` (any_of unless mode says otherwise).
  json create_pdf_task(const std::string& department, const std::vector<std::string>& types,
                       const std::string& mode = "any_of", json extra = json::object()) {
    json body = {{"document", {{"name", "contract.pdf"}, {"pdf", b64(sample_pdf())}}},
                 {"seals", {{"mode", mode}, {"types", types}}}};
    for (auto& [k, v] : extra.items()) body[k] = v;
    return create_ok(department, body);
  }
  Reply get_task(const std::string& department, const std::string& id, const std::string& query = "") {
    return http("GET", url("/api/v1/sign-tasks/" + id + query), "", bearer(token(department)));
  }

  const json& wallet_entry(const std::string& holder) const {
    for (const auto& w : sandbox_json_["wallets"])
      if (w["holder"] == holder) return w;
    throw std::runtime_error("no sandbox wallet of " + holder);
  }
  std::string wallet_path(const std::string& holder) const {
    return (sandbox_ / wallet_entry(holder)["path"].get<std::string>()).string();
  }
  wallet::Wallet wallet(const std::string& holder) const {
    auto w = wallet::Wallet::load(wallet_path(holder));
    w.unlock(wallet_entry(holder)["password"].get<std::string>());
    return w;
  }
  CommandResult wallet_cli(const std::string& holder, const std::string& verb_args) const {
    return run_command(quote(bin("zhaoyin-wallet")) + " --wallet " + quote(wallet_path(holder)) + " --password " +
                       quote(wallet_entry(holder)["password"].get<std::string>()) + " " + verb_args);
  }

  // GET the wallet request behind a QR text (moves the task to scanned).
  json fetch_request(const std::string& qr_text) { return test::fetch_request(qr_text); }
  Reply post_answer(const json& request, const json& body) { return test::post_answer(request, body); }

  // The relying-party host certificate the host signs wallet requests and preparations with.
  trust::Certificate host_certificate() const { return sandbox_host_certificate(sandbox_); }

  // The holder's seal of `type` (authorised or not), from its wallet file.
  static const wallet::WalletSeal& seal_of(const wallet::Wallet& w, const std::string& type) {
    return test::seal_of(w, type);
  }

  // Both steps as the real wallet does them; returns the reply to the last step made.
  Reply sign_as(const json& request, const wallet::Wallet& w, const std::string& type) {
    return sign_with(request, w, &seal_of(w, type), host_certificate());
  }

  // Creates nothing: fetches the task's request and signs it as `holder` with its `type` seal.
  Reply sign_task(const json& task, const std::string& holder, const std::string& type) {
    const auto request = fetch_request(task["qr_text"].get<std::string>());
    return sign_as(request, wallet(holder), type);
  }

  trust::Bytes document(const std::string& department, const std::string& id, const std::string& query = "") {
    const auto r = http("GET", url("/api/v1/sign-tasks/" + id + "/document" + query), "", bearer(token(department)));
    if (r.status != 200) throw std::runtime_error("document: " + std::to_string(r.status) + " " + r.body);
    return r.bytes();
  }

  json verify_pdf(const std::string& department, const trust::Bytes& pdf) {
    const auto r = http("POST", url("/api/v1/signatures/verify"), json{{"pdf", b64(pdf)}}.dump(), bearer(token(department)));
    if (r.status != 200) throw std::runtime_error("verify: " + std::to_string(r.status) + " " + r.body);
    return r.as_json();
  }

  // A sandbox holder by role description, e.g. the legal representative of the Wuhan company.
  std::string holder_named(const std::string& name) const { return wallet_entry(name)["holder"]; }

 private:
  TempDir dir_{"zhaoyin-signing-test"};
  std::filesystem::path sandbox_;
  json sandbox_json_;
  std::unique_ptr<HostProcess> host_;
  std::map<std::string, std::string> tokens_;
};

}  // namespace zhaoyin::test
