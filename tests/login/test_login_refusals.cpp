// Every refusal of a wallet's login answer, each with its exact status and code.
// Answers the real wallet would never send are crafted with the wallet core.
#include <catch2/catch.hpp>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/x509.h>

#include "login_env.h"

using namespace zhaoyin::test;
using zhaoyin::protocol::sign_message;
namespace protocol = zhaoyin::protocol;

namespace {

// Creates a session for `department`, fetches its request and returns it.
json open_request(LoginEnv& env, const std::string& department, const json& create = json::object()) {
  return env.fetch_request(env.create_ok(department, create)["qr_text"]);
}

void check_refused(const Reply& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.code() == code);
}

}  // namespace

TEST_CASE("refused: a bad signature (422 bad_signature)") {
  auto& env = LoginEnv::get();
  const auto request = open_request(env, "tax");
  const auto w = env.wallet("张志伟");
  auto body = w.signed_answer(env.answer_for(request, w));
  body["answer"]["answered_at"] =  // changed after signing, still within the clock window
      protocol::rfc3339(*protocol::parse_rfc3339(body["answer"]["answered_at"].get<std::string>()) + std::chrono::seconds(1));
  check_refused(env.post_answer(request, body), 422, "bad_signature");
  // Signed by another holder's key while presenting this certificate.
  const auto other = env.wallet("李娜");
  auto forged = w.signed_answer(env.answer_for(request, w));
  forged["signature"] = other.signed_answer(forged["answer"])["signature"];
  check_refused(env.post_answer(request, forged), 422, "bad_signature");
  // A signature that is not padded base64 is a format error, not a bad signature.
  forged["signature"] = "not base64!";
  check_refused(env.post_answer(request, forged), 400, "invalid_request");
}

TEST_CASE("refused: an answer not bound to the request (422 answer_mismatch)") {
  auto& env = LoginEnv::get();
  const auto request = open_request(env, "tax", {{"matter", "电子政务/税务"}});
  const auto w = env.wallet("张志伟");
  for (const auto& [field, value] : std::vector<std::pair<std::string, json>>{
           {"nonce", "AAAAAAAAAAAAAAAAAAAAAA"}, {"client_id", env.app("banking")["client_id"]},
           {"matter", nullptr}, {"matter", "电子政务/税务/发票申领"}, {"type", "sign"}, {"ticket", "x"},
           {"license_serial", env.wallet_entry("李娜")["cert_serial"]},
           // docs/PROTOCOL.md §2.3: the answer names where it was sent; a relayed one names the relay.
           {"answer_url", "http://127.0.0.1:1/wallet/v1/requests/" + request["ticket"].get<std::string>() + "/answer"}}) {
    INFO(field);
    auto answer = env.answer_for(request, w);
    answer[field] = value;
    check_refused(env.post_answer(request, w.signed_answer(answer)), 422, "answer_mismatch");
  }
}

TEST_CASE("refused: malformed answers (400 invalid_request / invalid_json)") {
  auto& env = LoginEnv::get();
  const auto request = open_request(env, "tax");
  const auto w = env.wallet("张志伟");
  check_refused(http("POST", request["answer_url"].get<std::string>(), "{"), 400, "invalid_json");
  check_refused(env.post_answer(request, json::object()), 400, "invalid_request");
  auto body = w.signed_answer(env.answer_for(request, w));
  body["certificate"] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  check_refused(env.post_answer(request, body), 400, "invalid_request");
  auto answer = env.answer_for(request, w);
  answer["decision"] = "maybe";
  check_refused(env.post_answer(request, w.signed_answer(answer)), 400, "invalid_request");
  check_refused(http("POST", env.url("/wallet/v1/requests/unknownticket/answer"), "{}"), 404, "not_found");
  check_refused(http("GET", env.url("/wallet/v1/requests/unknownticket")), 404, "not_found");
}

TEST_CASE("refused: answers outside the strict format of docs/PROTOCOL.md §3.2 (400 invalid_request)") {
  auto& env = LoginEnv::get();
  const auto request = open_request(env, "tax");
  const auto w = env.wallet("张志伟");
  const auto good = w.signed_answer(env.answer_for(request, w));
  // Envelope: every member present, nothing else.
  for (const char* member : {"answer", "certificate", "chain", "grant", "signature"}) {
    INFO("without " << member);
    auto body = good;
    body.erase(member);
    check_refused(env.post_answer(request, body), 400, "invalid_request");
  }
  auto body = good;
  body["extra"] = 1;
  check_refused(env.post_answer(request, body), 400, "invalid_request");
  body = good;
  body["chain"] = json::array({1});
  check_refused(env.post_answer(request, body), 400, "invalid_request");
  body = good;
  body["grant"] = "a grant";
  check_refused(env.post_answer(request, body), 400, "invalid_request");
  // Signature: padded base64 only (RFC 4648 §4).
  body = good;
  auto sig = body["signature"].get<std::string>();
  while (!sig.empty() && sig.back() == '=') sig.pop_back();
  if (sig.size() % 4 != 0) {
    body["signature"] = sig;
    check_refused(env.post_answer(request, body), 400, "invalid_request");
  }
  body["signature"] = zhaoyin::trust::base64url_encode(zhaoyin::trust::base64_decode(good["signature"].get<std::string>()));
  if (body["signature"] != good["signature"]) check_refused(env.post_answer(request, body), 400, "invalid_request");
  // The signed answer: an unknown member or a missing one, even when signed.
  auto answer = env.answer_for(request, w);
  answer["note"] = "hello";
  check_refused(env.post_answer(request, w.signed_answer(answer)), 400, "invalid_request");
  answer = env.answer_for(request, w);
  answer.erase("answer_url");
  check_refused(env.post_answer(request, w.signed_answer(answer)), 400, "invalid_request");
  // answered_at: UTC, whole seconds, "Z".
  const std::string now = env.answer_for(request, w)["answered_at"];
  for (const std::string t : {now.substr(0, 19) + ".5Z", now.substr(0, 19) + "+08:00", now.substr(0, 19),
                              now.substr(0, 10) + " " + now.substr(11)}) {
    INFO(t);
    answer = env.answer_for(request, w);
    answer["answered_at"] = t;
    check_refused(env.post_answer(request, w.signed_answer(answer)), 400, "invalid_request");
  }
  // The license serial is the certificate's, in upper-case hex: lower case is another string.
  answer = env.answer_for(request, w);
  std::string lower = answer["license_serial"];
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower != answer["license_serial"]) {
    answer["license_serial"] = lower;
    check_refused(env.post_answer(request, w.signed_answer(answer)), 422, "answer_mismatch");
  }
  // Nothing changed: the real answer still goes through.
  CHECK(env.post_answer(request, good).status == 200);
}

TEST_CASE("refused: an answer whose answered_at is more than 5 minutes from the host's clock (422 clock_skew)") {
  auto& env = LoginEnv::get();
  const auto request = open_request(env, "tax");
  const auto w = env.wallet("张志伟");
  for (const int minutes : {-6, 6, -60 * 24}) {
    INFO(minutes);
    auto answer = env.answer_for(request, w);
    answer["answered_at"] = protocol::rfc3339(std::chrono::system_clock::now() + std::chrono::minutes(minutes));
    check_refused(env.post_answer(request, w.signed_answer(answer)), 422, "clock_skew");
  }
  // Within the window both ways is fine.
  auto answer = env.answer_for(request, w);
  answer["answered_at"] = protocol::rfc3339(std::chrono::system_clock::now() - std::chrono::minutes(3));
  CHECK(env.post_answer(request, w.signed_answer(answer)).status == 200);
}

TEST_CASE("refused: a second answer to the same session (409 already_answered)") {
  auto& env = LoginEnv::get();
  const auto request = open_request(env, "tax");
  const auto w = env.wallet("张志伟");
  const auto body = w.signed_answer(env.answer_for(request, w));
  REQUIRE(env.post_answer(request, body).status == 200);
  check_refused(env.post_answer(request, body), 409, "already_answered");  // replay
  const auto other = env.wallet("李娜");
  check_refused(env.post_answer(request, other.signed_answer(env.answer_for(request, other))), 409, "already_answered");
  check_refused(env.post_answer(request, w.signed_answer(env.answer_for(request, w, "reject"))), 409, "already_answered");
  check_refused(http("GET", env.url("/wallet/v1/requests/" + request["ticket"].get<std::string>())), 409, "already_answered");
}

TEST_CASE("refused: a certificate the authority never issued (422 unknown_license)") {
  auto& env = LoginEnv::get();
  const auto request = open_request(env, "tax");
  const auto w = env.wallet("张志伟");
  // A self-made certificate with the same subject, and its own key.
  const auto key = zhaoyin::trust::Sm2Key::generate();
  zhaoyin::trust::CertificateRequest req;
  req.subject = w.certificate().subject();
  req.subject_key = key;
  req.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  req.not_after = std::chrono::system_clock::now() + std::chrono::hours(24);
  const auto fake = zhaoyin::trust::issue_certificate(req, key, nullptr);
  auto answer = env.answer_for(request, w);
  answer["license_serial"] = fake.serial_hex();
  json body = {{"answer", answer}, {"certificate", fake.pem()}, {"chain", json::array()}, {"grant", nullptr},
               {"signature", sign_message(answer, key)}};
  check_refused(env.post_answer(request, body), 422, "unknown_license");
  // A rejection must come from a genuine holder too.
  answer["decision"] = "reject";
  body["answer"] = answer;
  body["signature"] = sign_message(answer, key);
  check_refused(env.post_answer(request, body), 422, "unknown_license");
}

TEST_CASE("refused: a revoked license certificate (422 license_revoked)") {
  auto& env = LoginEnv::get();
  check_refused(env.login_as("banking", "林晓"), 422, "license_revoked");
}

TEST_CASE("refused: an enterprise that is not 存续 (403 enterprise_not_active)") {
  auto& env = LoginEnv::get();
  check_refused(env.login_as("tax", "马晓东"), 403, "enterprise_not_active");
}

TEST_CASE("refused: a license outside a province-scoped application (403 out_of_scope)") {
  auto& env = LoginEnv::get();
  check_refused(env.login_as("tax", "黄丽"), 403, "out_of_scope");        // 44 at a 湖北 (42) application
  check_refused(env.login_as("social_insurance", "张志伟"), 403, "out_of_scope");  // 42 at 河南 (41)
  REQUIRE(env.login_as("banking", "黄丽").status == 200);                 // national: any province
}

TEST_CASE("refused: an agent without an authorisation (403 authorisation_missing)") {
  auto& env = LoginEnv::get();
  const auto request = open_request(env, "tax", {{"matter", "电子政务/税务/发票申领"}});
  const auto w = env.wallet("王强");
  auto body = w.signed_answer(env.answer_for(request, w));
  body["grant"] = nullptr;
  check_refused(env.post_answer(request, body), 403, "authorisation_missing");
}

TEST_CASE("refused: an agent whose authorisation has expired (403 authorisation_expired)") {
  auto& env = LoginEnv::get();
  check_refused(env.login_as("banking", "杨帆"), 403, "authorisation_expired");
}

TEST_CASE("refused: a precise authorisation that does not cover the matter (403 matter_not_covered)") {
  auto& env = LoginEnv::get();
  // 王强 may do 发票申领 (and 参保登记), not everything under 电子政务/税务.
  check_refused(env.login_as("tax", "王强", {{"matter", "电子政务/税务"}}), 403, "matter_not_covered");
  // 孙磊 may do 对公开户 and 发票申领; the bank's session asks for 对公开户: fine.
  REQUIRE(env.login_as("banking", "孙磊", {{"matter", "电子商务/银行/对公开户"}}).status == 200);
}

TEST_CASE("refused: a grant made for another holder (422 bad_grant)") {
  auto& env = LoginEnv::get();
  const auto request = open_request(env, "tax", {{"matter", "电子政务/税务/发票申领"}});
  const auto w = env.wallet("王强");
  auto body = w.signed_answer(env.answer_for(request, w));
  body["grant"] = env.wallet("李娜").grant();
  check_refused(env.post_answer(request, body), 422, "bad_grant");
}

TEST_CASE("a refused answer leaves the session open for the right holder") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax");
  const auto request = env.fetch_request(s["qr_text"]);
  const auto stranger = env.wallet("黄丽");
  check_refused(env.post_answer(request, stranger.signed_answer(env.answer_for(request, stranger))), 403, "out_of_scope");
  CHECK(env.session("tax", s["id"])["status"] == "scanned");
  const auto w = env.wallet("张志伟");
  CHECK(env.post_answer(request, w.signed_answer(env.answer_for(request, w))).status == 200);
}
