// Long-term validation through the real host (docs/SEALS.md, "Long-term
// validation"): an RFC 3161 time-stamp from the sandbox TSA (tools/tsa, in
// this process on a loopback port) over each seal signature, the revocation
// evidence stored with it, the verification report at the time-stamp's
// genTime, and the refusals: TSA unreachable (the answer gets 503 and the
// task stays answerable), a forged time-stamp (the report refuses).
#include <catch2/catch.hpp>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <pdf_update.h>
#include <zhaoyin/pdf/dss.h>
#include <zhaoyin/pdf/pdf_signing.h>
#include <zhaoyin/sandbox/tsa.h>
#include <zhaoyin/trust/license_signature.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/timestamp.h>
#include <zhaoyin/trust/x509.h>
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

// ---- The evidence in the file: a PDF /DSS (docs/SEALS.md, "The evidence in the file") ----

namespace {

// A host with its own, empty store: it never saw the signatures made.
SigningEnv& fresh_env() {
  static SigningEnv env(shared_sandbox(), {"--set", "signing.timestamp.url=" + sandbox_tsa().url()});
  return env;
}

// The PDF up to the end of its signature's revision: the signed bytes without the DSS update.
trust::Bytes without_dss(const trust::Bytes& pdf) {
  const auto found = pdf::find_signatures(pdf);
  return trust::Bytes(pdf.begin(), pdf.begin() + static_cast<long>(found.back().signed_length));
}

// The last byte of a DER object's signature flipped: it still parses, no longer verifies.
trust::Bytes broken_signature(trust::Bytes der) {
  der.back() ^= 0x01;
  return der;
}

}  // namespace

TEST_CASE("a sealed PDF carries its evidence in a /DSS and verifies at genTime from the file on a host that never stored it") {
  auto& env = stamped_env();
  const auto t = env.create_pdf_task("tax", {"contract"});
  REQUIRE(env.sign_task(t, "李娜", "contract").status == 200);
  const auto pdf = env.document("tax", t["id"]);
  const auto found = pdf::find_signatures(pdf);
  REQUIRE(found.size() == 1);
  CHECK(found[0].signed_length < pdf.size());  // the DSS update follows the signature
  const auto dss = pdf::read_validation_data(pdf);
  REQUIRE(dss.present);
  REQUIRE(dss.vri.count(found[0].vri_key) == 1);
  const auto& vri = dss.vri.at(found[0].vri_key);
  CHECK(vri.crls.size() >= 2);       // the CRLs of the signer's and the seal maker's issuers
  CHECK(vri.certs.size() >= 3);      // their paths without the roots, and the TSA's certificate
  bool tsa_listed = false;
  for (const auto& der : vri.certs)
    tsa_listed = tsa_listed || trust::Certificate::from_der(der).subject_line().find("Time-Stamping Authority") != std::string::npos;
  CHECK(tsa_listed);

  // A second host, fresh store: the evidence comes from the file.
  auto& fresh = fresh_env();
  auto report = fresh.verify_pdf("tax", pdf);
  INFO(report.dump(2));
  REQUIRE(report["signatures"].size() == 1);
  auto s = report["signatures"][0];
  CHECK(s["indication"] == "TOTAL_PASSED");
  CHECK(s["validated_at"]["source"] == "timestamp");
  CHECK(s["timestamp"]["evidence"]["source"] == "file");
  CHECK(s["timestamp"]["evidence"]["vri"] == true);
  CHECK(s["timestamp"]["evidence"]["used"] == true);
  CHECK(s["timestamp"]["evidence"]["rejected"].empty());
  CHECK(s["coverage"]["whole_document"] == true);  // a DSS update adds no content
  CHECK(s["coverage"]["validation_data_after"] == true);
  // The same signature without its DSS: that host has no evidence for it.
  report = fresh.verify_pdf("tax", without_dss(pdf));
  CHECK(report["signatures"][0]["timestamp"]["evidence"].is_null());
  // The signing host still has its own.
  report = env.verify_pdf("tax", without_dss(pdf));
  CHECK(report["signatures"][0]["timestamp"]["evidence"]["source"] == "store");

  TempDir dir("zhaoyin-dss-host");
  write_file(dir.path() / "ltv.pdf", std::string(pdf.begin(), pdf.end()));
  const auto check = run_command("qpdf --check " + quote((dir.path() / "ltv.pdf").string()));
  INFO(check.output);
  CHECK(check.exit_code == 0);
}

TEST_CASE("evidence in a /DSS that does not verify is not trusted: a CRL not signed by its CA, a tampered certificate") {
  auto& env = stamped_env();
  const auto t = env.create_pdf_task("tax", {"contract"});
  REQUIRE(env.sign_task(t, "李娜", "contract").status == 200);
  const auto pdf = env.document("tax", t["id"]);
  const auto field = pdf::find_signatures(pdf)[0];
  const auto evidence = pdf::read_validation_data(pdf).vri.at(field.vri_key);
  auto& fresh = fresh_env();

  SECTION("a CRL whose signature is not its issuer's") {
    pdf::ValidationData forged = evidence;
    forged.crls[0] = broken_signature(forged.crls[0]);
    const auto report = fresh.verify_pdf("tax", pdf::add_validation_data(without_dss(pdf), field.field_name, forged));
    INFO(report.dump(2));
    const auto& s = report["signatures"][0];
    CHECK(s["timestamp"]["evidence"]["source"] == "file");
    REQUIRE(s["timestamp"]["evidence"]["rejected"].size() == 1);
    CHECK(s["timestamp"]["evidence"]["rejected"][0].get<std::string>().find("CRL") != std::string::npos);
    CHECK(s["timestamp"]["evidence"]["crls"] == evidence.crls.size() - 1);
    // Without that issuer's CRL the chain cannot be shown good at genTime.
    CHECK(s["indication"] != "TOTAL_PASSED");
  }
  SECTION("a CA certificate altered") {
    pdf::ValidationData forged = evidence;
    bool altered = false;
    for (auto& der : forged.certs)
      if (!altered && trust::Certificate::from_der(der).is_ca()) {
        der = broken_signature(der);
        altered = true;
      }
    REQUIRE(altered);
    const auto report = fresh.verify_pdf("tax", pdf::add_validation_data(without_dss(pdf), field.field_name, forged));
    INFO(report.dump(2));
    const auto& s = report["signatures"][0];
    REQUIRE(s["timestamp"]["evidence"]["rejected"].size() == 1);
    CHECK(s["timestamp"]["evidence"]["rejected"][0].get<std::string>().find("certificate") != std::string::npos);
    CHECK(s["timestamp"]["evidence"]["certificates"].get<std::size_t>() < evidence.certs.size());
    // The authority's own copy of that CA is what the chain uses.
    CHECK(s["indication"] == "TOTAL_PASSED");
  }
}

TEST_CASE("an update that adds a DSS and also changes the page after the signature fails the report as document_modified") {
  auto& env = stamped_env();
  const auto t = env.create_pdf_task("tax", {"contract"});
  REQUIRE(env.sign_task(t, "李娜", "contract").status == 200);
  const auto signed_pdf = without_dss(env.document("tax", t["id"]));
  TempDir dir("zhaoyin-dss-tamper-host");
  const auto file = (dir.path() / "signed.pdf").string();
  write_file(file, std::string(signed_pdf.begin(), signed_pdf.end()));
  const auto last = last_trailer(signed_pdf);
  const std::string root = qpdf_object(file, last.root);
  const std::string content = first_page_content(file);
  REQUIRE_FALSE(content.empty());
  const std::string drawing = "1 0 0 rg 72 72 300 300 re f";
  const trust::Bytes tampered = append_update(
      signed_pdf,
      {{last.size, "<< /Type /DSS /Certs [ ] >>"},
       {std::stoi(last.root), root.substr(0, root.rfind(">>")) + " /DSS " + std::to_string(last.size) + " 0 R >>"},
       {std::stoi(content), "<< /Length " + std::to_string(drawing.size()) + " >>\nstream\n" + drawing + "\nendstream"}},
      last.size + 1);
  const auto report = env.verify_pdf("tax", tampered);
  INFO(report.dump(2));
  CHECK(report["signatures"][0]["indication"] == "TOTAL_FAILED");
  CHECK(report["signatures"][0]["code"] == "document_modified");
}

TEST_CASE("a two-party PDF: each signature extends the DSS, the next signs over it, both verify from the file") {
  auto& env = stamped_env();
  const std::string first = env.wallet_entry("李娜")["uscc"], second = env.wallet_entry("刘洋")["uscc"];
  // The bank's application (national scope): two enterprises' license signatures.
  const auto t = env.create_ok(
      "banking", {{"document", {{"name", "合同.pdf"}, {"pdf", b64(sample_pdf())}}},
                  {"parties", {{{"uscc", first}, {"signature", "license"}}, {{"uscc", second}, {"signature", "license"}}}},
                  {"order", "sequential"}});
  auto cli = env.wallet_cli("李娜", "scan " + quote(t["qr_text"].get<std::string>()) + " --approve");
  INFO(cli.output);
  REQUIRE(cli.exit_code == 0);
  const auto after_first = env.document("banking", t["id"]);
  CHECK(pdf::read_validation_data(after_first).vri.size() == 1);
  cli = env.wallet_cli("刘洋", "scan " + quote(t["qr_text"].get<std::string>()) + " --approve");
  INFO(cli.output);
  REQUIRE(cli.exit_code == 0);
  const auto pdf = env.document("banking", t["id"]);
  const auto found = pdf::find_signatures(pdf);
  REQUIRE(found.size() == 2);
  CHECK(found[1].signed_length > after_first.size());  // the second signature covers the first DSS update
  CHECK(std::equal(after_first.begin(), after_first.end(), pdf.begin()));
  CHECK(pdf::read_validation_data(pdf).vri.size() == 2);
  const auto report = fresh_env().verify_pdf("banking", pdf);
  INFO(report.dump(2));
  REQUIRE(report["signatures"].size() == 2);
  for (const auto& s : report["signatures"]) {
    CHECK(s["indication"] == "TOTAL_PASSED");
    CHECK(s["timestamp"]["evidence"]["source"] == "file");
    CHECK(s["timestamp"]["evidence"]["vri"] == true);
  }
}
