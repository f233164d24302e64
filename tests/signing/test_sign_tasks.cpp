// Sign tasks over HTTP against the real host: creation and its refusals, the
// wallet's two steps, states, long-poll, SSE, QR images, cancel, documents,
// all-of tasks, business data, seal usage records and the wallet command line.
#include <catch2/catch.hpp>
#include <thread>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>

#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {
const char* const kBoss = "张志伟";    // legal representative, every seal
const char* const kAdmin = "李娜";     // administrator: company and contract seals
const char* const kAgent = "王强";     // agent, precise grant (发票申领, 参保登记): invoice seal
}  // namespace

TEST_CASE("a PDF sign task is created with its QR / document facts and links") {
  auto& env = SigningEnv::get();
  const auto pdf = sample_pdf(3);
  const auto r = env.create("tax", {{"document", {{"name", "合同.pdf"}, {"pdf", b64(pdf)}}},
                                    {"seals", {{"mode", "any_of"}, {"types", {"contract", "合同专用章"}}}},
                                    {"placement", {{"page", 3}, {"x_mm", 120}, {"y_mm", 200}}},
                                    {"matter", "电子政务/税务/发票申领"},
                                    {"ttl", 300}});
  REQUIRE(r.status == 201);
  const auto t = r.as_json();
  CHECK(t["status"] == "pending");
  CHECK(t["document"]["pages"] == 3);
  CHECK(t["document"]["name"] == "合同.pdf");
  CHECK(t["document"]["sm3"] == trust::hex_encode(trust::sm3(pdf)));
  CHECK(t["seals"]["types"] == json::array({"contract"}));
  CHECK(t["qr_text"].get<std::string>().find("/wallet/v1/requests/") != std::string::npos);
  CHECK(r.headers.at("Location") == "/api/v1/sign-tasks/" + t["id"].get<std::string>());
  const auto png = http("GET", t["qr_png_url"].get<std::string>());
  CHECK(png.status == 200);
  CHECK(png.body.substr(1, 3) == "PNG");
  const auto svg = http("GET", t["qr_svg_url"].get<std::string>());
  CHECK(svg.status == 200);
  CHECK(svg.body.find("<svg") != std::string::npos);
  // Another application does not see it.
  CHECK(env.get_task("banking", t["id"]).status == 404);
}

TEST_CASE("creating a sign task is refused without the signature scope / for bad documents and off-page placements") {
  auto& env = SigningEnv::get();
  const json seals = {{"types", {"contract"}}};
  // social_insurance is not approved for e-signature: its token has no "signature" scope.
  auto r = env.create("social_insurance", {{"document", {{"pdf", b64(sample_pdf())}}}, {"seals", seals}});
  CHECK(r.status == 403);
  CHECK(r.code() == "insufficient_scope");

  r = env.create("tax", {{"document", {{"pdf", b64("this is not a PDF at all")}}}, {"seals", seals}});
  CHECK(r.status == 422);
  CHECK(r.code() == "malformed_pdf");

  auto broken = sample_pdf();
  broken.resize(broken.size() / 2);
  r = env.create("tax", {{"document", {{"pdf", b64(broken)}}}, {"seals", seals}});
  CHECK(r.status == 422);
  CHECK(r.code() == "malformed_pdf");

  TempDir dir("signing-encrypted");
  write_file(dir.path() / "plain.pdf", trust::to_string(sample_pdf()));
  const auto enc = run_command("qpdf --encrypt user owner 256 -- " + quote((dir.path() / "plain.pdf").string()) + " " +
                               quote((dir.path() / "enc.pdf").string()));
  REQUIRE(enc.exit_code == 0);
  r = env.create("tax", {{"document", {{"pdf", b64(read_file(dir.path() / "enc.pdf"))}}}, {"seals", seals}});
  CHECK(r.status == 422);
  CHECK(r.code() == "encrypted_pdf");

  r = env.create("tax", {{"document", {{"pdf", b64(sample_pdf(2))}}}, {"seals", seals},
                         {"placement", {{"page", 3}, {"x_mm", 10}, {"y_mm", 10}}}});
  CHECK(r.status == 422);
  CHECK(r.code() == "placement_off_page");
  r = env.create("tax", {{"document", {{"pdf", b64(sample_pdf(2))}}}, {"seals", seals},
                         {"placements", {{"contract", {{"page", 1}, {"x_mm", 190}, {"y_mm", 10}}}}}});
  CHECK(r.status == 422);
  CHECK(r.code() == "placement_off_page");

  r = env.create("tax", {{"document", {{"pdf", b64(sample_pdf())}}}, {"seals", {{"types", {"round_stamp"}}}}});
  CHECK(r.status == 400);
  CHECK(r.code() == "invalid_request");
  r = env.create("tax", {{"document", {{"pdf", b64(sample_pdf())}}}, {"seals", seals}, {"matter", "电子政务/不动产/转移登记"}});
  CHECK(r.status == 403);
  CHECK(r.code() == "matter_not_approved");
}

TEST_CASE("a holder signs a PDF: scanned / prepared / signed - the document carries a valid seal signature") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"matter", "电子政务/税务"}});
  const std::string id = t["id"];
  const auto request = env.fetch_request(t["qr_text"]);
  CHECK(request["type"] == "sign");
  CHECK(request["document"]["pages"] == 2);
  CHECK(request["document"]["sm3"] == t["document"]["sm3"]);
  CHECK(request["seals"]["accepted"][0]["type"] == "contract");
  CHECK(request["seals"]["accepted"][0]["label"] == "合同专用章");
  CHECK(request["matter"] == "电子政务/税务");
  CHECK(request["relying_party"]["client_id"] == env.app("tax")["client_id"]);
  CHECK(env.get_task("tax", id).as_json()["status"] == "scanned");

  const auto w = env.wallet(kAdmin);
  const auto& seal = SigningEnv::seal_of(w, "contract");
  const auto prepared = env.post_answer(request, wallet::sign_prepare_body(w, request, seal));
  REQUIRE(prepared.status == 200);
  const auto p = prepared.as_json();
  CHECK(p["prepared"]["seal"]["es_id"] == seal.es_id);
  CHECK(p["prepared"]["data_hash"].get<std::string>().size() == 64);
  const auto signed_reply = env.post_answer(request, wallet::sign_final_body(w, request, seal, p, env.host_certificate()));
  REQUIRE(signed_reply.status == 200);
  CHECK(signed_reply.as_json()["status"] == "signed");

  const auto task = env.get_task("tax", id).as_json();
  CHECK(task["status"] == "signed");
  REQUIRE(task["signatures"].size() == 1);
  CHECK(task["signatures"][0]["es_id"] == seal.es_id);
  CHECK(task["signatures"][0]["holder_name"] == kAdmin);
  std::vector<std::string> statuses;
  for (const auto& e : task["events"]) statuses.push_back(e["status"]);
  CHECK(statuses == std::vector<std::string>{"pending", "scanned", "signed"});

  const auto signed_pdf = env.document("tax", id);
  CHECK(std::string(signed_pdf.begin(), signed_pdf.begin() + 5) == "%PDF-");
  const auto report = env.verify_pdf("tax", signed_pdf);
  REQUIRE(report["signatures"].size() == 1);
  const auto& s = report["signatures"][0];
  CHECK(s["indication"] == "TOTAL_PASSED");
  CHECK(s["seal"]["es_id"] == seal.es_id);
  CHECK(s["seal"]["type"] == "contract");
  CHECK(s["seal"]["maker"]["signature_valid"] == true);
  CHECK(s["signer"]["uscc"] == "91420100YULA38GUXF");
  CHECK(s["signer"]["revocation"]["status"] == "good");
  CHECK(s["coverage"]["whole_document"] == true);
  CHECK(s["data_integrity"]["intact"] == true);

  // The detached SES_Signature of the same signature.
  const auto ses = env.document("tax", id, "?signature=1");
  const auto parsed = trust::parse_seal_signature(ses);
  CHECK(parsed.seal.info.es_id == seal.es_id);
  CHECK(parsed.signer_cert.serial_hex() == w.license_serial());
}

TEST_CASE("a task answered twice is refused with already_answered") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"});
  const auto request = env.fetch_request(t["qr_text"]);
  const auto w = env.wallet(kBoss);
  const auto& seal = SigningEnv::seal_of(w, "contract");
  const auto prepared = env.post_answer(request, wallet::sign_prepare_body(w, request, seal));
  REQUIRE(prepared.status == 200);
  const auto final_body = wallet::sign_final_body(w, request, seal, prepared.as_json(), env.host_certificate());
  REQUIRE(env.post_answer(request, final_body).status == 200);
  auto again = env.post_answer(request, final_body);
  CHECK(again.status == 409);
  CHECK(again.code() == "already_answered");
  again = env.post_answer(request, wallet::sign_prepare_body(w, request, seal));
  CHECK(again.status == 409);
  CHECK(again.code() == "already_answered");
  const auto fetch = http("GET", t["qr_text"].get<std::string>());
  CHECK(fetch.status == 409);
  CHECK(fetch.code() == "already_answered");
}

TEST_CASE("an all-of task stays partially_signed until every seal type has signed - both signatures stay valid") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract", "legal_rep"}, "all_of",
                                     {{"placements", {{"contract", {{"page", 2}, {"x_mm", 30}, {"y_mm", 150}}},
                                                      {"legal_rep", {{"page", 2}, {"x_mm", 120}, {"y_mm", 150}, {"width_mm", 30}, {"height_mm", 30}}}}}});
  const std::string id = t["id"];
  auto r = env.sign_task(t, kAdmin, "contract");
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "partially_signed");
  CHECK(r.as_json()["seals_due"] == json::array({"legal_rep"}));
  CHECK(env.get_task("tax", id).as_json()["status"] == "partially_signed");

  // The contract seal cannot sign twice: only legal_rep is accepted now.
  const auto request = env.fetch_request(t["qr_text"]);
  CHECK(request["seals"]["accepted"].size() == 1);
  CHECK(request["seals"]["accepted"][0]["type"] == "legal_rep");
  r = env.sign_as(request, env.wallet(kBoss), "contract");
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_type_not_accepted");

  r = env.sign_as(request, env.wallet(kBoss), "legal_rep");
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "signed");

  const auto pdf = env.document("tax", id);
  const auto report = env.verify_pdf("tax", pdf);
  REQUIRE(report["signatures"].size() == 2);
  CHECK(report["summary"]["passed"] == 2);
  CHECK(report["signatures"][0]["coverage"]["whole_document"] == false);
  CHECK(report["signatures"][0]["coverage"]["covers"] == "revision_then_later_signatures");
  CHECK(report["signatures"][1]["coverage"]["whole_document"] == true);
  CHECK(report["signatures"][0]["seal"]["type"] == "contract");
  CHECK(report["signatures"][1]["seal"]["type"] == "legal_rep");
  CHECK(report["signatures"][1]["page"] == 2);
}

TEST_CASE("business data is signed with a detached SES_Signature over its SM3") {
  auto& env = SigningEnv::get();
  const json data = {{"invoice", "No. 2026-0042"}, {"amount", "1200.00"}, {"currency", "CNY"}};
  const auto t = env.create_ok("tax", {{"document", {{"name", "发票申领单"}, {"json", data}}}, {"seals", {{"types", {"invoice"}}}},
                                       {"matter", "电子政务/税务/发票申领"}});
  CHECK(t["document"]["kind"] == "data");
  const auto r = env.sign_task(t, kAgent, "invoice");
  REQUIRE(r.status == 200);
  const auto ses = env.document("tax", t["id"]);
  const auto parsed = trust::parse_seal_signature(ses);
  CHECK(parsed.data_hash == trust::sm3(protocol::canonical_json(data)));

  const auto v = http("POST", env.url("/api/v1/signatures/verify"), json{{"json", data}, {"signature", b64(ses)}}.dump(),
                      bearer(env.token("tax")));
  REQUIRE(v.status == 200);
  CHECK(v.as_json()["signatures"][0]["indication"] == "TOTAL_PASSED");
  // The same signature over other data fails on integrity.
  const auto other = http("POST", env.url("/api/v1/signatures/verify"),
                          json{{"json", {{"invoice", "No. 2026-0043"}}}, {"signature", b64(ses)}}.dump(), bearer(env.token("tax")));
  REQUIRE(other.status == 200);
  CHECK(other.as_json()["signatures"][0]["indication"] == "TOTAL_FAILED");
  CHECK(other.as_json()["signatures"][0]["sub_indication"] == "HASH_FAILURE");
}

TEST_CASE("long-poll wakes on the change / SSE streams every state / DELETE cancels / reject is recorded") {
  auto& env = SigningEnv::get();
  auto t = env.create_pdf_task("tax", {"contract"});
  const std::string id = t["id"];
  std::thread scanner([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    env.fetch_request(t["qr_text"]);
  });
  const auto polled = env.get_task("tax", id, "?wait=20&last=pending").as_json();
  scanner.join();
  CHECK(polled["status"] == "scanned");

  const auto cancelled = http("DELETE", env.url("/api/v1/sign-tasks/" + id), "", bearer(env.token("tax")));
  CHECK(cancelled.status == 200);
  CHECK(cancelled.as_json()["status"] == "cancelled");
  const auto twice = http("DELETE", env.url("/api/v1/sign-tasks/" + id), "", bearer(env.token("tax")));
  CHECK(twice.status == 409);
  CHECK(twice.code() == "already_final");
  const auto events = http("GET", env.url("/api/v1/sign-tasks/" + id + "/events"), "", bearer(env.token("tax")));
  CHECK(events.status == 200);
  CHECK(events.body.find("\"status\":\"pending\"") != std::string::npos);
  CHECK(events.body.find("\"status\":\"scanned\"") != std::string::npos);
  CHECK(events.body.find("\"status\":\"cancelled\"") != std::string::npos);

  // A holder rejects on the phone.
  t = env.create_pdf_task("tax", {"contract"});
  const auto request = env.fetch_request(t["qr_text"]);
  const auto w = env.wallet(kAdmin);
  const auto r = env.post_answer(request, wallet::sign_reject_body(w, request));
  REQUIRE(r.status == 200);
  CHECK(env.get_task("tax", t["id"]).as_json()["status"] == "rejected");
  const auto doc = http("GET", env.url("/api/v1/sign-tasks/" + t["id"].get<std::string>() + "/document"), "", bearer(env.token("tax")));
  CHECK(doc.status == 409);
  CHECK(doc.code() == "not_signed");
}

TEST_CASE("an expired task refuses the wallet with task_expired") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"ttl", 30}});
  const auto request = env.fetch_request(t["qr_text"]);
  const auto polled = env.get_task("tax", t["id"], "?wait=30&last=scanned").as_json();
  const auto later = polled["status"] == "expired" ? polled : env.get_task("tax", t["id"], "?wait=30&last=scanned").as_json();
  REQUIRE(later["status"] == "expired");
  const auto r = env.sign_as(request, env.wallet(kAdmin), "contract");
  CHECK(r.status == 410);
  CHECK(r.code() == "task_expired");
}

TEST_CASE("seal usage lists every signature for the application that asked / and nothing for another") {
  auto& env = SigningEnv::get();
  const auto w = env.wallet(kAdmin);
  const std::string es_id = SigningEnv::seal_of(w, "company").es_id;
  const auto t = env.create_pdf_task("tax", {"company"});
  REQUIRE(env.sign_task(t, kAdmin, "company").status == 200);
  const auto r = http("GET", env.url("/api/v1/seals/" + es_id + "/usage"), "", bearer(env.token("tax")));
  REQUIRE(r.status == 200);
  const auto records = r.as_json()["records"];
  REQUIRE(!records.empty());
  bool found = false;
  for (const auto& rec : records) {
    CHECK(rec["es_id"] == es_id);
    CHECK(rec["relying_party"] == env.app("tax")["client_id"]);
    if (rec["task_id"] == t["id"]) {
      found = true;
      CHECK(rec["holder"]["name"] == kAdmin);
      CHECK(rec["document"]["sm3"] == t["document"]["sm3"]);
      CHECK(rec["uscc"] == "91420100YULA38GUXF");
    }
  }
  CHECK(found);
  const auto other = http("GET", env.url("/api/v1/seals/" + es_id + "/usage"), "", bearer(env.token("banking")));
  REQUIRE(other.status == 200);
  CHECK(other.as_json()["records"].empty());
}

TEST_CASE("zhaoyin-wallet scan --approve --seal signs - a seal it cannot use is a clear error - --reject declines") {
  auto& env = SigningEnv::get();
  auto t = env.create_pdf_task("tax", {"contract", "company"});
  // 王强 may use only the invoice seal.
  auto r = env.wallet_cli(kAgent, "scan " + quote(t["qr_text"]) + " --approve --seal contract");
  CHECK(r.exit_code == 4);
  CHECK(r.output.find("no_usable_seal") != std::string::npos);
  // 李娜 may use contract but not finance; the task does not accept finance anyway.
  r = env.wallet_cli(kAdmin, "scan " + quote(t["qr_text"]) + " --approve --seal finance");
  CHECK(r.exit_code == 4);
  r = env.wallet_cli(kAdmin, "scan " + quote(t["qr_text"]));
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("\"usable_seals\"") != std::string::npos);
  r = env.wallet_cli(kAdmin, "scan " + quote(t["qr_text"]) + " --approve --seal contract");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(env.get_task("tax", t["id"]).as_json()["status"] == "signed");

  // The QR image, as a phone camera would read it.
  t = env.create_pdf_task("tax", {"contract"});
  TempDir dir("signing-qr");
  const auto png = http("GET", t["qr_png_url"].get<std::string>());
  REQUIRE(png.status == 200);
  write_file(dir.path() / "qr.png", png.body);
  r = env.wallet_cli(kAdmin, "scan --image " + quote((dir.path() / "qr.png").string()) + " --approve --seal contract");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(env.get_task("tax", t["id"]).as_json()["status"] == "signed");

  t = env.create_pdf_task("tax", {"contract"});
  r = env.wallet_cli(kAdmin, "scan " + quote(t["qr_text"]) + " --reject");
  CHECK(r.exit_code == 0);
  CHECK(env.get_task("tax", t["id"]).as_json()["status"] == "rejected");
}

TEST_CASE("the demo signs the sample contract end to end with the wallet command it shows") {
  auto& env = SigningEnv::get();
  const auto start = http("GET", env.url("/demo/sign"));
  REQUIRE(start.status == 303);
  const std::string page_path = start.headers.at("Location");
  CHECK(page_path.rfind("/demo/sign/", 0) == 0);
  const auto page = http("GET", env.url(page_path));
  REQUIRE(page.status == 200);
  CHECK(page.body.find("Sandbox") != std::string::npos);
  CHECK(page.body.find("/qr.png") != std::string::npos);
  // The command line the page shows, unescaped.
  const auto from = page.body.find("<pre id=\"command\">");
  REQUIRE(from != std::string::npos);
  std::string command = page.body.substr(from + 18, page.body.find("</pre>", from) - from - 18);
  for (const auto& [entity, text] : std::vector<std::pair<std::string, std::string>>{{"&#39;", "'"}, {"&amp;", "&"}}) {
    for (auto at = command.find(entity); at != std::string::npos; at = command.find(entity)) command.replace(at, entity.size(), text);
  }
  command = command.substr(0, command.find('\n'));  // one line per seal to sign; the tax demo needs one
  REQUIRE(command.rfind("zhaoyin-wallet ", 0) == 0);
  const auto r = run_command(quote(bin("zhaoyin-wallet")) + command.substr(std::string("zhaoyin-wallet").size()));
  INFO(command << "\n" << r.output);
  REQUIRE(r.exit_code == 0);
  const std::string id = page_path.substr(std::string("/demo/sign/").size());
  const auto state = http("GET", env.url("/demo/sign/" + id + "/state")).as_json();
  CHECK(state["status"] == "signed");
  const auto doc = http("GET", env.url("/demo/sign/" + id + "/document"));
  REQUIRE(doc.status == 200);
  CHECK(doc.headers.at("Content-Type") == "application/pdf");
  const auto report = env.verify_pdf("tax", doc.bytes());
  REQUIRE(report["signatures"].size() == 1);
  CHECK(report["signatures"][0]["indication"] == "TOTAL_PASSED");
  CHECK(report["signatures"][0]["page"] == 2);
  // A relying party's own task is not shown by the demo pages.
  const auto t = env.create_pdf_task("tax", {"contract"});
  CHECK(http("GET", env.url("/demo/sign/" + t["id"].get<std::string>())).status == 404);
}

TEST_CASE("seal types an extension requires at sign_task_created are added as all-of requirements") {
  // A host that runs the integrators' scripts: the tax bureau's etax_hall.lua
  // requires the invoice seal for 发票申领 tasks.
  SigningEnv env(shared_sandbox(), {"--set", std::string("scripts.dir=") + ZHAOYIN_SOURCE_DIR + "/scripts"});
  const auto t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"matter", "电子政务/税务/发票申领"}});
  CHECK(t["seals"]["required_types"] == json::array({"invoice"}));
  CHECK(t["seals"]["due"] == json::array({"invoice", "contract"}));
  auto r = env.sign_task(t, "张志伟", "contract");
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "partially_signed");
  r = env.sign_task(t, "王强", "invoice");
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "signed");
}
