// Long-term validation through the real host (docs/SEALS.md, "Long-term
// validation"): an RFC 3161 time-stamp from the sandbox TSA (tools/tsa, in
// this process on a loopback port) over each seal signature, the revocation
// evidence stored with it, the verification report at the time-stamp's
// genTime, and the refusals: TSA unreachable (the answer gets 503 and the
// task stays answerable), a forged time-stamp (the report refuses).
#include <catch2/catch.hpp>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <zhaoyin/sandbox/tsa.h>
#include <zhaoyin/trust/license_signature.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/timestamp.h>
#include <zhaoyin/tsa/tsa_service.h>

#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

tsa::TsaServer& sandbox_tsa() {
  static tsa::TsaServer server(sandbox::load_tsa_credential(shared_sandbox()), 0);
  return server;
}

// A host of its own whose signatures are time-stamped by the sandbox TSA.
SigningEnv& stamped_env() {
  static SigningEnv env(shared_sandbox(), {"--set", "signing.timestamp.url=" + sandbox_tsa().url()});
  return env;
}

json verify_detached(SigningEnv& env, const std::string& data, const trust::Bytes& ses) {
  const auto r = http("POST", env.url("/api/v1/signatures/verify"), json{{"data", b64(data)}, {"signature", b64(ses)}}.dump(),
                      bearer(env.token("tax")));
  REQUIRE(r.status == 200);
  return r.as_json()["signatures"][0];
}

// The SES_Signature with its time-stamp token's bytes changed by `edit`.
trust::Bytes with_edited_token(const trust::Bytes& ses, const std::function<void(trust::Bytes&)>& edit) {
  auto token = *trust::parse_seal_signature(ses).timestamp;
  edit(token);
  return trust::with_timestamp(ses, token);
}

}  // namespace

TEST_CASE("a time-stamped data signature verifies at the time-stamp's genTime with its stored evidence") {
  auto& env = stamped_env();
  const std::string data = "order 7001: 12 units";
  const auto t = env.create_ok("tax", {{"document", {{"data", b64(data)}}}, {"seals", {{"types", {"contract"}}}}});
  REQUIRE(env.sign_task(t, "李娜", "contract").status == 200);
  const auto ses = env.document("tax", t["id"]);
  const auto parsed = trust::parse_seal_signature(ses);
  REQUIRE(parsed.timestamp.has_value());
  const auto token = trust::parse_timestamp_token(*parsed.timestamp);
  CHECK(token.info.hashed_message == trust::sm3(parsed.signature));  // §7.1: over the signature value
  CHECK(token.info.policy == trust::kSandboxTsaPolicy);

  const auto r = verify_detached(env, data, ses);
  CHECK(r["indication"] == "TOTAL_PASSED");
  CHECK(r["timestamp"]["status"] == "valid");
  CHECK(r["timestamp"]["hash_algorithm"] == "SM3");
  CHECK(r["timestamp"]["tsa"].get<std::string>().find("Time-Stamping Authority (SANDBOX)") != std::string::npos);
  CHECK(r["timestamp"]["evidence"]["source"] == "store");
  CHECK(r["timestamp"]["evidence"]["crls"].get<int>() >= 2);
  CHECK(r["validated_at"]["source"] == "timestamp");
  CHECK(r["validated_at"]["time"] == r["timestamp"]["gen_time"]);
}

TEST_CASE("a time-stamped license signature (CMS, no seal) verifies at genTime, in data and in a PDF") {
  auto& env = stamped_env();
  const std::string data = "order 7003: license signature";
  auto t = env.create_ok("tax", {{"document", {{"data", b64(data)}}}, {"signature", "license"}});
  const auto cli = env.wallet_cli("李娜", "scan " + quote(t["qr_text"].get<std::string>()) + " --approve");
  INFO(cli.output);
  REQUIRE(cli.exit_code == 0);
  const auto cms = env.document("tax", t["id"]);
  const auto parsed = trust::parse_license_signature(cms);
  REQUIRE(parsed.timestamp.has_value());  // RFC 3161 Appendix A: id-aa-signatureTimeStampToken
  CHECK(trust::parse_timestamp_token(*parsed.timestamp).info.hashed_message == trust::sm3(parsed.signature));
  const auto r = verify_detached(env, data, cms);
  CHECK(r["indication"] == "TOTAL_PASSED");
  CHECK(r["kind"] == "license");
  CHECK(r["timestamp"]["status"] == "valid");
  CHECK(r["timestamp"]["evidence"]["source"] == "store");
  CHECK(r["validated_at"]["source"] == "timestamp");

  t = env.create_ok("tax", {{"document", {{"pdf", b64(sample_pdf())}}}, {"signature", "license"}});
  REQUIRE(env.wallet_cli("李娜", "scan " + quote(t["qr_text"].get<std::string>()) + " --approve").exit_code == 0);
  const auto report = env.verify_pdf("tax", env.document("tax", t["id"]));
  REQUIRE(report["signatures"].size() == 1);
  CHECK(report["signatures"][0]["indication"] == "TOTAL_PASSED");
  CHECK(report["signatures"][0]["timestamp"]["status"] == "valid");
}

TEST_CASE("a time-stamped PDF signature verifies and passes qpdf --check") {
  auto& env = stamped_env();
  const auto t = env.create_pdf_task("tax", {"contract"});
  REQUIRE(env.sign_task(t, "李娜", "contract").status == 200);
  const auto pdf = env.document("tax", t["id"]);
  const auto report = env.verify_pdf("tax", pdf);
  REQUIRE(report["signatures"].size() == 1);
  const auto& s = report["signatures"][0];
  CHECK(s["indication"] == "TOTAL_PASSED");
  CHECK(s["timestamp"]["status"] == "valid");
  CHECK(s["validated_at"]["source"] == "timestamp");
  TempDir dir("zhaoyin-ts-pdf");
  write_file(dir.path() / "signed.pdf", std::string(pdf.begin(), pdf.end()));
  const auto check = run_command("qpdf --check " + quote((dir.path() / "signed.pdf").string()));
  INFO(check.output);
  CHECK(check.exit_code == 0);
}

TEST_CASE("a forged time-stamp is refused by the report: imprint changed / TSA signature broken") {
  auto& env = stamped_env();
  const std::string data = "order 7002: 3 units";
  const auto t = env.create_ok("tax", {{"document", {{"data", b64(data)}}}, {"seals", {{"types", {"contract"}}}}});
  REQUIRE(env.sign_task(t, "李娜", "contract").status == 200);
  const auto ses = env.document("tax", t["id"]);
  const auto token = *trust::parse_seal_signature(ses).timestamp;
  const auto imprint = trust::sm3(trust::parse_seal_signature(ses).signature);

  SECTION("imprint changed") {
    const auto forged = with_edited_token(ses, [&](trust::Bytes& tok) {
      const auto at = std::search(tok.begin(), tok.end(), imprint.begin(), imprint.end());
      REQUIRE(at != tok.end());
      *at = static_cast<std::uint8_t>(*at ^ 0x01);
    });
    const auto r = verify_detached(env, data, forged);
    CHECK(r["indication"] == "TOTAL_FAILED");
    CHECK(r["code"] == "timestamp_imprint_mismatch");
    CHECK(r["timestamp"]["status"] == "invalid");
    CHECK(r["validated_at"]["source"] == "signing_time");
  }
  SECTION("TSA signature broken") {
    // The token's last bytes are the TSA's SM2 signature (the SignerInfo ends with it).
    const auto forged = with_edited_token(ses, [](trust::Bytes& tok) { tok[tok.size() - 2] ^= 0x01; });
    const auto r = verify_detached(env, data, forged);
    CHECK(r["indication"] == "TOTAL_FAILED");
    CHECK(r["code"] == "timestamp_bad_signature");
  }
}

TEST_CASE("TSA unreachable with signing.timestamp.required: the answer gets 503 tsa_unavailable and the task stays answerable") {
  // A port nothing listens on: bind one, note it, close it.
  std::uint16_t closed_port = 0;
  {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    closed_port = probe.address().port();
  }
  SigningEnv env(shared_sandbox(), {"--set", "signing.timestamp.url=http://127.0.0.1:" + std::to_string(closed_port) + "/",
                                    "--set", "signing.timestamp.timeout_seconds=2"});
  const auto t = env.create_ok("tax", {{"document", {{"data", b64("order 7003")}}}, {"seals", {{"types", {"contract"}}}}});
  const auto refused = env.sign_task(t, "李娜", "contract");
  CHECK(refused.status == 503);
  CHECK(refused.code() == "tsa_unavailable");
  const auto task = env.get_task("tax", t["id"]).as_json();
  CHECK(task["status"] == "scanned");
  CHECK(task["signatures"].empty());
}
