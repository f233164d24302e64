// Issue 22's items through two hosts on one store behind nginx round-robin
// (docs/DEPLOY.md "Two hosts"): every request through nginx may land on
// either host, and each scenario also sends steps to a host directly so that
// the state is made on one host and continued on the other — a sign task
// created on A, prepared on B and signed on A; the second party of a contract
// on B; the inbox asked on B for a task made on A; a single sign-on session
// opened on A and answered with prompt=none on B; a seal change reported once
// for the cluster; a same-device return token redeemed once across hosts; a
// time-stamped signature verified on the other host. Each with its refusals.
// One cluster per TEST_CASE (ctest runs each case in a process of its own).
#include <catch2/catch.hpp>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/NameValueCollection.h>
#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <zhaoyin/http/form.h>
#include <zhaoyin/ofd/ofd_signing.h>
#include <zhaoyin/sandbox/tsa.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/timestamp.h>
#include <zhaoyin/tsa/tsa_service.h>

#include "callback_receiver.h"
#include "cluster_env.h"
#include "ofd_fixture.h"
#include "signing_env.h"  // sample_pdf(), b64()

using namespace zhaoyin::test;
namespace ofd = zhaoyin::ofd;
namespace trust = zhaoyin::trust;
namespace tsa = zhaoyin::tsa;
namespace wallet = zhaoyin::wallet;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

const char* const kBoss = "张志伟";   // legal representative of the Wuhan company, every seal
const char* const kAdmin = "李娜";    // administrator of the Wuhan company: company and contract seals
const char* const kSecond = "刘洋";   // legal representative of a Henan company: every seal

// nginx in front of two hosts (on one SQLite store unless changed); `args` for every host.
ClusterOptions behind_nginx(std::vector<std::string> args = {}, fs::path sandbox = {}) {
  ClusterOptions o;
  o.front = Front::Nginx;
  o.host_args = std::move(args);
  o.sandbox = std::move(sandbox);
  return o;
}

// The request of a QR text fetched through `base`, its answers posted to
// `answer_base` (the host reached, not the URL the host announced).
json request_via(const std::string& qr_text, const std::string& base) { return fetch_request(ClusterEnv::rebase(qr_text, base)); }
json answering_at(json request, const std::string& answer_base) {
  request["answer_url"] = ClusterEnv::rebase(request["answer_url"], answer_base);
  return request;
}

// The wallet's prepare answered by one host and its final answer taken by
// another: the preparation lives in the store, not in the host that made it.
Reply sign_across(ClusterEnv& env, const json& request, const std::string& holder, const std::string& type,
                  const std::string& prepare_base, const std::string& final_base) {
  const auto w = env.wallet(holder);
  const auto* seal = type == "license" ? nullptr : &seal_of(w, type);
  const auto prepared = post_answer(answering_at(request, prepare_base), wallet::sign_prepare_body(w, request, seal));
  if (prepared.status != 200) return prepared;
  return post_answer(answering_at(request, final_base),
                     wallet::sign_final_body(w, request, seal, prepared.as_json(), sandbox_host_certificate(env.sandbox())));
}

Reply create_task(ClusterEnv& env, const std::string& department, const std::string& base, const json& body) {
  return http("POST", base + "/api/v1/sign-tasks", body.dump(), bearer(env.token(department, base)));
}
json create_task_ok(ClusterEnv& env, const std::string& department, const std::string& base, const json& body) {
  const auto r = create_task(env, department, base, body);
  if (r.status != 201) throw std::runtime_error("create: " + std::to_string(r.status) + " " + r.body);
  return r.as_json();
}
json task_on(ClusterEnv& env, const std::string& department, const std::string& base, const std::string& id) {
  return http("GET", base + "/api/v1/sign-tasks/" + id, "", bearer(env.token(department, base))).as_json();
}
Reply document_on(ClusterEnv& env, const std::string& department, const std::string& base, const std::string& id) {
  return http("GET", base + "/api/v1/sign-tasks/" + id + "/document", "", bearer(env.token(department, base)));
}
json verify_on(ClusterEnv& env, const std::string& base, const json& body) {
  const auto r = http("POST", base + "/api/v1/signatures/verify", body.dump(), bearer(env.token("tax", base)));
  if (r.status != 200) throw std::runtime_error("verify: " + std::to_string(r.status) + " " + r.body);
  return r.as_json();
}

bool inbox_lists(const Reply& r, const json& task) {
  // The parsed body in a variable: a range-for over `r.as_json()["tasks"]`
  // would walk a member of a temporary destroyed before the loop starts.
  const auto body = r.as_json();
  for (const auto& t : body["tasks"])
    if (t["request_url"] == task["qr_text"]) return true;
  return false;
}

}  // namespace

TEST_CASE("two hosts behind nginx: a task bound to a login, its chosen seal, the inbox and the hosted page cross hosts", "[nginx]") {
  ClusterEnv env(behind_nginx());
  const std::string nginx = env.nginx().url(), a = env.host(0).url(), b = env.host(1).url();
  const std::string login = env.confirmed_login("tax", kAdmin, nginx);
  const std::string wuhan = env.wallet_entry(kAdmin)["uscc"];
  const std::string contract = seal_of(env.wallet(kAdmin), "contract").es_id;

  // The relying party's seal choice: the login made through nginx, its seals listed by either host.
  for (const auto& base : {a, b}) {
    const auto seals = http("GET", base + "/api/v1/enterprises/" + wuhan + "/seals?login_session=" + login, "",
                            bearer(env.token("tax", base)));
    INFO(seals.body);
    REQUIRE(seals.status == 200);
    CHECK(seals.as_json()["seals"].size() == 5);
    const auto detail = http("GET", base + "/api/v1/seals/" + contract + "?login_session=" + login, "",
                             bearer(env.token("tax", base)));
    CHECK(detail.status == 200);
    CHECK(detail.as_json()["type"] == "contract");
  }

  // The task is made on A, bound to the login, with the contract seal chosen (of two acceptable types).
  const auto t = create_task_ok(env, "tax", a,
                                {{"document", {{"name", "contract.pdf"}, {"pdf", b64(sample_pdf())}}},
                                 {"seals", {{"mode", "any_of"}, {"types", {"company", "contract"}}, {"es_ids", {contract}}}},
                                 {"signer", {{"login_session", login}}},
                                 {"return_url", "/after/sign?order=42"}});
  const std::string id = t["id"];
  CHECK(t["qr_text"].get<std::string>().rfind(nginx, 0) == 0);
  CHECK(t["page_url"] == nginx + "/sign/" + id);

  // 待签章: B lists it for its holder, for no one else.
  const auto inbox = [&](const std::string& base, const std::string& holder) {
    return http("POST", base + "/wallet/v1/inbox", wallet::inbox_body(env.wallet(holder), nginx).dump());
  };
  auto listed = inbox(b, kAdmin);
  INFO(listed.body);
  REQUIRE(listed.status == 200);
  CHECK(inbox_lists(listed, t));
  CHECK_FALSE(inbox_lists(inbox(b, kBoss), t));
  const auto cli = env.wallet_cli(kAdmin, "inbox " + quote(nginx));
  CHECK(cli.exit_code == 0);
  CHECK(cli.output.find(t["qr_text"].get<std::string>()) != std::string::npos);

  // The hosted page, from nginx; its state from B, then a waiter on A.
  const auto page = http("GET", t["page_url"]);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("合同专用章") != std::string::npos);
  CHECK(http("GET", b + "/sign/" + id + "/state").as_json()["status"] == "pending");
  const auto request = request_via(t["qr_text"], b);  // scanned on B
  auto waiter = std::async(std::launch::async, [&] {
    const auto started = Clock::now();
    auto state = http("GET", a + "/sign/" + id + "/state?wait=25&last=scanned").as_json();
    return std::make_pair(state, Clock::now() - started);
  });
  std::this_thread::sleep_for(300ms);  // the waiter is subscribed (a later change would still be seen)

  // Refusals, each on the other host: another holder of the enterprise; a seal not chosen.
  auto r = sign_across(env, request, kBoss, "contract", a, b);
  CHECK(r.status == 403);
  CHECK(r.code() == "wrong_holder");
  const auto other = env.wallet_cli(kBoss, "scan " + quote(t["qr_text"].get<std::string>()) + " --approve --seal contract");
  CHECK(other.exit_code != 0);
  CHECK(other.output.find("wrong_holder") != std::string::npos);
  r = sign_across(env, request, kAdmin, "company", b, a);
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_not_chosen");

  // The holder's wallet: prepared by B, signed through A.
  r = sign_across(env, request, kAdmin, "contract", b, a);
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto [state, took] = waiter.get();
  CHECK(took < 20s);  // woken by the change, not by its 25-second deadline
  if (state["status"] == "scanned") state = http("GET", a + "/sign/" + id + "/state").as_json();
  INFO(state.dump());
  CHECK(state["status"] == "signed");
  CHECK(state["return_url"] == "/after/sign?order=42");
  CHECK(http("GET", b + "/sign/" + id + "/state").as_json()["return_url"] == "/after/sign?order=42");

  // Done on both hosts, once: gone from the inbox, the answer not taken again.
  CHECK(task_on(env, "tax", b, id)["status"] == "signed");
  CHECK_FALSE(inbox_lists(inbox(a, kAdmin), t));
  const auto again = env.wallet_cli(kAdmin, "scan " + quote(t["qr_text"].get<std::string>()) + " --approve --seal contract");
  CHECK(again.exit_code != 0);
  r = sign_across(env, request, kAdmin, "contract", a, b);
  CHECK(r.status == 409);
  // The PDF from A verifies on B.
  const auto pdf = document_on(env, "tax", a, id);
  REQUIRE(pdf.status == 200);
  const auto report = verify_on(env, b, {{"pdf", b64(pdf.bytes())}});
  REQUIRE(report["signatures"].size() == 1);
  CHECK(report["signatures"][0]["indication"] == "TOTAL_PASSED");
  CHECK(report["signatures"][0]["seal"]["es_id"] == contract);
}

TEST_CASE("two hosts behind nginx: a two-party contract in order (party 2 on host B), a parallel one, and a change between parties refused", "[nginx]") {
  ClusterEnv env(behind_nginx());
  const std::string nginx = env.nginx().url(), a = env.host(0).url(), b = env.host(1).url();
  const std::string first = env.wallet_entry(kBoss)["uscc"], second = env.wallet_entry(kSecond)["uscc"];

  {  // In order: party 1 through nginx, party 2 through host B, refusals on either host.
    const auto t = create_task_ok(
        env, "banking", a,
        {{"document", {{"name", "采购合同.pdf"}, {"pdf", b64(sample_pdf())}}},
         {"parties", {{{"uscc", first}, {"name", "甲方"}, {"seals", {{"mode", "all_of"}, {"types", {"company", "legal_rep"}}}}},
                      {{"uscc", second}, {"name", "乙方"}, {"seals", {{"types", {"company"}}}}}}},
         {"order", "sequential"}});
    const std::string id = t["id"], qr = t["qr_text"];
    auto r = sign_across(env, request_via(qr, b), kSecond, "company", b, b);
    CHECK(r.status == 409);
    CHECK(r.code() == "party_out_of_order");
    // Party 1 (the bank also requires 财务专用章 of every party that seals) through nginx.
    for (const char* type : {"company", "legal_rep", "finance"}) {
      r = sign_across(env, fetch_request(qr), kBoss, type, nginx, nginx);
      INFO(type << ": " << r.body);
      REQUIRE(r.status == 200);
    }
    auto now = task_on(env, "banking", b, id);
    CHECK(now["status"] == "partially_signed");
    CHECK(now["parties"][1]["status"] == "due");
    r = sign_across(env, request_via(qr, a), kAdmin, "company", a, a);
    CHECK(r.status == 409);
    CHECK(r.code() == "party_already_signed");
    // Party 2 entirely on B.
    for (const char* type : {"finance", "legal_rep", "company"}) {
      r = sign_across(env, request_via(qr, b), kSecond, type, b, b);
      INFO(type << ": " << r.body);
      REQUIRE(r.status == 200);
    }
    now = task_on(env, "banking", a, id);
    CHECK(now["status"] == "signed");
    std::vector<std::string> statuses;
    for (const auto& e : now["events"]) statuses.push_back(e["status"]);
    CHECK(std::count(statuses.begin(), statuses.end(), "partially_signed") == 2);
    CHECK(statuses.back() == "signed");
    const auto report = verify_on(env, b, {{"pdf", b64(document_on(env, "banking", a, id).bytes())}});
    REQUIRE(report["signatures"].size() == 6);
    CHECK(report["summary"]["passed"] == 6);
    CHECK(report["signatures"][0]["signer"]["uscc"] == first);
    CHECK(report["signatures"][5]["signer"]["uscc"] == second);
  }

  {  // In parallel: party 2's license signature on B first, then party 1's seals on A.
    const auto t = create_task_ok(env, "banking", nginx,
                                  {{"document", {{"name", "协议.pdf"}, {"pdf", b64(sample_pdf())}}},
                                   {"parties", {{{"uscc", first}, {"seals", {{"types", {"contract"}}}}},
                                                {{"uscc", second}, {"signature", "license"}}}},
                                   {"order", "parallel"}});
    const std::string id = t["id"], qr = t["qr_text"];
    auto r = sign_across(env, request_via(qr, b), kSecond, "license", b, b);
    REQUIRE(r.status == 200);
    CHECK(r.as_json()["status"] == "partially_signed");
    for (const char* type : {"contract", "finance", "legal_rep"}) {
      r = sign_across(env, request_via(qr, a), kBoss, type, a, a);
      INFO(type << ": " << r.body);
      REQUIRE(r.status == 200);
    }
    CHECK(r.as_json()["status"] == "signed");
    const auto report = verify_on(env, a, {{"pdf", b64(document_on(env, "banking", b, id).bytes())}});
    REQUIRE(report["signatures"].size() == 4);
    CHECK(report["signatures"][0]["kind"] == "license");
    CHECK(report["summary"]["passed"] == 4);
  }

  {  // The stored contract edited after party 1 signed on A: party 2 is refused on B with document_modified.
    const auto t = create_task_ok(env, "banking", a,
                                  {{"document", {{"name", "合同.pdf"}, {"pdf", b64(sample_pdf())}}},
                                   {"parties", {{{"uscc", first}, {"signature", "license"}}, {{"uscc", second}, {"signature", "license"}}}}});
    const std::string id = t["id"], qr = t["qr_text"];
    REQUIRE(sign_across(env, request_via(qr, a), kBoss, "license", a, a).status == 200);
    // Someone with access to the shared store puts the unsigned original back.
    const auto db = env.workdir() / "data" / "zhaoyin.db";
    REQUIRE(fs::exists(db));
    const auto sql = run_command("sqlite3 -cmd \".timeout 10000\" " + quote(db.string()) +
                                 " \"UPDATE sign_tasks SET current_document = original WHERE id = '" + id + "'\" 2>&1");
    INFO(sql.output);
    REQUIRE(sql.exit_code == 0);
    const auto r = sign_across(env, request_via(qr, b), kSecond, "license", b, b);
    CHECK(r.status == 409);
    CHECK(r.code() == "document_modified");
    CHECK(task_on(env, "banking", a, id)["status"] == "partially_signed");
  }
}

TEST_CASE("two hosts behind nginx: time-stamped seal, license and OFD signatures made on one host verify on the other, a forged time-stamp is refused there", "[nginx]") {
  tsa::TsaServer tsa(zhaoyin::sandbox::load_tsa_credential(shared_sandbox()), 0);
  ClusterEnv env(behind_nginx({"--set", "signing.timestamp.url=" + tsa.url(), "--set", "http.max_body_bytes=8388608"}));
  const std::string nginx = env.nginx().url(), a = env.host(0).url(), b = env.host(1).url();

  // A seal signature over data: made on A, the SES_Signature downloaded from B, verified on B.
  const std::string data = "order 8001: 12 units";
  auto t = create_task_ok(env, "tax", a, {{"document", {{"data", b64(data)}}}, {"seals", {{"types", {"contract"}}}}});
  REQUIRE(sign_across(env, request_via(t["qr_text"], a), kAdmin, "contract", a, a).status == 200);
  const auto ses = document_on(env, "tax", b, t["id"]).bytes();
  const auto parsed = trust::parse_seal_signature(ses);
  REQUIRE(parsed.timestamp.has_value());
  auto s = verify_on(env, b, {{"data", b64(data)}, {"signature", b64(ses)}})["signatures"][0];
  INFO(s.dump());
  CHECK(s["indication"] == "TOTAL_PASSED");
  CHECK(s["timestamp"]["status"] == "valid");
  CHECK(s["timestamp"]["evidence"]["source"] == "store");  // the evidence A stored, read by B
  CHECK(s["validated_at"]["source"] == "timestamp");

  // Its time-stamp forged (the imprint changed): refused on A.
  auto token = *parsed.timestamp;
  const auto imprint = trust::sm3(parsed.signature);
  const auto at = std::search(token.begin(), token.end(), imprint.begin(), imprint.end());
  REQUIRE(at != token.end());
  *at = static_cast<std::uint8_t>(*at ^ 0x01);
  s = verify_on(env, a, {{"data", b64(data)}, {"signature", b64(trust::with_timestamp(ses, token))}})["signatures"][0];
  CHECK(s["indication"] == "TOTAL_FAILED");
  CHECK(s["code"] == "timestamp_imprint_mismatch");

  // A license signature over business data: made through nginx by the real wallet, verified on A and on B.
  const json order = {{"order", "PO-2026-218"}, {"amount", "12800.00"}};
  t = create_task_ok(env, "tax", b, {{"document", {{"name", "order.json"}, {"json", order}}}, {"signature", "license"}});
  const auto cli = env.wallet_cli(kAdmin, "scan " + quote(t["qr_text"].get<std::string>()) + " --approve");
  INFO(cli.output);
  REQUIRE(cli.exit_code == 0);
  const auto cms = document_on(env, "tax", a, t["id"]).bytes();
  for (const auto& base : {a, b}) {
    s = verify_on(env, base, {{"json", order}, {"signature", b64(cms)}})["signatures"][0];
    CHECK(s["indication"] == "TOTAL_PASSED");
    CHECK(s["kind"] == "license");
    CHECK(s["timestamp"]["status"] == "valid");
  }
  json changed = order;
  changed["amount"] = "92800.00";
  s = verify_on(env, b, {{"json", changed}, {"signature", b64(cms)}})["signatures"][0];
  CHECK(s["code"] == "data_hash_mismatch");

  // An OFD sealed twice, on either host: made on A, first seal through B, second through nginx; verified on B.
  t = create_task_ok(env, "tax", a,
                     {{"document", {{"name", "采购合同.ofd"}, {"ofd", b64(minimal_ofd())}}},
                      {"seals", {{"mode", "all_of"}, {"types", {"contract", "legal_rep"}}}},
                      {"placements", {{"contract", {{"page", 1}, {"x_mm", 30}, {"y_mm", 200}, {"width_mm", 40}, {"height_mm", 40}}},
                                      {"legal_rep", {{"page", 1}, {"x_mm", 120}, {"y_mm", 200}, {"width_mm", 40}, {"height_mm", 40}}}}}});
  REQUIRE(sign_across(env, request_via(t["qr_text"], b), kAdmin, "contract", b, a).status == 200);
  const auto r = sign_across(env, fetch_request(t["qr_text"]), kBoss, "legal_rep", nginx, nginx);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "signed");
  const auto ofd_doc = document_on(env, "tax", a, t["id"]);
  CHECK(ofd_doc.headers.at("Content-Type") == "application/ofd");
  CHECK(ofd::find_signatures(ofd_doc.bytes()).size() == 2);
  const auto report = verify_on(env, b, {{"ofd", b64(ofd_doc.bytes())}});
  INFO(report.dump());
  CHECK(report["summary"]["passed"] == 2);
  for (const auto& sig : report["signatures"]) CHECK(sig["ofd"]["references_intact"] == true);
}

TEST_CASE("two hosts behind nginx: the same-device deep link is answered once and its return token redeemed once across hosts", "[nginx]") {
  ClusterEnv env(behind_nginx());
  const std::string a = env.host(0).url(), b = env.host(1).url();
  const std::string registered = env.app("tax")["redirect_uris"][0];
  const auto created = http("POST", a + "/api/v1/login-sessions",
                            json{{"channel", "app"}, {"same_device", true}, {"return_url", registered}}.dump(),
                            bearer(env.token("tax", a)));
  REQUIRE(created.status == 201);
  const auto s = created.as_json();
  const std::string id = s["id"], link = s["wallet_link"];
  CHECK(link.rfind("zhaoyin-wallet://request?url=", 0) == 0);

  // The wallet opens the link (its request URL is nginx's) and returns with a token.
  const auto answered = env.wallet_cli(kBoss, "scan " + quote(link) + " --approve");
  INFO(answered.output);
  REQUIRE(answered.exit_code == 0);
  const auto brace = answered.output.find('{');
  REQUIRE(brace != std::string::npos);
  const auto reply = json::parse(answered.output.substr(brace, answered.output.rfind('}') - brace + 1));
  const std::string back = reply["return_url"];
  std::string token;
  for (const auto& [k, v] : zhaoyin::http::parse_form(back.substr(back.find('?') + 1)))
    if (k == "return_token") token = v;
  REQUIRE_FALSE(token.empty());

  // The relying party's server redeems it on both hosts at once: one 200, one 409.
  const std::string body = json{{"return_token", token}}.dump();
  std::promise<void> go;
  auto start = go.get_future().share();
  auto redeem = [&](const std::string& base) {
    return std::async(std::launch::async, [&, base] {
      start.wait();
      return http("POST", base + "/api/v1/login-sessions/" + id + "/return", body, bearer(env.token("tax", base)));
    });
  };
  auto on_a = redeem(a);
  auto on_b = redeem(b);
  go.set_value();
  const auto ra = on_a.get(), rb = on_b.get();
  INFO(ra.status << " " << ra.body << "\n" << rb.status << " " << rb.body);
  CHECK(((ra.status == 200) + (rb.status == 200)) == 1);
  const auto& refused = ra.status == 200 ? rb : ra;
  CHECK(refused.status == 409);
  CHECK(refused.code() == "return_token_used");
  const auto& redeemed = ra.status == 200 ? ra : rb;
  CHECK(redeemed.as_json()["subject"]["holder"]["name"] == kBoss);

  // Replays: the token on either host again, the deep link again through nginx.
  for (const auto& base : {a, b}) {
    const auto replay = http("POST", base + "/api/v1/login-sessions/" + id + "/return", body, bearer(env.token("tax", base)));
    CHECK(replay.code() == "return_token_used");
  }
  const auto relink = env.wallet_cli(kBoss, "scan " + quote(link) + " --approve");
  CHECK(relink.exit_code != 0);
  CHECK(relink.output.find("already_answered") != std::string::npos);
  // A channel the application is not approved for is refused on B too.
  const auto not_approved = http("POST", b + "/api/v1/login-sessions",
                                 json{{"channel", "wechat_mini"}, {"same_device", true}, {"return_url", registered}}.dump(),
                                 bearer(env.token("tax", b)));
  CHECK(not_approved.code() == "channel_not_approved");
}

TEST_CASE("two hosts behind nginx: a seal replaced and another revoked are each reported by one signed callback for the cluster", "[nginx]") {
  TempDir dir("zhaoyin-cluster-seal-watch");
  const auto sandbox = copy_sandbox(dir);  // its seals are replaced here
  ClusterEnv env(behind_nginx({"--set", "callbacks.allow_http=true", "--set", "callbacks.allow=127.0.0.1/32", "--set",
                               "authority.seal_feed_seconds=1", "--set", "authority.refresh_seconds=1"},
                              sandbox));
  const std::string nginx = env.nginx().url(), a = env.host(0).url(), b = env.host(1).url();
  CallbackReceiver receiver;
  const std::string login = env.confirmed_login("tax", kAdmin, nginx);
  const std::string contract = seal_of(env.wallet(kAdmin), "contract").es_id;
  const std::string company = seal_of(env.wallet(kAdmin), "company").es_id;
  const auto watch = [&](const std::string& base, const std::string& es_id) {
    return http("PUT", base + "/api/v1/seals/" + es_id + "/watch?login_session=" + login,
                json{{"callback_url", receiver.url("/hooks/seals")}}.dump(), bearer(env.token("tax", base)));
  };
  REQUIRE(watch(a, contract).status == 201);
  REQUIRE(watch(b, company).status == 201);
  CHECK(watch(b, contract).status == 200);  // A's watch, replaced on B
  const auto list = http("GET", nginx + "/api/v1/seal-watches", "", bearer(env.token("tax", nginx)));
  CHECK(list.as_json()["watches"].size() == 2);
  // Another application cannot use this login to watch.
  const auto refused = http("PUT", a + "/api/v1/seals/" + contract + "/watch?login_session=" + login,
                            json{{"callback_url", receiver.url("/hooks/seals")}}.dump(), bearer(env.token("banking", a)));
  CHECK(refused.code() == "unknown_login_session");

  // Both hosts read the feed every second; each change is queued and sent once.
  const auto authority = [&](const std::string& command) {
    const auto r = run_command(quote(bin("zhaoyin")) + " authority " + command + " " + quote(sandbox.string()) + " " +
                               (command == "replace-seal" ? contract : company));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
  };
  authority("replace-seal");
  REQUIRE(receiver.wait_accepted(1));
  authority("revoke-seal");
  REQUIRE(receiver.wait_accepted(2));
  // A second report of the replacement would have been queued with the first
  // (the same feed page) and sent before the revocation's.
  const auto calls = receiver.accepted();
  std::map<std::string, int> per_seal;
  for (const auto& c : calls) {
    const auto body = json::parse(c.body);
    CHECK(body["event"] == "seal.changed");
    CHECK(body["watch"]["login_session"] == login);
    ++per_seal[body["es_id"].get<std::string>() + " " + body["change"].get<std::string>()];
  }
  CHECK(per_seal == std::map<std::string, int>{{contract + " replaced", 1}, {company + " revoked", 1}});
  CHECK(calls.size() == 2);
  // The hosts' logs agree: two callbacks queued in all, whichever host read the feed first.
  std::size_t queued = 0;
  for (std::size_t h = 0; h < env.size(); ++h) {
    const auto log = env.host(h).log();
    for (auto at = log.find("seal-change callbacks queued"); at != std::string::npos;
         at = log.find("seal-change callbacks queued", at + 1)) {
      const auto n = log.find("\"callbacks\":", at);
      queued += std::stoul(log.substr(n + 12));
    }
  }
  CHECK(queued == 2);
}

namespace {

// One browser: a cookie jar, no redirects followed (the test follows them,
// choosing the host each step reaches).
class Browser {
 public:
  struct Page {
    int status = 0;
    std::string location;  // absolute
    std::string body;
  };

  Page get(const std::string& url) {
    const Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(120, 0));
    Poco::Net::HTTPRequest request("GET", uri.getPathAndQuery(), Poco::Net::HTTPMessage::HTTP_1_1);
    Poco::Net::NameValueCollection jar;
    for (const auto& [name, value] : cookies) jar.add(name, value);
    if (!jar.empty()) request.setCookies(jar);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    Page page;
    page.status = static_cast<int>(response.getStatus());
    Poco::StreamCopier::copyToString(in, page.body);
    std::vector<Poco::Net::HTTPCookie> set;
    response.getCookies(set);
    for (const auto& c : set) {
      if (c.getMaxAge() == 0 || c.getValue().empty()) cookies.erase(c.getName());
      else cookies[c.getName()] = c.getValue();
    }
    page.location = response.get("Location", "");
    if (page.location.rfind("/", 0) == 0) page.location = uri.getScheme() + "://" + uri.getAuthority() + page.location;
    return page;
  }

  std::map<std::string, std::string> cookies;
};

// RFC 7636 Appendix B's verifier and its S256 challenge.
const std::string kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const std::string kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

std::string query_value(const std::string& url, const std::string& name) {
  const auto q = url.find('?');
  if (q == std::string::npos) return "";
  for (const auto& [k, v] : zhaoyin::http::parse_form(url.substr(q + 1)))
    if (k == name) return v;
  return "";
}

std::string unescape_html(std::string s) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&#x27;", "'"}, {"&amp;", "&"}})
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

// The value of the HTML attribute `name` (its first occurrence), unescaped.
std::string attribute(const std::string& html, const std::string& name) {
  const auto at = html.find(name + "=\"");
  if (at == std::string::npos) return "";
  const auto from = at + name.size() + 2;
  return unescape_html(html.substr(from, html.find('"', from) - from));
}

json jwt_part(const std::string& jwt, int index) {
  const auto first = jwt.find('.'), second = jwt.find('.', first + 1);
  const std::string part = index == 0 ? jwt.substr(0, first) : jwt.substr(first + 1, second - first - 1);
  const auto bytes = trust::base64url_decode(part);
  return json::parse(std::string(bytes.begin(), bytes.end()));
}

struct OidcClient {
  ClusterEnv& env;
  std::string department;

  const json& app() const { return env.app(department); }
  std::string redirect_uri() const {
    for (const auto& u : app()["redirect_uris"])
      if (u.get<std::string>().rfind("http://127.0.0.1", 0) == 0) return u;
    throw std::runtime_error("no loopback redirect URI for " + department);
  }
  std::string authorize_url(const std::string& base, const std::string& extra = "") const {
    return base + "/oidc/authorize?client_id=" + zhaoyin::http::form_encode(app()["client_id"].get<std::string>()) +
           "&redirect_uri=" + zhaoyin::http::form_encode(redirect_uri()) +
           "&response_type=code&scope=openid%20profile&state=st-1&nonce=n-1&code_challenge=" + kChallenge +
           "&code_challenge_method=S256" + extra;
  }
  // The code of a redirect back to this client, exchanged on `base`: the token response.
  json exchange(const std::string& location, const std::string& base) const {
    REQUIRE(location.rfind(redirect_uri() + "?", 0) == 0);
    const std::string code = query_value(location, "code");
    REQUIRE_FALSE(code.empty());
    const auto r = zhaoyin::test::http(
        "POST", base + "/oidc/token",
        "grant_type=authorization_code&code=" + zhaoyin::http::form_encode(code) + "&redirect_uri=" + zhaoyin::http::form_encode(redirect_uri()) +
            "&code_verifier=" + kVerifier + "&client_id=" + zhaoyin::http::form_encode(app()["client_id"].get<std::string>()) +
            "&client_secret=" + zhaoyin::http::form_encode(app()["client_secret"].get<std::string>()),
        {{"Content-Type", "application/x-www-form-urlencoded"}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    return r.as_json();
  }
};

std::set<std::string> jwks_kids(const std::string& base) {
  std::set<std::string> kids;
  const auto jwks = zhaoyin::test::http("GET", base + "/oidc/jwks").as_json();  // kept: see inbox_lists
  for (const auto& k : jwks["keys"]) kids.insert(k["kid"].get<std::string>());
  return kids;
}

}  // namespace

// On PostgreSQL: each host has a data folder of its own, as in docs/DEPLOY.md.
TEST_CASE("two hosts behind nginx on PostgreSQL: single sign-on opened on host A answers prompt=none on host B, one ID-token key, logout across hosts", "[nginx][postgresql][sso]") {
  auto options = behind_nginx({"--set", "oidc.sso.enabled=true"});
  options.store = SharedStore::Postgresql;
  ClusterEnv env(options);
  const std::string nginx = env.nginx().url(), a = env.host(0).url(), b = env.host(1).url();
  const OidcClient tax{env, "tax"}, bank{env, "banking"};
  Browser browser;

  // The tax bureau's authorization on A: no session yet, the QR page.
  auto page = browser.get(tax.authorize_url(a));
  REQUIRE(page.status == 302);
  REQUIRE(page.location.find("/login/") != std::string::npos);
  const auto login_page = browser.get(page.location.substr(0, page.location.find('#')));  // through nginx
  REQUIRE(login_page.status == 200);
  const std::string qr_text = attribute(login_page.body, "data-qr-text");
  const std::string return_url = attribute(login_page.body, "data-return-url");
  REQUIRE_FALSE(qr_text.empty());
  REQUIRE_FALSE(return_url.empty());
  const auto scan = env.wallet_cli(kBoss, "scan " + quote(qr_text) + " --approve");  // through nginx
  INFO(scan.output);
  REQUIRE(scan.exit_code == 0);
  // Back on A: the code and the provider session's cookie.
  page = browser.get(ClusterEnv::rebase(return_url.rfind("/", 0) == 0 ? nginx + return_url : return_url, a));
  REQUIRE(page.status == 302);
  REQUIRE(browser.cookies.count("zhaoyin_sso") == 1);
  const auto tax_tokens = tax.exchange(page.location, b);  // the code made on A, exchanged on B
  const auto tax_claims = jwt_part(tax_tokens["id_token"], 1);
  CHECK(tax_claims["uscc"] == env.wallet_entry(kBoss)["uscc"]);

  // The bank, same browser, prompt=none on B: a code without a scan.
  page = browser.get(bank.authorize_url(b, "&prompt=none"));
  REQUIRE(page.status == 302);
  INFO(page.location);
  const auto bank_tokens = bank.exchange(page.location, a);
  const auto bank_claims = jwt_part(bank_tokens["id_token"], 1);
  CHECK(bank_claims["sub"] == tax_claims["sub"]);
  CHECK(bank_claims["auth_time"] == tax_claims["auth_time"]);
  CHECK(bank_claims["iss"] == nginx);

  // Every host publishes the key every host signs with: an ID token from
  // either verifies with the JWKS a relying party fetched through nginx.
  const auto kids_a = jwks_kids(a), kids_b = jwks_kids(b);
  CHECK(kids_a == kids_b);
  for (const auto& tokens : {tax_tokens, bank_tokens}) {
    const std::string kid = jwt_part(tokens["id_token"], 0)["kid"];
    CHECK(kids_a.count(kid) == 1);
    CHECK(kids_b.count(kid) == 1);
  }

  // Refusals on either host: another browser, a forged cookie.
  for (const auto& base : {a, b}) {
    Browser stranger;
    page = stranger.get(bank.authorize_url(base, "&prompt=none"));
    CHECK(query_value(page.location, "error") == "login_required");
    stranger.cookies["zhaoyin_sso"] = browser.cookies["zhaoyin_sso"].substr(0, browser.cookies["zhaoyin_sso"].size() - 2) + "AA";
    page = stranger.get(bank.authorize_url(base, "&prompt=none"));
    CHECK(query_value(page.location, "error") == "login_required");
  }

  // Logout on A with the ID token B issued (its key is A's too); the old cookie then opens nothing on B.
  const std::string cookie_before = browser.cookies["zhaoyin_sso"];
  page = browser.get(a + "/oidc/logout?id_token_hint=" + tax_tokens["id_token"].get<std::string>() +
                     "&post_logout_redirect_uri=" + zhaoyin::http::form_encode(tax.redirect_uri()) + "&state=bye");
  INFO(page.body);
  CHECK(page.status == 302);
  CHECK(page.location == tax.redirect_uri() + "?state=bye");
  CHECK(browser.cookies.count("zhaoyin_sso") == 0);
  Browser replay;
  replay.cookies["zhaoyin_sso"] = cookie_before;
  page = replay.get(tax.authorize_url(b, "&prompt=none"));
  CHECK(query_value(page.location, "error") == "login_required");
}
