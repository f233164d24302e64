// Sign tasks bound to one holder (docs/api/signing.md, "signer"): the
// continuation of a login the seeds describe — the enterprise logs in with its
// license, then signs what the relying party prepared for *that* holder.
// Another holder of the same enterprise may neither sign nor refuse it; the
// binding is refused at creation when the login is unknown, someone else's,
// unconfirmed or contradicted; and an enterprise that holds none of the seal
// types asked for is told so before a task exists.
#include <catch2/catch.hpp>
#include <map>

#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {
const char* const kBoss = "张志伟";   // legal representative of the Wuhan company, every seal
const char* const kAdmin = "李娜";    // administrator of the Wuhan company: company and contract seals
const char* const kShenzhen = "黄丽";  // 经营者 of the Shenzhen individual business: four seals, no contract seal

json new_login(SigningEnv& env, const std::string& department) {
  const auto r = http("POST", env.url("/api/v1/login-sessions"), json::object().dump(), bearer(env.token(department)));
  if (r.status != 201) throw std::runtime_error("login: " + std::to_string(r.status) + " " + r.body);
  return r.as_json();
}

// A login of `department` confirmed by `holder`'s wallet.
std::string confirmed_login(SigningEnv& env, const std::string& department, const std::string& holder) {
  const auto s = new_login(env, department);
  const auto scan = env.wallet_cli(holder, "scan " + quote(s["qr_text"].get<std::string>()) + " --approve");
  if (scan.exit_code != 0) throw std::runtime_error("wallet: " + scan.output);
  return s["id"];
}
}  // namespace

TEST_CASE("a task bound to a login is signed by that login's holder and refused to another holder with wrong_holder") {
  auto& env = SigningEnv::get();
  const std::string login = confirmed_login(env, "tax", kAdmin);
  const auto t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"signer", {{"login_session", login}}}});
  // The binding is visible to the relying party and to the wallet.
  CHECK(t["signer"]["login_session"] == login);
  CHECK(t["signer"]["license_serial"] == env.wallet_entry(kAdmin)["cert_serial"]);
  CHECK(t["signer"]["uscc"] == env.wallet_entry(kAdmin)["uscc"]);
  const auto request = env.fetch_request(t["qr_text"]);
  CHECK(request["signer"]["license_serial"] == env.wallet_entry(kAdmin)["cert_serial"]);

  // zhaoyin-wallet of another holder does not even offer it.
  const auto cli = env.wallet_cli(kBoss, "scan " + quote(t["qr_text"].get<std::string>()) + " --approve --seal contract");
  CHECK(cli.exit_code != 0);
  CHECK(cli.output.find("wrong_holder") != std::string::npos);
  // The legal representative of the same enterprise may use every seal, but this task is not his.
  auto r = env.sign_as(request, env.wallet(kBoss), "contract");
  CHECK(r.status == 403);
  CHECK(r.code() == "wrong_holder");
  r = env.post_answer(request, wallet::sign_reject_body(env.wallet(kBoss), request));
  CHECK(r.status == 403);
  CHECK(r.code() == "wrong_holder");
  CHECK(env.get_task("tax", t["id"]).as_json()["status"] != "rejected");

  r = env.sign_as(request, env.wallet(kAdmin), "contract");
  REQUIRE(r.status == 200);
  CHECK(env.get_task("tax", t["id"]).as_json()["status"] == "signed");
}

TEST_CASE("a task bound to a license serial is signed by that holder only") {
  auto& env = SigningEnv::get();
  const std::string serial = env.wallet_entry(kBoss)["cert_serial"];
  std::string lower = serial;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto t = env.create_pdf_task("tax", {"company"}, "any_of", {{"signer", {{"license_serial", lower}}}});
  CHECK(t["signer"]["license_serial"] == serial);  // read in any case, kept upper-case
  const auto request = env.fetch_request(t["qr_text"]);
  auto r = env.sign_as(request, env.wallet(kAdmin), "company");
  CHECK(r.status == 403);
  CHECK(r.code() == "wrong_holder");
  r = env.sign_as(request, env.wallet(kBoss), "company");
  CHECK(r.status == 200);
}

TEST_CASE("binding to a login is refused when the login is unknown, another application's, unconfirmed or contradicted") {
  auto& env = SigningEnv::get();
  const auto with_signer = [&](const std::string& department, const json& signer) {
    json body = {{"document", {{"name", "contract.pdf"}, {"pdf", b64(sample_pdf())}}},
                 {"seals", {{"mode", "any_of"}, {"types", {"company"}}}},
                 {"signer", signer}};
    return env.create(department, body);
  };
  auto r = with_signer("tax", {{"login_session", "no-such-login"}});
  CHECK(r.status == 422);
  CHECK(r.code() == "unknown_login_session");

  // Another relying party's login is not found either (it is not this application's to use).
  const std::string banking_login = confirmed_login(env, "banking", kAdmin);
  r = with_signer("tax", {{"login_session", banking_login}});
  CHECK(r.status == 422);
  CHECK(r.code() == "unknown_login_session");

  const auto pending = new_login(env, "tax");
  r = with_signer("tax", {{"login_session", pending["id"]}});
  CHECK(r.status == 409);
  CHECK(r.code() == "login_not_confirmed");

  const std::string login = confirmed_login(env, "tax", kAdmin);
  r = with_signer("tax", {{"login_session", login}, {"license_serial", env.wallet_entry(kBoss)["cert_serial"]}});
  CHECK(r.status == 422);
  CHECK(r.code() == "signer_mismatch");
  r = with_signer("tax", {{"login_session", login}, {"uscc", env.wallet_entry(kShenzhen)["uscc"]}});
  CHECK(r.status == 422);
  CHECK(r.code() == "signer_mismatch");

  r = with_signer("tax", {{"license_serial", "not-hex!"}});
  CHECK(r.status == 400);
  r = with_signer("tax", {{"holder", "someone"}});
  CHECK(r.status == 400);
}

TEST_CASE("an enterprise without the seal types asked for is refused with seal_type_unavailable before a task exists") {
  auto& env = SigningEnv::get();  // the bank serves the whole country; the tax bureau only 湖北
  const std::string shenzhen = env.wallet_entry(kShenzhen)["uscc"];
  // Its four seals have no 合同专用章.
  auto r = env.create("banking", {{"document", {{"name", "contract.pdf"}, {"pdf", b64(sample_pdf())}}},
                              {"seals", {{"mode", "any_of"}, {"types", {"contract"}}}},
                              {"signer", {{"uscc", shenzhen}}}});
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_type_unavailable");
  CHECK(r.body.find("合同专用章") != std::string::npos);
  // all_of needs every type; any_of one of them.
  r = env.create("banking", {{"document", {{"name", "contract.pdf"}, {"pdf", b64(sample_pdf())}}},
                         {"seals", {{"mode", "all_of"}, {"types", {"company", "contract"}}}},
                         {"signer", {{"uscc", shenzhen}}}});
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_type_unavailable");
  r = env.create("banking", {{"document", {{"name", "contract.pdf"}, {"pdf", b64(sample_pdf())}}},
                         {"seals", {{"mode", "any_of"}, {"types", {"company", "contract"}}}},
                         {"signer", {{"uscc", shenzhen}}}});
  CHECK(r.status == 201);
  // Through a login the enterprise is known too.
  const std::string login = confirmed_login(env, "banking", kShenzhen);
  r = env.create("banking", {{"document", {{"name", "contract.pdf"}, {"pdf", b64(sample_pdf())}}},
                         {"seals", {{"mode", "any_of"}, {"types", {"contract"}}}},
                         {"signer", {{"login_session", login}}}});
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_type_unavailable");
}

TEST_CASE("the seals of a verified enterprise, for the relying party's page: listed, detailed, refused to others") {
  auto& env = SigningEnv::get();
  const std::string wuhan = env.wallet_entry(kAdmin)["uscc"];
  const std::string login = confirmed_login(env, "tax", kAdmin);
  const auto get = [&](const std::string& path) { return http("GET", env.url(path), "", bearer(env.token("tax"))); };

  auto r = get("/api/v1/enterprises/" + wuhan + "/seals?login_session=" + login);
  REQUIRE(r.status == 200);
  const auto list = r.as_json();
  CHECK(list["uscc"] == wuhan);
  REQUIRE(list["seals"].size() == 5);
  std::map<std::string, bool> usable;
  for (const auto& s : list["seals"]) {
    CHECK(s["status"] == "valid");
    CHECK(s["valid_from"].is_string());
    CHECK_FALSE(s.contains("impression_png"));  // only in the detail
    usable[s["type"]] = s["usable_by_login_holder"];
  }
  // 李娜, the administrator, may use the company and contract seals only.
  CHECK(usable == std::map<std::string, bool>{{"company", true}, {"contract", true}, {"finance", false},
                                              {"invoice", false}, {"legal_rep", false}});

  const std::string contract = SigningEnv::seal_of(env.wallet(kAdmin), "contract").es_id;
  r = get("/api/v1/seals/" + contract + "?login_session=" + login);
  REQUIRE(r.status == 200);
  const auto detail = r.as_json();
  CHECK(detail["type"] == "contract");
  CHECK(detail["type_label"] == "合同专用章");
  const auto png = trust::base64_decode(detail["impression_png"].get<std::string>());
  REQUIRE(png.size() > 8);
  CHECK(std::string(png.begin(), png.begin() + 8) == "\x89PNG\r\n\x1a\n");

  // Refusals: no login, someone else's enterprise, an unknown login, another enterprise's seal.
  CHECK(get("/api/v1/enterprises/" + wuhan + "/seals").status == 400);
  r = get("/api/v1/enterprises/" + env.wallet_entry(kShenzhen)["uscc"].get<std::string>() + "/seals?login_session=" + login);
  CHECK(r.status == 403);
  CHECK(r.code() == "enterprise_not_verified");
  r = get("/api/v1/enterprises/" + wuhan + "/seals?login_session=nope");
  CHECK(r.status == 422);
  CHECK(r.code() == "unknown_login_session");
  const std::string other_seal = SigningEnv::seal_of(env.wallet(kShenzhen), "company").es_id;
  CHECK(get("/api/v1/seals/" + other_seal + "?login_session=" + login).status == 404);
  CHECK(http("GET", env.url("/api/v1/enterprises/" + wuhan + "/seals?login_session=" + login)).status == 401);
}

TEST_CASE("seals chosen on the relying party's page: only they may sign — unknown or mistyped choices are refused") {
  auto& env = SigningEnv::get();
  const std::string wuhan = env.wallet_entry(kBoss)["uscc"];
  const std::string company = SigningEnv::seal_of(env.wallet(kBoss), "company").es_id;
  const json signer = {{"uscc", wuhan}};
  auto t = env.create_pdf_task("tax", {"company", "contract"}, "any_of",
                               {{"signer", signer}, {"seals", {{"mode", "any_of"}, {"types", {"company", "contract"}}, {"es_ids", {company}}}}});
  CHECK(t["seals"]["es_ids"] == json::array({company}));
  const auto request = env.fetch_request(t["qr_text"]);
  CHECK(request["seals"]["es_ids"] == json::array({company}));
  auto r = env.sign_as(request, env.wallet(kBoss), "contract");  // a seal type the task accepts, but not the chosen seal
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_not_chosen");
  // zhaoyin-wallet offers the chosen seal only.
  CHECK(wallet::usable_seals(env.wallet(kBoss), request).size() == 1);
  r = env.sign_as(request, env.wallet(kBoss), "company");
  CHECK(r.status == 200);

  const auto with_seals = [&](const json& seals, const json& who) {
    return env.create("tax", {{"document", {{"name", "c.pdf"}, {"pdf", b64(sample_pdf())}}}, {"seals", seals}, {"signer", who}});
  };
  r = with_seals({{"types", {"company"}}, {"es_ids", {"ES-NOT-THERE"}}}, signer);
  CHECK(r.status == 422);
  CHECK(r.code() == "unknown_seal");
  r = with_seals({{"types", {"contract"}}, {"es_ids", {company}}}, signer);  // a company seal for a contract task
  CHECK(r.status == 400);
  r = with_seals({{"types", {"company"}}, {"es_ids", {company}}}, json::object());  // no enterprise to look in
  CHECK(r.status == 400);
  r = with_seals({{"types", {"company"}}, {"es_ids", json::array()}}, signer);
  CHECK(r.status == 400);
}

TEST_CASE("the holder's inbox lists the tasks bound to that holder — signed with the license key, refused otherwise") {
  auto& env = SigningEnv::get();
  const std::string login = confirmed_login(env, "tax", kAdmin);
  const auto mine = env.create_pdf_task("tax", {"contract"}, "any_of", {{"signer", {{"login_session", login}}}});
  const auto theirs = env.create_pdf_task("tax", {"company"}, "any_of",
                                          {{"signer", {{"license_serial", env.wallet_entry(kBoss)["cert_serial"]}}}});
  const auto unbound = env.create_pdf_task("tax", {"company"});
  const auto inbox = [&](const json& body) { return http("POST", env.url("/wallet/v1/inbox"), body.dump()); };
  const auto listed = [](const json& reply, const json& task) {
    for (const auto& t : reply["tasks"])
      if (t["request_url"] == task["qr_text"]) return true;
    return false;
  };

  auto r = inbox(wallet::inbox_body(env.wallet(kAdmin), env.url()));
  REQUIRE(r.status == 200);
  auto reply = r.as_json();
  CHECK(reply["license_serial"] == env.wallet_entry(kAdmin)["cert_serial"]);
  CHECK(listed(reply, mine));
  CHECK_FALSE(listed(reply, theirs));
  CHECK_FALSE(listed(reply, unbound));
  for (const auto& t : reply["tasks"]) CHECK(t["relying_party"]["name"].is_string());

  // zhaoyin-wallet inbox prints the same; the request URL is then answered like a scanned code.
  const auto cli = env.wallet_cli(kAdmin, "inbox " + quote(env.url()));
  CHECK(cli.exit_code == 0);
  CHECK(cli.output.find(mine["qr_text"].get<std::string>()) != std::string::npos);
  const auto request = env.fetch_request(mine["qr_text"]);
  REQUIRE(env.sign_as(request, env.wallet(kAdmin), "contract").status == 200);
  CHECK_FALSE(listed(inbox(wallet::inbox_body(env.wallet(kAdmin), env.url())).as_json(), mine));  // signed: gone

  // Refusals: another host's inbox URL, a forged signature, a stale time, a serial that is not the certificate's.
  auto body = wallet::inbox_body(env.wallet(kAdmin), "https://relay.example");
  r = inbox(body);
  CHECK(r.status == 422);
  CHECK(r.code() == "answer_mismatch");
  body = wallet::inbox_body(env.wallet(kAdmin), env.url());
  body["signature"] = wallet::inbox_body(env.wallet(kBoss), env.url())["signature"];
  r = inbox(body);
  CHECK(r.status == 422);
  CHECK(r.code() == "bad_signature");
  auto answer = wallet::inbox_body(env.wallet(kAdmin), env.url())["answer"];
  answer["answered_at"] = "2020-01-01T00:00:00Z";
  r = inbox(env.wallet(kAdmin).signed_answer(answer));
  CHECK(r.status == 422);
  CHECK(r.code() == "clock_skew");
  answer = wallet::inbox_body(env.wallet(kAdmin), env.url())["answer"];
  answer["license_serial"] = env.wallet_entry(kBoss)["cert_serial"];
  r = inbox(env.wallet(kAdmin).signed_answer(answer));
  CHECK(r.status == 422);
  CHECK(r.code() == "answer_mismatch");
  answer["extra"] = 1;
  r = inbox(env.wallet(kAdmin).signed_answer(answer));
  CHECK(r.status == 400);
}
