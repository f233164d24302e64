// Seal changes (印章变动) for relying parties that recorded a seal — a bank's
// 预留印鉴 (docs/api/signing.md, "Seal changes"): a watch made through a
// confirmed login, the authority's operator replacing and revoking seals
// (`zhaoyin authority replace-seal | revoke-seal` on the host's own sandbox
// copy), and the signed callbacks that follow; the refusals of the watch API.
#include <catch2/catch.hpp>
#include <zhaoyin/trust/sm3.h>

#include "callback_receiver.h"
#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

const char* const kAdmin = "李娜";    // administrator of the Wuhan company
const char* const kShenzhen = "黄丽";  // 经营者 of the Shenzhen individual business

// A host of its own over a private sandbox copy (its seals are replaced
// here), reading the seal-change feed every second, callbacks to loopback.
struct WatchEnv {
  TempDir dir{"zhaoyin-seal-watch"};
  std::filesystem::path sandbox = copy_sandbox(dir);
  SigningEnv env{sandbox,
                 {"--set", "callbacks.allow_http=true", "--set", "callbacks.allow=127.0.0.1/32", "--set",
                  "authority.seal_feed_seconds=1", "--set", "authority.refresh_seconds=1"}};

  std::string confirmed_login(const std::string& department, const std::string& holder) {
    const auto r = http("POST", env.url("/api/v1/login-sessions"), json::object().dump(), bearer(env.token(department)));
    if (r.status != 201) throw std::runtime_error("login: " + r.body);
    const auto s = r.as_json();
    const auto scan = env.wallet_cli(holder, "scan " + quote(s["qr_text"].get<std::string>()) + " --approve");
    if (scan.exit_code != 0) throw std::runtime_error("wallet: " + scan.output);
    return s["id"];
  }
  Reply watch(const std::string& department, const std::string& es_id, const std::string& login, const json& body) {
    return http("PUT", env.url("/api/v1/seals/" + es_id + "/watch?login_session=" + login), body.dump(),
                bearer(env.token(department)));
  }
  // `zhaoyin authority COMMAND` on this host's sandbox; what it printed.
  std::string authority(const std::string& command) {
    const auto r = run_command(quote(bin("zhaoyin")) + " authority " + command);
    if (r.exit_code != 0) throw std::runtime_error("zhaoyin authority " + command + ": " + r.output);
    return r.output;
  }
};

std::string expected_signature(const std::string& secret, const ReceivedCall& c) {
  const auto key = trust::hmac_sha256(trust::to_bytes(secret), trust::to_bytes("zhaoyin callback signing key"));
  return "sha256=" + trust::hex_encode(trust::hmac_sha256(key, trust::to_bytes(c.timestamp + "." + c.body)));
}

}  // namespace

TEST_CASE("a watched seal replaced and another revoked at the authority: one signed callback each, none for unwatched seals") {
  WatchEnv w;
  auto& env = w.env;
  CallbackReceiver receiver;
  const std::string login = w.confirmed_login("tax", kAdmin);
  const auto wuhan = env.wallet_entry(kAdmin)["uscc"].get<std::string>();
  const std::string contract = SigningEnv::seal_of(env.wallet(kAdmin), "contract").es_id;
  const std::string company = SigningEnv::seal_of(env.wallet(kAdmin), "company").es_id;
  const std::string finance = SigningEnv::seal_of(env.wallet(kAdmin), "finance").es_id;

  auto r = w.watch("tax", contract, login, {{"callback_url", receiver.url("/hooks/seals")}});
  REQUIRE(r.status == 201);
  CHECK(r.as_json()["es_id"] == contract);
  CHECK(r.as_json()["uscc"] == wuhan);
  CHECK(r.as_json()["login_session"] == login);
  // Setting it again replaces it (200), here with the same URL.
  r = w.watch("tax", contract, login, {{"callback_url", receiver.url("/hooks/seals")}});
  CHECK(r.status == 200);
  REQUIRE(w.watch("tax", company, login, {{"callback_url", receiver.url("/hooks/seals")}}).status == 201);
  r = http("GET", env.url("/api/v1/seal-watches"), "", bearer(env.token("tax")));
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["watches"].size() == 2);

  // First a change nobody watches, then the two watched ones.
  w.authority("revoke-seal " + quote(w.sandbox.string()) + " " + finance);
  const std::string said = w.authority("replace-seal " + quote(w.sandbox.string()) + " " + contract);
  const std::string new_code = said.substr(said.rfind(' ') + 1, said.size() - said.rfind(' ') - 2);
  w.authority("revoke-seal " + quote(w.sandbox.string()) + " " + company);

  REQUIRE(receiver.wait_accepted(2));
  const auto calls = receiver.accepted();
  std::map<std::string, json> by_seal;
  for (const auto& c : calls) {
    CHECK(c.path == "/hooks/seals");
    CHECK(c.signature == expected_signature(env.app("tax")["client_secret"], c));
    const auto body = json::parse(c.body);
    CHECK(body["event"] == "seal.changed");
    CHECK(body["uscc"] == wuhan);
    CHECK(body["watch"]["login_session"] == login);
    by_seal[body["es_id"]] = body;
  }
  REQUIRE(by_seal.count(contract) == 1);
  CHECK(by_seal[contract]["change"] == "replaced");
  CHECK(by_seal[contract]["replaced_by"] == new_code);
  REQUIRE(by_seal.count(company) == 1);
  CHECK(by_seal[company]["change"] == "revoked");
  CHECK(by_seal[company]["replaced_by"].is_null());
  // The finance seal's revocation came first in the feed: had it been
  // reported, it would have arrived before these two.
  CHECK(by_seal.count(finance) == 0);
  CHECK(calls.size() == 2);
  CHECK(by_seal[contract]["seq"].get<int>() < by_seal[company]["seq"].get<int>());

  // Ending a watch.
  r = http("DELETE", env.url("/api/v1/seals/" + contract + "/watch"), "", bearer(env.token("tax")));
  CHECK(r.status == 204);
  r = http("DELETE", env.url("/api/v1/seals/" + contract + "/watch"), "", bearer(env.token("tax")));
  CHECK(r.status == 404);
  r = http("GET", env.url("/api/v1/seal-watches"), "", bearer(env.token("tax")));
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["watches"].size() == 1);
}

TEST_CASE("watching a seal is refused without a confirmed login of its enterprise or with a callback outside the policy") {
  WatchEnv w;
  auto& env = w.env;
  const std::string login = w.confirmed_login("tax", kAdmin);
  const std::string contract = SigningEnv::seal_of(env.wallet(kAdmin), "contract").es_id;
  const std::string shenzhen_seal = SigningEnv::seal_of(env.wallet(kShenzhen), "company").es_id;
  const json ok = {{"callback_url", "http://127.0.0.1:9/hooks"}};

  auto r = http("PUT", env.url("/api/v1/seals/" + contract + "/watch"), ok.dump(), bearer(env.token("tax")));
  CHECK(r.status == 400);  // no login_session
  r = w.watch("tax", contract, "nope", ok);
  CHECK(r.status == 422);
  CHECK(r.code() == "unknown_login_session");
  r = w.watch("tax", shenzhen_seal, login, ok);  // another enterprise's seal
  CHECK(r.status == 404);
  r = w.watch("tax", contract, login, {{"callback_url", "http://10.0.0.7/hooks"}});
  CHECK(r.status == 400);
  CHECK(r.code() == "callback_destination_refused");
  r = w.watch("tax", contract, login, {{"callback_url", "ftp://127.0.0.1/hooks"}});
  CHECK(r.status == 400);
  r = w.watch("tax", contract, login, {{"callback_url", "http://127.0.0.1:9/hooks"}, {"extra", 1}});
  CHECK(r.status == 400);
  r = w.watch("tax", contract, login, json::object());
  CHECK(r.status == 400);
  r = http("PUT", env.url("/api/v1/seals/" + contract + "/watch?login_session=" + login), ok.dump());
  CHECK(r.status == 401);
  // Another application cannot use this application's login.
  r = w.watch("banking", contract, login, ok);
  CHECK(r.status == 422);
  CHECK(r.code() == "unknown_login_session");
  // Nothing was stored by the refusals.
  r = http("GET", env.url("/api/v1/seal-watches"), "", bearer(env.token("tax")));
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["watches"].empty());
}
