// License signatures (电子签名 with the business license, no seal) and
// multi-party documents (docs/api/signing.md "License signatures", "Parties"):
// the real host and wallet; the CMS checked by OpenSSL's command line, the
// multi-signed PDF by qpdf and poppler; each refusal shown refusing.
#include <catch2/catch.hpp>
#include <array>
#include <fstream>
#include <zhaoyin/trust/x509.h>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/license_signature.h>
#include <zhaoyin/trust/sm3.h>

#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {
const char* const kBoss = "张志伟";    // legal representative of the Wuhan company, every seal incl. 法定代表人章
const char* const kAdmin = "李娜";     // administrator of the Wuhan company: company and contract seals
const char* const kSecond = "刘洋";    // legal representative of a Henan company: every seal
const char* const kOutsider = "赵敏";  // administrator of a third enterprise, not a party
const char* const kRevoked = "林晓";   // license certificate revoked

const json kOrder = {{"order", "PO-2026-118"}, {"amount", "12800.00"}, {"currency", "CNY"}, {"items", {"服务器", "维保"}}};

std::string uscc_of(SigningEnv& env, const std::string& holder) { return env.wallet_entry(holder)["uscc"]; }

void write_file(const std::filesystem::path& p, const trust::Bytes& b) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// The wallet's two steps for a license signature (es_id null).
Reply sign_license_as(SigningEnv& env, const json& request, const wallet::Wallet& w) {
  return sign_with(request, w, nullptr, env.host_certificate());
}

json verify_data(SigningEnv& env, const json& data, const trust::Bytes& signature) {
  const auto r = http("POST", env.url("/api/v1/signatures/verify"), json{{"json", data}, {"signature", b64(signature)}}.dump(),
                      bearer(env.token("tax")));
  if (r.status != 200) throw std::runtime_error("verify: " + r.body);
  return r.as_json()["signatures"][0];
}

// An unsigned incremental update (ISO 32000-1 §7.5.6): a new Info dictionary — an "edit" nobody signed.
trust::Bytes append_unsigned_edit(trust::Bytes pdf) {
  std::string text(pdf.begin(), pdf.end());
  const auto sx = text.rfind("startxref");
  const std::size_t prev = std::stoul(text.substr(sx + 9));
  const std::size_t obj_at = pdf.size();
  const std::string obj = "900 0 obj\n<< /Title (edited after the first party) >>\nendobj\n";
  const std::size_t xref_at = obj_at + obj.size();
  char entry[32];
  std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", obj_at);
  // Keep the document's own /Root by reading it from the last trailer dictionary or xref stream.
  const auto root_at = text.rfind("/Root");
  const std::string root = text.substr(root_at, text.find('R', root_at + 5) - root_at + 1);
  const std::string update = obj + "xref\n900 1\n" + entry + "trailer\n<< /Size 901 " + root + " /Info 900 0 R /Prev " +
                             std::to_string(prev) + " >>\nstartxref\n" + std::to_string(xref_at) + "\n%%EOF\n";
  pdf.insert(pdf.end(), update.begin(), update.end());
  return pdf;
}
}  // namespace

TEST_CASE("a license signature over JSON business data is made by the wallet, verified, and checked by OpenSSL") {
  auto& env = SigningEnv::get();
  const auto t = env.create_ok("tax", {{"document", {{"name", "order.json"}, {"json", kOrder}}}, {"signature", "license"}});
  CHECK(t["signature"] == "license");
  CHECK(t["seals"]["due"] == json::array({"license"}));
  const auto cli = env.wallet_cli(kAdmin, "scan " + quote(t["qr_text"].get<std::string>()) + " --approve");
  INFO(cli.output);
  REQUIRE(cli.exit_code == 0);
  const auto done = env.get_task("tax", t["id"]).as_json();
  CHECK(done["status"] == "signed");
  REQUIRE(done["signatures"].size() == 1);
  CHECK(done["signatures"][0]["kind"] == "license");
  CHECK(done["signatures"][0]["es_id"].is_null());
  CHECK(done["signatures"][0]["holder_name"] == kAdmin);
  const auto cms = env.document("tax", t["id"]);

  const auto s = verify_data(env, kOrder, cms);
  CHECK(s["indication"] == "TOTAL_PASSED");
  CHECK(s["kind"] == "license");
  CHECK(s["seal"].is_null());
  CHECK(s["signer"]["uscc"] == uscc_of(env, kAdmin));
  CHECK(s["signer"]["holder"] == kAdmin);
  CHECK(s["signer"]["enterprise"].is_string());
  CHECK(s["signer"]["chain"]["result"] == "passed");
  CHECK(s["signer"]["chain"]["path"].size() >= 2);
  CHECK(s["signer"]["revocation"]["status"] == "good");
  CHECK(s.contains("timestamp"));

  // Data modified after signing.
  json changed = kOrder;
  changed["amount"] = "92800.00";
  const auto bad = verify_data(env, changed, cms);
  CHECK(bad["indication"] == "TOTAL_FAILED");
  CHECK(bad["sub_indication"] == "HASH_FAILURE");
  CHECK(bad["code"] == "data_hash_mismatch");

  // Independently with OpenSSL's command line (OpenSSL 3.0's `cms -verify`
  // does not set the SM2 ID, so it cannot check SM2 SignerInfos): asn1parse
  // reads the SignedData and shows the messageDigest, which must be `dgst
  // -sm3` of the canonical JSON; pkcs7 extracts the holder's certificate; and
  // pkeyutl checks the SM2 signature (ID 1234567812345678) over the signed
  // attributes with that certificate's key.
  TempDir dir("zhaoyin-license-cms");
  const auto parsed = trust::parse_license_signature(cms);
  write_file(dir.path() / "sig.der", cms);
  write_file(dir.path() / "attrs.der", parsed.signed_attributes);
  write_file(dir.path() / "sig.bin", parsed.signature);
  write_file(dir.path() / "data.json", trust::to_bytes(protocol::canonical_json(kOrder)));
  const auto p = [&](const char* name) { return quote((dir.path() / name).string()); };
  const auto dump = run_command("openssl asn1parse -inform DER -in " + p("sig.der") + " 2>&1");
  REQUIRE(dump.exit_code == 0);
  CHECK(dump.output.find("pkcs7-signedData") != std::string::npos);
  const auto digest = run_command("openssl dgst -sm3 -r " + p("data.json") + " 2>&1");
  std::string sm3 = digest.output.substr(0, 64);
  for (auto& ch : sm3) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  CHECK(dump.output.find("[HEX DUMP]:" + sm3) != std::string::npos);
  REQUIRE(run_command("openssl pkcs7 -inform DER -in " + p("sig.der") + " -print_certs -out " + p("holder.pem") + " 2>&1").exit_code == 0);
  const std::string verify = "openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 -certin -inkey " +
                             p("holder.pem") + " -sigfile " + p("sig.bin") + " -in ";
  const auto ok = run_command(verify + p("attrs.der") + " 2>&1");
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
  CHECK(ok.output.find("Signature Verified Successfully") != std::string::npos);
  write_file(dir.path() / "other.der", trust::build_license_signed_attributes(trust::sm3(trust::to_bytes("x")), parsed.signing_time));
  CHECK(run_command(verify + p("other.der") + " 2>&1").exit_code != 0);
}

TEST_CASE("a license signature on a PDF is an adbe.pkcs7.detached field that verifies and qpdf accepts") {
  auto& env = SigningEnv::get();
  const auto t = env.create_ok("tax", {{"document", {{"name", "agreement.pdf"}, {"pdf", b64(sample_pdf())}}}, {"signature", "license"}});
  const auto r = sign_license_as(env, env.fetch_request(t["qr_text"]), env.wallet(kAdmin));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "signed");
  const auto pdf = env.document("tax", t["id"]);
  const auto report = env.verify_pdf("tax", pdf);
  REQUIRE(report["signatures"].size() == 1);
  const auto& s = report["signatures"][0];
  CHECK(s["indication"] == "TOTAL_PASSED");
  CHECK(s["kind"] == "license");
  CHECK(s["signer"]["holder"] == kAdmin);
  CHECK(s["field_name"] == "ZhaoyinLicenseSignature1");
  TempDir dir("zhaoyin-license-pdf");
  write_file(dir.path() / "signed.pdf", pdf);
  const auto check = run_command("qpdf --check " + quote((dir.path() / "signed.pdf").string()) + " 2>&1");
  INFO(check.output);
  CHECK(check.exit_code == 0);
  // Modified after signing: detected.
  const auto edited = env.verify_pdf("tax", append_unsigned_edit(pdf));
  CHECK(edited["signatures"][0]["code"] == "document_modified");
}

TEST_CASE("license signature refusals: wrong holder, revoked certificate, seal for license and license for seal") {
  auto& env = SigningEnv::get();
  const json doc = {{"name", "order.json"}, {"json", kOrder}};
  // Bound to one holder: another holder of the same enterprise is refused.
  auto t = env.create_ok("tax", {{"document", doc}, {"signature", "license"},
                                 {"signer", {{"license_serial", env.wallet_entry(kAdmin)["cert_serial"]}}}});
  auto r = sign_license_as(env, env.fetch_request(t["qr_text"]), env.wallet(kBoss));
  CHECK(r.status == 403);
  CHECK(r.code() == "wrong_holder");
  // A revoked license certificate.
  t = env.create_ok("banking", {{"document", doc}, {"signature", "license"}});
  r = sign_license_as(env, env.fetch_request(t["qr_text"]), env.wallet(kRevoked));
  CHECK(r.status == 422);
  CHECK(r.code() == "license_revoked");
  // A seal where a license signature is asked.
  t = env.create_ok("tax", {{"document", doc}, {"signature", "license"}});
  const auto request = env.fetch_request(t["qr_text"]);
  r = env.sign_as(request, env.wallet(kAdmin), "company");
  CHECK(r.status == 422);
  CHECK(r.code() == "signature_kind_mismatch");
  // And a license signature where a seal is asked.
  const auto sealed = env.create_pdf_task("tax", {"company"});
  r = sign_license_as(env, env.fetch_request(sealed["qr_text"]), env.wallet(kAdmin));
  CHECK(r.status == 422);
  CHECK(r.code() == "signature_kind_mismatch");
  CHECK(env.get_task("tax", t["id"]).as_json()["signatures"].empty());
  // A license request names no seals; an OFD takes no license signature.
  auto bad = env.create("tax", {{"document", doc}, {"signature", "license"}, {"seals", {{"types", {"company"}}}}});
  CHECK(bad.status == 400);
  bad = env.create("tax", {{"document", doc}, {"signature", "stamp"}});
  CHECK(bad.status == 400);
}

TEST_CASE("a two-party contract signed in order: seals and the legal representative's name seal, then the second party") {
  auto& env = SigningEnv::get();
  const std::string first = uscc_of(env, kBoss), second = uscc_of(env, kSecond);
  const auto t = env.create_ok(
      "banking", {{"document", {{"name", "采购合同.pdf"}, {"pdf", b64(sample_pdf())}}},
              {"parties", {{{"uscc", first}, {"name", "甲方"}, {"seals", {{"mode", "all_of"}, {"types", {"company", "legal_rep"}}}}},
                           {{"uscc", second}, {"name", "乙方"}, {"seals", {{"types", {"company"}}}}}}},
              // The bank's plugin also requires 财务专用章 and 法定代表人章 of every party that seals (seals.required_types).
              {"order", "sequential"}});
  CHECK(t["order"] == "sequential");
  CHECK(t["parties"][0]["status"] == "due");
  CHECK(t["parties"][1]["status"] == "waiting");
  const std::string qr = t["qr_text"];

  // Party 2 before party 1: refused.
  auto r = env.sign_as(env.fetch_request(qr), env.wallet(kSecond), "company");
  CHECK(r.status == 409);
  CHECK(r.code() == "party_out_of_order");
  // An enterprise that is not a party.
  r = env.sign_as(env.fetch_request(qr), env.wallet(kOutsider), "company");
  CHECK(r.status == 403);
  CHECK(r.code() == "party_not_listed");

  // Party 1: its company seal, then its legal representative's name seal (法定代表人名章, a person seal).
  r = env.sign_as(env.fetch_request(qr), env.wallet(kBoss), "company");
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "partially_signed");
  r = env.sign_as(env.fetch_request(qr), env.wallet(kBoss), "legal_rep");
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "partially_signed");
  r = env.sign_as(env.fetch_request(qr), env.wallet(kBoss), "finance");
  REQUIRE(r.status == 200);
  auto now = env.get_task("banking", t["id"]).as_json();
  CHECK(now["status"] == "partially_signed");
  CHECK(now["parties"][0]["status"] == "signed");
  CHECK(now["parties"][1]["status"] == "due");
  // Party 1 signing again.
  r = env.sign_as(env.fetch_request(qr), env.wallet(kAdmin), "company");
  CHECK(r.status == 409);
  CHECK(r.code() == "party_already_signed");
  // Party 2 through the real wallet.
  REQUIRE(env.sign_as(env.fetch_request(qr), env.wallet(kSecond), "finance").status == 200);
  REQUIRE(env.sign_as(env.fetch_request(qr), env.wallet(kSecond), "legal_rep").status == 200);
  const auto cli = env.wallet_cli(kSecond, "scan " + quote(qr) + " --approve --seal company");
  INFO(cli.output);
  REQUIRE(cli.exit_code == 0);
  now = env.get_task("banking", t["id"]).as_json();
  CHECK(now["status"] == "signed");
  // An event per party: partially_signed when party 1 finished, then signed.
  std::vector<std::string> statuses;
  for (const auto& e : now["events"]) statuses.push_back(e["status"]);
  CHECK(std::count(statuses.begin(), statuses.end(), "partially_signed") == 2);
  CHECK(statuses.back() == "signed");

  const auto pdf = env.document("banking", t["id"]);
  const auto report = env.verify_pdf("banking", pdf);
  REQUIRE(report["signatures"].size() == 6);
  CHECK(report["summary"]["passed"] == 6);
  CHECK(report["signatures"][0]["signer"]["uscc"] == first);
  CHECK(report["signatures"][1]["seal"]["owner_type"] == "person");
  CHECK(report["signatures"][2]["signer"]["uscc"] == first);
  CHECK(report["signatures"][3]["signer"]["uscc"] == second);
  CHECK(report["signatures"][5]["signer"]["uscc"] == second);
  TempDir dir("zhaoyin-two-party");
  write_file(dir.path() / "contract.pdf", pdf);
  const auto qcheck = run_command("qpdf --check " + quote((dir.path() / "contract.pdf").string()) + " 2>&1");
  INFO(qcheck.output);
  CHECK(qcheck.exit_code == 0);
  const auto sig = run_command("pdfsig -nocert " + quote((dir.path() / "contract.pdf").string()) + " 2>&1");
  CHECK(sig.output.find("Signature #6") != std::string::npos);
}

TEST_CASE("a parallel multi-party task signs in any order, with a license signature for one party") {
  auto& env = SigningEnv::get();
  const auto t = env.create_ok(
      "banking", {{"document", {{"name", "协议.pdf"}, {"pdf", b64(sample_pdf())}}},
              {"parties", {{{"uscc", uscc_of(env, kBoss)}, {"seals", {{"types", {"contract"}}}}},
                           {{"uscc", uscc_of(env, kSecond)}, {"signature", "license"}}}},
              {"order", "parallel"}});
  const std::string qr = t["qr_text"];
  const auto request = env.fetch_request(qr);
  CHECK(request["parties"][1]["status"] == "due");
  auto r = sign_license_as(env, request, env.wallet(kSecond));
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "partially_signed");
  r = env.sign_as(env.fetch_request(qr), env.wallet(kBoss), "contract");
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "partially_signed");
  r = env.sign_as(env.fetch_request(qr), env.wallet(kBoss), "finance");  // the bank's required seals
  REQUIRE(r.status == 200);
  r = env.sign_as(env.fetch_request(qr), env.wallet(kBoss), "legal_rep");
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "signed");
  const auto report = env.verify_pdf("banking", env.document("banking", t["id"]));
  REQUIRE(report["signatures"].size() == 4);
  CHECK(report["signatures"][0]["kind"] == "license");
  CHECK(report["signatures"][1]["kind"] == "seal");
  CHECK(report["summary"]["passed"] == 4);
  // Parties are checked at creation.
  auto bad = env.create("banking", {{"document", {{"pdf", b64(sample_pdf())}}},
                                {"parties", {{{"uscc", uscc_of(env, kAdmin)}, {"signature", "license"}}}}});
  CHECK(bad.status == 400);  // fewer than two
  bad = env.create("banking", {{"document", {{"pdf", b64(sample_pdf())}}}, {"order", "parallel"}, {"signature", "license"}});
  CHECK(bad.status == 400);  // order without parties
}

TEST_CASE("a PDF changed between two parties' signatures is detected by verify and refused for the next party") {
  auto& env = SigningEnv::get();
  // Party 1 signs alone; someone edits the signed PDF; party 2 is asked to sign the edited file.
  const auto first = env.create_pdf_task("banking", {"company"});
  REQUIRE(env.sign_task(first, kBoss, "company").status == 200);
  REQUIRE(env.sign_task(first, kBoss, "finance").status == 200);  // the bank's required seals
  REQUIRE(env.sign_task(first, kBoss, "legal_rep").status == 200);
  const auto signed_once = env.document("banking", first["id"]);
  const auto edited = append_unsigned_edit(signed_once);
  auto r = env.create("banking", {{"document", {{"pdf", b64(edited)}}}, {"seals", {{"types", {"company"}}}}});
  CHECK(r.status == 422);
  CHECK(r.code() == "document_modified");
  // The verifier reports it too, even when a later signature covers the edit.
  const auto report = env.verify_pdf("banking", edited);
  CHECK(report["signatures"][0]["code"] == "document_modified");
  CHECK(report["signatures"][0]["coverage"]["unsigned_revisions_after"].size() == 1);
  // Unedited, the same file takes party 2's signature and both verify.
  const auto second = env.create_ok("banking", {{"document", {{"pdf", b64(signed_once)}}}, {"seals", {{"types", {"company"}}}}});
  REQUIRE(env.sign_task(second, kSecond, "company").status == 200);
  REQUIRE(env.sign_task(second, kSecond, "finance").status == 200);
  REQUIRE(env.sign_task(second, kSecond, "legal_rep").status == 200);
  const auto both = env.verify_pdf("banking", env.document("banking", second["id"]));
  CHECK(both["summary"]["passed"] == 6);
}

TEST_CASE("a stored PDF edited between two parties' signatures is refused to the next party with document_modified") {
  auto& env = SigningEnv::get();
  const auto t = env.create_ok(
      "banking", {{"document", {{"name", "合同.pdf"}, {"pdf", b64(sample_pdf())}}},
                  {"parties", {{{"uscc", uscc_of(env, kBoss)}, {"signature", "license"}},
                               {{"uscc", uscc_of(env, kSecond)}, {"signature", "license"}}}}});
  const std::string qr = t["qr_text"];
  REQUIRE(sign_license_as(env, env.fetch_request(qr), env.wallet(kBoss)).status == 200);
  // Someone with access to the store edits the contract after party 1.
  const auto edited = append_unsigned_edit(env.document("banking", t["id"]));
  std::filesystem::path db;
  for (const auto& f : std::filesystem::recursive_directory_iterator(env.data_dir()))
    if (f.path().extension() == ".db" || f.path().extension() == ".sqlite" || f.path().extension() == ".sqlite3") db = f.path();
  REQUIRE(!db.empty());
  TempDir dir("zhaoyin-edited-store");
  write_file(dir.path() / "edited.pdf", edited);
  // .timeout: wait for the host's write lock (its group commit may hold it) instead of failing at once.
  const auto sql = run_command("sqlite3 -cmd \".timeout 10000\" " + quote(db.string()) + " \"UPDATE sign_tasks SET current_document = readfile('" +
                               (dir.path() / "edited.pdf").string() + "') WHERE id = '" + t["id"].get<std::string>() + "'\" 2>&1");
  INFO(sql.output);
  REQUIRE(sql.exit_code == 0);
  const auto r = sign_license_as(env, env.fetch_request(qr), env.wallet(kSecond));
  CHECK(r.status == 409);
  CHECK(r.code() == "document_modified");
  CHECK(env.get_task("banking", t["id"]).as_json()["status"] == "partially_signed");
}

TEST_CASE("a license signature downloads as signature.p7s (application/pkcs7-signature), a seal signature as .ses") {
  auto& env = SigningEnv::get();
  const auto download = [&](const json& task) {
    return http("GET", env.url("/api/v1/sign-tasks/" + task["id"].get<std::string>() + "/document"), "", bearer(env.token("tax")));
  };
  const auto license = env.create_ok("tax", {{"document", {{"name", "订单.json"}, {"json", kOrder}}}, {"signature", "license"}});
  REQUIRE(sign_license_as(env, env.fetch_request(license["qr_text"]), env.wallet(kAdmin)).status == 200);
  auto r = download(license);
  REQUIRE(r.status == 200);
  CHECK(r.headers.at("Content-Type") == "application/pkcs7-signature");
  // RFC 6266: an ASCII name, and the document's own name (UTF-8, percent-encoded) in filename*.
  CHECK(r.headers.at("Content-Disposition") ==
        "attachment; filename=\"signature.p7s\"; filename*=UTF-8''%E8%AE%A2%E5%8D%95.json.1.p7s");
  CHECK(trust::looks_like_cms(r.bytes()));

  const auto sealed = env.create_ok("tax", {{"document", {{"name", "order.json"}, {"json", kOrder}}}, {"seals", {{"types", {"company"}}}}});
  REQUIRE(env.sign_task(sealed, kAdmin, "company").status == 200);
  r = download(sealed);
  REQUIRE(r.status == 200);
  CHECK(r.headers.at("Content-Type") == "application/octet-stream");
  CHECK(r.headers.at("Content-Disposition") == "attachment; filename=\"signature.ses\"; filename*=UTF-8''order.json.1.ses");
  CHECK_FALSE(trust::looks_like_cms(r.bytes()));
}

TEST_CASE("parties[].seals.es_ids: only the chosen seals of that party sign, and ids not of that enterprise are refused at creation") {
  auto& env = SigningEnv::get();
  const std::string first = uscc_of(env, kBoss), second = uscc_of(env, kSecond);
  const std::string company = SigningEnv::seal_of(env.wallet(kBoss), "company").es_id;
  const std::string others = SigningEnv::seal_of(env.wallet(kSecond), "company").es_id;
  const auto body = [&](const json& first_seals) {
    return json{{"document", {{"name", "合同.pdf"}, {"pdf", b64(sample_pdf())}}},
                {"parties", {{{"uscc", first}, {"seals", first_seals}}, {{"uscc", second}, {"seals", {{"types", {"company"}}}}}}},
                {"order", "parallel"}};
  };
  // The bank's application: national scope, two provinces' enterprises. Its
  // plugin requires 财务专用章 and 法定代表人章 of every party that seals: a party
  // whose chosen seals have neither could never complete — refused (422).
  auto refused = env.create("banking", body({{"mode", "any_of"}, {"types", {"company", "contract"}}, {"es_ids", {company}}}));
  CHECK(refused.status == 422);
  CHECK(refused.code() == "required_seal_not_chosen");
  const std::string finance = SigningEnv::seal_of(env.wallet(kBoss), "finance").es_id;
  const std::string legal_rep = SigningEnv::seal_of(env.wallet(kBoss), "legal_rep").es_id;
  const json chosen = {company, finance, legal_rep};
  const auto t = env.create_ok("banking", body({{"mode", "any_of"}, {"types", {"company", "contract"}}, {"es_ids", chosen}}));
  CHECK(t["parties"][0]["seals"]["es_ids"] == chosen);
  CHECK(t["parties"][1]["seals"]["es_ids"] == json::array());
  const auto request = env.fetch_request(t["qr_text"]);
  CHECK(request["parties"][0]["seals"]["es_ids"] == chosen);
  // zhaoyin-wallet offers its party's chosen seals only.
  CHECK(wallet::usable_seals(env.wallet(kBoss), request).size() == 3);
  auto r = env.sign_as(request, env.wallet(kBoss), "contract");  // a type the party accepts, not the chosen seal
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_not_chosen");
  r = env.sign_as(env.fetch_request(t["qr_text"]), env.wallet(kBoss), "company");
  CHECK(r.status == 200);
  // The other party chose nothing: any seal of the accepted type.
  r = env.sign_as(env.fetch_request(t["qr_text"]), env.wallet(kSecond), "company");
  CHECK(r.status == 200);

  // Refused before a task exists.
  auto bad = env.create("banking", body({{"types", {"company"}}, {"es_ids", {others}}}));  // the other party's seal
  CHECK(bad.status == 422);
  CHECK(bad.code() == "unknown_seal");
  bad = env.create("banking", body({{"types", {"company"}}, {"es_ids", {"ES-NOT-THERE"}}}));
  CHECK(bad.status == 422);
  CHECK(bad.code() == "unknown_seal");
  bad = env.create("banking", body({{"types", {"contract"}}, {"es_ids", {company}}}));  // a company seal for a contract party
  CHECK(bad.status == 400);
  bad = env.create("banking", body({{"types", {"company"}}, {"es_ids", json::array()}}));
  CHECK(bad.status == 400);
}

TEST_CASE("a chosen seal outside its validity period is refused at creation with seal_unusable") {
  // A host of its own over a sandbox copy whose company seal of the Wuhan
  // company the seal maker re-issued, same code, valid only in the past.
  TempDir dir("zhaoyin-expired-seal");
  const auto sandbox = copy_sandbox(dir);
  auto& shared = SigningEnv::get();
  const std::string company = SigningEnv::seal_of(shared.wallet(kBoss), "company").es_id;
  const auto seal_file = sandbox / "seals" / (company + ".seal");
  REQUIRE(std::filesystem::exists(seal_file));
  auto info = trust::parse_seal(trust::to_bytes(read_file(seal_file))).info;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  info.valid_start = now - std::chrono::hours(24 * 400);
  info.valid_end = now - std::chrono::hours(24 * 30);
  const auto maker = trust::Certificate::from_pem(read_file(sandbox / "authority" / "seal-maker.pem"));
  const auto maker_key = trust::Sm2Key::from_pem(read_file(sandbox / "authority" / "seal-maker.key"));
  write_file(seal_file, trust::build_seal_v4(info, maker_key, maker));
  SigningEnv env(sandbox);

  const auto body = [&](const json& es_ids) {
    return json{{"document", {{"pdf", b64(sample_pdf())}}},
                {"parties", {{{"uscc", uscc_of(env, kBoss)}, {"seals", {{"types", {"company"}}, {"es_ids", es_ids}}}},
                             {{"uscc", uscc_of(env, kSecond)}, {"signature", "license"}}}}};
  };
  auto r = env.create("tax", body({company}));
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_unusable");
  // The one-signer seals.es_ids is held to the same rule.
  r = env.create("tax", {{"document", {{"pdf", b64(sample_pdf())}}}, {"signer", {{"uscc", uscc_of(env, kBoss)}}},
                         {"seals", {{"types", {"company"}}, {"es_ids", {company}}}}});
  CHECK(r.status == 422);
  CHECK(r.code() == "seal_unusable");
}

TEST_CASE("seals.es_ids and seal types an extension adds: refused at creation when no chosen seal has one, accepted and signable when they do") {
  // The bank's plugin requires 财务专用章 (finance) and 法定代表人章 (legal_rep) at sign_task_created.
  auto& env = SigningEnv::get();
  const json signer = {{"uscc", uscc_of(env, kBoss)}};
  const auto es_id = [&](const std::string& type) { return SigningEnv::seal_of(env.wallet(kBoss), type).es_id; };
  const auto task = [&](const json& es_ids) {
    return env.create("banking", {{"document", {{"name", "c.pdf"}, {"pdf", b64(sample_pdf())}}},
                                  {"signer", signer},
                                  {"seals", {{"types", {"company"}}, {"es_ids", es_ids}}}});
  };
  auto r = task({es_id("company")});
  CHECK(r.status == 422);
  CHECK(r.code() == "required_seal_not_chosen");
  CHECK(r.body.find("finance") != std::string::npos);
  r = task({es_id("company"), es_id("finance")});  // one of the two still missing
  CHECK(r.status == 422);
  CHECK(r.code() == "required_seal_not_chosen");
  CHECK(r.body.find("legal_rep") != std::string::npos);
  r = task({es_id("finance"), es_id("legal_rep")});  // the extension's types, but none of the relying party's
  CHECK(r.status == 400);

  r = task({es_id("company"), es_id("finance"), es_id("legal_rep")});
  INFO(r.body);
  REQUIRE(r.status == 201);
  const auto t = r.as_json();
  CHECK(t["seals"]["required_types"] == json::array({"finance", "legal_rep"}));
  for (const char* type : {"company", "finance", "legal_rep"}) {
    const auto signed_one = env.sign_task(t, kBoss, type);
    INFO(type << ": " << signed_one.body);
    CHECK(signed_one.status == 200);
  }
  CHECK(env.get_task("banking", t["id"]).as_json()["status"] == "signed");
}

namespace {

// The widgets' /Rect of a PDF's signature fields, read with qpdf --json (not our reader), in file order of object number.
std::vector<std::array<double, 4>> signature_rects(const trust::Bytes& pdf) {
  TempDir dir("zhaoyin-rects");
  write_file(dir.path() / "doc.pdf", pdf);
  const auto out = run_command("qpdf --json --json-key=qpdf " + quote((dir.path() / "doc.pdf").string()));
  const auto j = json::parse(out.output, nullptr, false);
  std::vector<std::array<double, 4>> rects;
  if (!j.is_object() || !j.contains("qpdf")) return rects;
  for (const auto& [key, object] : j["qpdf"][1].items()) {
    if (!object.contains("value") || !object["value"].is_object()) continue;
    const auto& v = object["value"];
    if (v.value("/FT", "") != "/Sig" || !v.contains("/Rect")) continue;
    std::array<double, 4> r{};
    for (int i = 0; i < 4; ++i) r[static_cast<std::size_t>(i)] = v["/Rect"][static_cast<std::size_t>(i)].get<double>();
    rects.push_back(r);
  }
  return rects;
}

bool rects_overlap(const std::array<double, 4>& a, const std::array<double, 4>& b) {
  return a[0] < b[2] - 0.01 && b[0] < a[2] - 0.01 && a[1] < b[3] - 0.01 && b[1] < a[3] - 0.01;
}

}  // namespace

TEST_CASE("two parties' seals placed at the same spot do not overlap: each later seal moves clear, read back with qpdf") {
  auto& env = SigningEnv::get();
  const json spot = {{"page", 1}, {"x_mm", 100}, {"y_mm", 200}, {"width_mm", 40}, {"height_mm", 40}};
  const auto t = env.create_ok(
      "banking", {{"document", {{"name", "合同.pdf"}, {"pdf", b64(sample_pdf())}}},
                  {"parties", {{{"uscc", uscc_of(env, kBoss)}, {"seals", {{"types", {"company"}}}}, {"placement", spot}},
                               {{"uscc", uscc_of(env, kSecond)}, {"seals", {{"types", {"company"}}}}, {"placement", spot}}}},
                  {"order", "sequential"}});
  // Party 1: company, finance, legal_rep (the bank's plugin adds the last two); then party 2 the same.
  for (const auto* holder : {kBoss, kSecond})
    for (const char* type : {"company", "finance", "legal_rep"}) {
      const auto r = env.sign_as(env.fetch_request(t["qr_text"]), env.wallet(holder), type);
      INFO(holder << " " << type << ": " << r.body);
      REQUIRE(r.status == 200);
    }
  const auto pdf = env.document("banking", t["id"]);
  const auto rects = signature_rects(pdf);
  REQUIRE(rects.size() == 6);
  for (std::size_t i = 0; i < rects.size(); ++i)
    for (std::size_t j = i + 1; j < rects.size(); ++j) {
      INFO("seal " << i << " and seal " << j);
      CHECK_FALSE(rects_overlap(rects[i], rects[j]));
    }
  // The first seal is where it was asked: 100 mm from the left edge.
  bool at_spot = false;
  for (const auto& r : rects) at_spot = at_spot || std::abs(r[0] - 100 * 72 / 25.4) < 0.1;
  CHECK(at_spot);
  const auto report = env.verify_pdf("banking", pdf);
  CHECK(report["summary"]["passed"] == 6);
}
