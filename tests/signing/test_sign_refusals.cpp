// Every refusal of the wallet's sign answers, each with its own error code:
// seals the holder may not use, seal types the task does not accept, revoked
// and expired seals, a revoked license, a matter the holder's grant does not
// cover, signatures that do not verify, answers that do not match the task.
#include <catch2/catch.hpp>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/seal.h>

#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {
const char* const kBoss = "张志伟";   // legal representative of the Wuhan company, every seal
const char* const kAdmin = "李娜";    // administrator: company and contract seals
const char* const kAgent = "王强";    // agent, precise grant (发票申领, 参保登记): invoice seal
const char* const kRevoked = "林晓";  // agent of the Guangzhou branch, license certificate revoked
const char* const kWuhan = "91420100YULA38GUXF";

// The answer body of `step` with fields changed after the wallet would have signed it, re-signed.
json resigned(const wallet::Wallet& w, json body, const json& changes) {
  for (auto& [k, v] : changes.items()) body["answer"][k] = v;
  return w.signed_answer(body["answer"]);
}
}  // namespace

TEST_CASE("a seal the holder is not authorised to use is refused with seal_not_authorised") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"company", "contract", "invoice"});
  const auto request = env.fetch_request(t["qr_text"]);
  // 王强's wallet lists the company seal, but his authorisation covers only the invoice seal.
  const auto r = env.sign_as(request, env.wallet(kAgent), "company");
  CHECK(r.status == 403);
  CHECK(r.code() == "seal_not_authorised");
  // A seal of another enterprise.
  const auto other = env.wallet("刘洋");  // legal representative of the Zhengzhou company
  auto body = wallet::sign_prepare_body(env.wallet(kAdmin), request, SigningEnv::seal_of(env.wallet(kAdmin), "company"));
  const auto r2 = env.post_answer(request, resigned(env.wallet(kAdmin), body, {{"es_id", SigningEnv::seal_of(other, "company").es_id}}));
  CHECK(r2.status == 403);
  CHECK(r2.code() == "seal_not_authorised");
}

TEST_CASE("a seal type the task does not accept is refused with seal_type_not_accepted") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"});
  const auto request = env.fetch_request(t["qr_text"]);
  const auto r = env.sign_as(request, env.wallet(kBoss), "finance");
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_type_not_accepted");
}

TEST_CASE("refusal order (docs/protocol/signing.md): a type the task does not accept is reported before the holder's authorisation") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"});
  const auto request = env.fetch_request(t["qr_text"]);
  // 王强 may use only the invoice seal; the company seal is both unauthorised for him and not accepted.
  const auto r = env.sign_as(request, env.wallet(kAgent), "company");
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_type_not_accepted");
}

TEST_CASE("a holder whose precise grant does not cover the task's matter is refused with matter_not_covered") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"invoice"}, "any_of", {{"matter", "电子政务/税务/纳税申报"}});
  const auto r = env.sign_task(t, kAgent, "invoice");
  CHECK(r.status == 403);
  CHECK(r.code() == "matter_not_covered");
}

TEST_CASE("a holder whose license certificate is revoked is refused with license_revoked") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("banking", {"company"});
  const auto r = env.sign_task(t, kRevoked, "company");
  CHECK(r.status == 422);
  CHECK(r.code() == "license_revoked");
}

TEST_CASE("a signer outside the task's constraint is refused with signer_not_allowed") {
  auto& env = SigningEnv::get();
  auto t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"signer", {{"uscc", "91410100QED6JLT722"}}}});
  auto r = env.sign_task(t, kAdmin, "contract");
  CHECK(r.status == 403);
  CHECK(r.code() == "signer_not_allowed");
  t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"signer", {{"uscc", kWuhan}, {"role", "legal_representative"}}}});
  r = env.sign_task(t, kAdmin, "contract");
  CHECK(r.status == 403);
  CHECK(r.code() == "signer_not_allowed");
  r = env.sign_task(t, kBoss, "contract");
  CHECK(r.status == 200);
}

TEST_CASE("a seal signature that does not verify is refused with bad_signature") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"});
  const auto request = env.fetch_request(t["qr_text"]);
  const auto w = env.wallet(kAdmin);
  const auto& seal = SigningEnv::seal_of(w, "contract");
  const auto prepared = env.post_answer(request, wallet::sign_prepare_body(w, request, seal));
  REQUIRE(prepared.status == 200);
  const auto good = wallet::sign_final_body(w, request, seal, prepared.as_json(), env.host_certificate());

  // The holder's signature over something else than the TBS_Sign.
  auto r = env.post_answer(request, resigned(w, good, {{"seal_signature", trust::base64_encode(w.sign(trust::to_bytes("other")))}}));
  CHECK(r.status == 422);
  CHECK(r.code() == "bad_signature");
  // Another holder's signature over the right TBS_Sign, sent with this holder's certificate.
  const auto boss = env.wallet(kBoss);
  const auto tbs = trust::base64_decode(prepared.as_json()["prepared"]["tbs_sign"].get<std::string>());
  r = env.post_answer(request, resigned(w, good, {{"seal_signature", trust::base64_encode(boss.sign(tbs))}}));
  CHECK(r.status == 422);
  CHECK(r.code() == "bad_signature");
  // The answer altered after the wallet signed it.
  auto tampered = good;
  tampered["answer"]["answered_at"] =
      protocol::rfc3339(*protocol::parse_rfc3339(good["answer"]["answered_at"].get<std::string>()) + std::chrono::seconds(1));
  r = env.post_answer(request, tampered);
  CHECK(r.status == 422);
  CHECK(r.code() == "bad_signature");
  // Still open: the real signature goes through.
  r = env.post_answer(request, good);
  CHECK(r.status == 200);
}

TEST_CASE("answers that do not match the task / or skip the first step / are refused") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"});
  const auto request = env.fetch_request(t["qr_text"]);
  const auto w = env.wallet(kAdmin);
  const auto& seal = SigningEnv::seal_of(w, "contract");
  const auto prepare = wallet::sign_prepare_body(w, request, seal);
  auto r = env.post_answer(request, resigned(w, prepare, {{"nonce", "AAAAAAAAAAAAAAAAAAAAAA"}}));
  CHECK(r.status == 422);
  CHECK(r.code() == "answer_mismatch");
  r = env.post_answer(request, resigned(w, prepare, {{"type", "login"}}));
  CHECK(r.status == 422);
  CHECK(r.code() == "answer_mismatch");
  // A final step without a preparation.
  json sign = prepare;
  sign["answer"]["step"] = "sign";
  sign["answer"].erase("es_id");
  sign["answer"]["preparation"] = "none";
  sign["answer"]["tbs_sm3"] = "00";
  sign["answer"]["seal_signature"] = "AAAA";
  r = env.post_answer(request, w.signed_answer(sign["answer"]));
  CHECK(r.status == 409);
  CHECK(r.code() == "not_prepared");
  // A preparation made by one holder cannot be completed by another.
  const auto prepared = env.post_answer(request, prepare);
  REQUIRE(prepared.status == 200);
  const auto boss = env.wallet(kBoss);
  json other = sign;
  other["answer"]["license_serial"] = boss.license_serial();
  other["answer"]["preparation"] = prepared.as_json()["prepared"]["preparation"];
  r = env.post_answer(request, boss.signed_answer(other["answer"]));
  CHECK(r.status == 422);
  CHECK(r.code() == "answer_mismatch");
}

TEST_CASE("the wallet signs only a preparation the host signed for this ticket, document and seal") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"});
  const auto request = env.fetch_request(t["qr_text"]);
  const auto w = env.wallet(kAdmin);
  const auto& seal = SigningEnv::seal_of(w, "contract");
  const auto reply = env.post_answer(request, wallet::sign_prepare_body(w, request, seal));
  REQUIRE(reply.status == 200);
  const json good = reply.as_json();
  const auto host = env.host_certificate();
  CHECK_NOTHROW(wallet::sign_final_body(w, request, seal, good, host));

  // Without the host's signature, or signed by another key.
  json unsigned_reply = good;
  unsigned_reply.erase("signature");
  CHECK_THROWS_AS(wallet::sign_final_body(w, request, seal, unsigned_reply, host), wallet::SignRefused);
  json other_key = good;
  other_key["signature"] = protocol::sign_message(good["prepared"], trust::Sm2Key::generate());
  CHECK_THROWS_AS(wallet::sign_final_body(w, request, seal, other_key, host), wallet::SignRefused);
  // Altered after the host signed it.
  json altered = good;
  altered["prepared"]["data_hash"] = std::string(64, '0');
  CHECK_THROWS_AS(wallet::sign_final_body(w, request, seal, altered, host), wallet::SignRefused);

  // Signed by the real host key, but for another ticket, document, seal or TBS_Sign:
  // each binding is checked on its own.
  std::ifstream in(env.sandbox() / "authority" / "host.key");
  std::stringstream pem;
  pem << in.rdbuf();
  const auto host_key = trust::Sm2Key::from_pem(pem.str());
  for (const auto& [field, value] : std::vector<std::pair<std::string, json>>{
           {"ticket", "AAAAAAAAAAAAAAAAAAAAAA"},
           {"nonce", "AAAAAAAAAAAAAAAAAAAAAA"},
           {"answer_url", "http://127.0.0.1:1/wallet/v1/requests/x/answer"},
           {"document_sm3", std::string(64, 'A')},
           {"tbs_sm3", std::string(64, 'A')},
           {"data_hash", std::string(64, 'A')},
           {"step", "prepare"}}) {
    INFO(field);
    json forged = good;
    forged["prepared"][field] = value;
    forged["signature"] = protocol::sign_message(forged["prepared"], host_key);
    CHECK_THROWS_AS(wallet::sign_final_body(w, request, seal, forged, host), wallet::SignRefused);
  }
  json other_seal = good;
  other_seal["prepared"]["seal"]["sm3"] = std::string(64, 'A');
  other_seal["signature"] = protocol::sign_message(other_seal["prepared"], host_key);
  CHECK_THROWS_AS(wallet::sign_final_body(w, request, seal, other_seal, host), wallet::SignRefused);
}

TEST_CASE("sign answers are read as strictly as login answers: unknown members, wrong times, skewed clocks") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"});
  const auto request = env.fetch_request(t["qr_text"]);
  const auto w = env.wallet(kAdmin);
  const auto prepare = wallet::sign_prepare_body(w, request, SigningEnv::seal_of(w, "contract"));
  for (const auto& change : std::vector<json>{{{"decision", "approve"}},
                                              {{"answered_at", "2026-11-23T10:00:20.5Z"}},
                                              {{"matter", 5}}}) {
    INFO(change.dump());
    const auto r = env.post_answer(request, resigned(w, prepare, change));
    CHECK(r.status == 400);
    CHECK(r.code() == "invalid_request");
  }
  json missing = prepare;
  missing["answer"].erase("matter");
  auto r = env.post_answer(request, w.signed_answer(missing["answer"]));
  CHECK(r.code() == "invalid_request");
  r = env.post_answer(request, resigned(w, prepare, {{"answered_at", protocol::rfc3339(std::chrono::system_clock::now() - std::chrono::hours(1))}}));
  CHECK(r.status == 422);
  CHECK(r.code() == "clock_skew");
  r = env.post_answer(request, resigned(w, prepare, {{"matter", "电子政务/税务"}}));
  CHECK(r.status == 422);
  CHECK(r.code() == "answer_mismatch");
  // Unchanged, it goes through.
  CHECK(env.post_answer(request, prepare).status == 200);
}

TEST_CASE("revoked and expired seals are refused with seal_revoked and seal_expired") {
  TempDir dir("signing-seals");
  const auto sandbox = copy_sandbox(dir);
  // The authority withdraws the Wuhan company's contract seal, and its company
  // seal is re-made (by the sandbox seal maker) with a validity that has ended.
  auto registry = read_json(sandbox / "authority" / "registry.json");
  std::string company_file;
  for (auto& e : registry["enterprises"]) {
    if (e["face_info"]["uscc"] != kWuhan) continue;
    json kept = json::array();
    for (auto& s : e["seals"]) {
      if (s["type"] == "contract") continue;
      if (s["type"] == "company") company_file = s["file"];
      kept.push_back(s);
    }
    e["seals"] = kept;
  }
  write_json(sandbox / "authority" / "registry.json", registry);
  REQUIRE(!company_file.empty());
  const auto maker_key = trust::Sm2Key::from_pem(read_file(sandbox / "authority" / "seal-maker.key"));
  const auto maker_cert = trust::Certificate::from_pem(read_file(sandbox / "authority" / "seal-maker.pem"));
  const auto old_der = read_file(sandbox / company_file);
  auto info = trust::parse_seal(trust::Bytes(old_der.begin(), old_der.end())).info;
  const auto now = std::chrono::system_clock::now();
  info.valid_start = std::chrono::time_point_cast<std::chrono::seconds>(now - std::chrono::hours(24 * 400));
  info.valid_end = std::chrono::time_point_cast<std::chrono::seconds>(now - std::chrono::hours(24));
  info.created = info.valid_start;
  write_file(sandbox / company_file, trust::to_string(trust::build_seal_v4(info, maker_key, maker_cert)));

  SigningEnv env(sandbox);
  auto t = env.create_pdf_task("tax", {"contract", "company"});
  auto request = env.fetch_request(t["qr_text"]);
  auto r = env.sign_as(request, env.wallet(kAdmin), "contract");
  CHECK(r.status == 403);
  CHECK(r.code() == "seal_revoked");
  r = env.sign_as(request, env.wallet(kAdmin), "company");
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_expired");
}
