// OpenID Connect authorization-code flows against a real zhaoyin-host (fresh
// sandbox, loopback), with host CPU per completed flow as a multiple of one
// `openssl speed sm2` verification from the same run (bench/host_cpu.h).
//
// One flow, as a relying party's browser and back end make it (RFC 6749 §4.1,
// OpenID Connect Core §3.1, PKCE S256):
//   GET  /oidc/authorize?...        → 302 to the hosted login page (+ cookie)
//   GET  /login/{id}/state          → the QR text the page shows
//   GET  the wallet request, POST its signed answer (the wallet, in process)
//   GET  /oidc/continue/{id}        → 302 to redirect_uri?code=…&state=…
//   POST /oidc/token                → access and ID tokens (client_secret_basic)
//   GET  /oidc/userinfo             → the enterprise's claims
// Each call opens its own connection (the tests' http helper), as bench_login.
//
// Usage: bench_oidc [N]   (default 100)
#include <Poco/Base64Encoder.h>
#include <Poco/URI.h>
#include <chrono>
#include <cstdio>
#include <sstream>

#include "host_cpu.h"
#include "login_env.h"
#include "openssl_baseline.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using Clock = std::chrono::steady_clock;

namespace {

// RFC 7636 appendix B's example pair.
const std::string kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const std::string kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const std::string kRedirect = "http://127.0.0.1:8080/demo/oidc/callback";  // registered by every sandbox application

std::string enc(const std::string& s) {
  std::string out;
  Poco::URI::encode(s, "!#$&'()*+,/:;=?@[]", out);
  return out;
}

std::string header(const Reply& r, const std::string& name) {
  const auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string() : it->second;
}

std::string query_value(const std::string& url, const std::string& name) {
  for (const auto& [k, v] : Poco::URI(url).getQueryParameters())
    if (k == name) return v;
  return {};
}

std::string basic(const std::string& id, const std::string& secret) {
  std::ostringstream out;
  Poco::Base64Encoder b64(out);
  b64.rdbuf()->setLineLength(0);
  b64 << enc(id) << ':' << enc(secret);  // RFC 6749 §2.3.1: form-encoded, then Basic
  b64.close();
  return "Basic " + out.str();
}

// One whole flow; empty on success, else what failed.
std::string one_flow(LoginEnv& env, const wallet::Wallet& w, const std::string& client_id, const std::string& secret,
                     int i) {
  const std::string state = "st" + std::to_string(i);
  const auto authorize = http("GET", env.url("/oidc/authorize?client_id=" + enc(client_id) + "&redirect_uri=" +
                                             enc(kRedirect) + "&response_type=code&scope=openid%20profile&state=" +
                                             state + "&nonce=n" + std::to_string(i) + "&code_challenge=" + kChallenge +
                                             "&code_challenge_method=S256"));
  if (authorize.status != 302) return "authorize: " + std::to_string(authorize.status) + " " + authorize.body;
  const std::string page = header(authorize, "Location");
  const std::string cookie = header(authorize, "Set-Cookie").substr(0, header(authorize, "Set-Cookie").find(';'));
  const std::string login_path = Poco::URI(page).getPath();  // /login/{id}
  const auto page_state = http("GET", env.url(login_path + "/state")).as_json();
  if (!page_state.is_object() || !page_state["qr_text"].is_string()) return "page state: " + page_state.dump();

  const auto request = env.fetch_request(page_state["qr_text"]);
  const auto answered = env.post_answer(request, w.signed_answer(env.answer_for(request, w)));
  if (answered.status != 200) return "answer: " + answered.body;

  const auto confirmed = http("GET", env.url(login_path + "/state")).as_json();
  if (confirmed.value("status", "") != "confirmed" || !confirmed["return_url"].is_string())
    return "not confirmed: " + confirmed.dump();
  const auto back = http("GET", env.url(confirmed["return_url"].get<std::string>()), "", {{"Cookie", cookie}});
  if (back.status != 302) return "continue: " + std::to_string(back.status) + " " + back.body;
  const std::string code = query_value(header(back, "Location"), "code");
  if (code.empty() || query_value(header(back, "Location"), "state") != state) return "no code: " + header(back, "Location");

  const auto token = http("POST", env.url("/oidc/token"),
                          "grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(kRedirect) +
                              "&code_verifier=" + kVerifier,
                          {{"Authorization", basic(client_id, secret)},
                           {"Content-Type", "application/x-www-form-urlencoded"}});
  if (token.status != 200) return "token: " + token.body;
  const auto tokens = token.as_json();
  if (!tokens["id_token"].is_string()) return "no id_token: " + token.body;
  const auto userinfo = http("GET", env.url("/oidc/userinfo"), "", bearer(tokens["access_token"].get<std::string>()));
  if (userinfo.status != 200) return "userinfo: " + userinfo.body;
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100;
  std::printf("bench_oidc: starting a sandbox host...\n");
  auto& env = LoginEnv::get();
  const auto w = env.wallet("张志伟");
  const auto& app = env.app("tax");
  const std::string client_id = app["client_id"], secret = app["client_secret"];
  if (const auto failed = one_flow(env, w, client_id, secret, -1); !failed.empty()) {  // warm-up, and a check
    std::fprintf(stderr, "oidc flow failed: %s\n", failed.c_str());
    return 1;
  }
  const double sm2_verify = zhaoyin::bench::openssl_sm2_speed().verify_per_second;

  const zhaoyin::bench::CpuMeter host_cpu(env.host().pid());
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    if (const auto failed = one_flow(env, w, client_id, secret, i); !failed.empty()) {
      std::fprintf(stderr, "oidc flow %d failed: %s\n", i, failed.c_str());
      return 1;
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double host_seconds = host_cpu.seconds();

  std::printf("openssl speed sm2 verify/s (baseline):   %10.1f\n", sm2_verify);
  std::printf("OIDC code flows/s over HTTP (N=%d):      %10.1f   = %.4f x sm2 verify/s  (sequential, 9 requests each)\n",
              n, n / seconds, sm2_verify > 0 ? n / seconds / sm2_verify : 0.0);
  zhaoyin::bench::print_cpu_per_op("host CPU per OIDC code flow", host_seconds, n, sm2_verify);
  return 0;
}
