// Multi-party and license signatures on OFD documents (docs/api/signing.md
// "OFD", docs/SEALS.md "OFD"): the hand-written minimal OFD sealed by two
// enterprises in order and in parallel through the real host and wallet core,
// a license signature as a Type="Sign" signature whose SignedValue is a CMS
// over Signature.xml (checked by OpenSSL's command line), and the refusals the
// PDF tasks have — party_out_of_order, wrong_holder, document_modified between
// parties and at creation.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include <zhaoyin/ofd/ofd_signing.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/license_signature.h>
#include <zhaoyin/trust/sm3.h>

#include "ofd_fixture.h"
#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

const char* const kBoss = "张志伟";    // legal representative of the Wuhan company, every seal
const char* const kAdmin = "李娜";     // administrator of the Wuhan company: company and contract seals
const char* const kSecond = "刘洋";    // legal representative of a Henan company: every seal
const char* const kPage = "Doc_0/Pages/Page_0/Content.xml";

std::string uscc_of(SigningEnv& env, const std::string& holder) { return env.wallet_entry(holder)["uscc"]; }

json at(double x_mm) { return {{"page", 1}, {"x_mm", x_mm}, {"y_mm", 200}, {"width_mm", 40}, {"height_mm", 40}}; }

json party_task(const json& parties, const std::string& order, const trust::Bytes& document = minimal_ofd()) {
  return {{"document", {{"name", "购销合同.ofd"}, {"ofd", b64(document)}}}, {"parties", parties}, {"order", order}};
}

Reply sign_license_as(SigningEnv& env, const json& request, const wallet::Wallet& w) {
  return sign_with(request, w, nullptr, env.host_certificate());
}

// The bank's application (national scope; its plugin requires 财务专用章 and
// 法定代表人章 of every party that seals) serves the two-province parties.
json verify_ofd(SigningEnv& env, const trust::Bytes& ofd_bytes) {
  const auto r = http("POST", env.url("/api/v1/signatures/verify"), json{{"ofd", b64(ofd_bytes)}}.dump(), bearer(env.token("banking")));
  if (r.status != 200) throw std::runtime_error("verify: " + std::to_string(r.status) + " " + r.body);
  return r.as_json();
}

std::string text_of(const ofd::Package& p, const std::string& path) { return std::string(p.at(path).begin(), p.at(path).end()); }

trust::Bytes with_changed_page(const trust::Bytes& ofd_bytes) {
  auto p = ofd::read_package(ofd_bytes);
  std::string page = text_of(p, kPage);
  page.replace(page.find("采购合同"), std::string("采购合同").size(), "租赁合同");
  p.put(kPage, ofd::Bytes(page.begin(), page.end()));
  return ofd::write_package(p);
}

void save(const std::filesystem::path& path, const trust::Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Replaces a task's stored current document, as someone with access to the store could.
void overwrite_stored_document(SigningEnv& env, const std::string& task_id, const trust::Bytes& bytes) {
  std::filesystem::path db;
  for (const auto& f : std::filesystem::recursive_directory_iterator(env.data_dir()))
    if (f.path().extension() == ".db" || f.path().extension() == ".sqlite" || f.path().extension() == ".sqlite3") db = f.path();
  REQUIRE(!db.empty());
  TempDir dir("zhaoyin-ofd-store-edit");
  save(dir.path() / "doc.ofd", bytes);
  // .timeout: wait for the host's write lock (its group commit may hold it) instead of failing at once.
  const auto sql = run_command("sqlite3 -cmd \".timeout 10000\" " + quote(db.string()) + " \"UPDATE sign_tasks SET current_document = readfile('" +
                               (dir.path() / "doc.ofd").string() + "') WHERE id = '" + task_id + "'\" 2>&1");
  INFO(sql.output);
  REQUIRE(sql.exit_code == 0);
}

}  // namespace

TEST_CASE("a two-party OFD signed in order: party 2 first is refused, then both seals verify and the later protects the earlier") {
  auto& env = SigningEnv::get();
  const std::string first = uscc_of(env, kBoss), second = uscc_of(env, kSecond);
  const auto t = env.create_ok("banking", party_task({{{"uscc", first}, {"name", "甲方"}, {"seals", {{"types", {"contract"}}}}, {"placement", at(30)}},
                                                 {{"uscc", second}, {"name", "乙方"}, {"seals", {{"types", {"company"}}}}, {"placement", at(120)}}},
                                                "sequential"));
  CHECK(t["document"]["kind"] == "ofd");
  CHECK(t["parties"][1]["status"] == "waiting");
  const std::string qr = t["qr_text"];

  auto r = env.sign_as(env.fetch_request(qr), env.wallet(kSecond), "company");
  CHECK(r.status == 409);
  CHECK(r.code() == "party_out_of_order");

  // Party 1: its contract seal (李娜), then the bank's required 财务专用章 and 法定代表人章 (张志伟).
  for (const auto& [holder, type] : std::vector<std::pair<const char*, const char*>>{
           {kAdmin, "contract"}, {kBoss, "finance"}, {kBoss, "legal_rep"}}) {
    r = env.sign_as(env.fetch_request(qr), env.wallet(holder), type);
    INFO(type << ": " << r.body);
    REQUIRE(r.status == 200);
    CHECK(r.as_json()["status"] == "partially_signed");
  }
  r = env.sign_as(env.fetch_request(qr), env.wallet(kBoss), "contract");
  CHECK(r.status == 409);
  CHECK(r.code() == "party_already_signed");
  for (const char* type : {"company", "finance", "legal_rep"}) {
    r = env.sign_as(env.fetch_request(qr), env.wallet(kSecond), type);
    INFO(type << ": " << r.body);
    REQUIRE(r.status == 200);
  }
  CHECK(r.as_json()["status"] == "signed");

  const auto signed_ofd = env.document("banking", t["id"]);
  const auto report = verify_ofd(env, signed_ofd);
  INFO(report.dump(2));
  REQUIRE(report["signatures"].size() == 6);
  CHECK(report["summary"]["passed"] == 6);
  CHECK(report["signatures"][0]["signer"]["uscc"] == first);
  CHECK(report["signatures"][2]["signer"]["uscc"] == first);
  CHECK(report["signatures"][3]["signer"]["uscc"] == second);
  CHECK(report["signatures"][0]["boundary_mm"] == json::array({30, 200, 40, 40}));
  CHECK(report["signatures"][3]["boundary_mm"] == json::array({120, 200, 40, 40}));
  CHECK(report["signatures"][5]["ofd"]["signature_file"] == "Doc_0/Signs/Sign_5/Signature.xml");
  // GB/T 33190-2016 §18: party 2's first seal covers every signature file of party 1;
  // Signatures.xml, which grows, is covered by none.
  std::set<std::string> covered;
  for (const auto& ref : report["signatures"][3]["ofd"]["references"]) covered.insert(ref["file"].get<std::string>());
  for (const char* dir : {"Sign_0", "Sign_1", "Sign_2"}) {
    CHECK(covered.count("Doc_0/Signs/" + std::string(dir) + "/Signature.xml") == 1);
    CHECK(covered.count("Doc_0/Signs/" + std::string(dir) + "/SignedValue.dat") == 1);
  }
  CHECK(covered.count("Doc_0/Signs/Signatures.xml") == 0);
  // Changed afterwards: every party's signatures fail.
  const auto edited = verify_ofd(env, with_changed_page(signed_ofd));
  for (const auto& s : edited["signatures"]) CHECK(s["code"] == "reference_mismatch");
}

TEST_CASE("an OFD party bound to one holder refuses another holder of the same enterprise with wrong_holder") {
  auto& env = SigningEnv::get();
  const auto t = env.create_ok(
      "banking", party_task({{{"uscc", uscc_of(env, kBoss)}, {"seals", {{"types", {"contract"}}}},
                          {"license_serial", env.wallet_entry(kAdmin)["cert_serial"]}},
                         {{"uscc", uscc_of(env, kSecond)}, {"seals", {{"types", {"company"}}}}, {"placement", at(120)}}},
                        "parallel"));
  const std::string qr = t["qr_text"];
  auto r = env.sign_as(env.fetch_request(qr), env.wallet(kBoss), "contract");
  CHECK(r.status == 403);
  CHECK(r.code() == "wrong_holder");
  CHECK(env.get_task("banking", t["id"]).as_json()["signatures"].empty());
  r = env.sign_as(env.fetch_request(qr), env.wallet(kAdmin), "contract");
  CHECK(r.status == 200);
}

TEST_CASE("a license signature on an OFD is a Type=Sign signature whose SignedValue is a CMS over Signature.xml") {
  auto& env = SigningEnv::get();
  const auto t = env.create_ok("tax", {{"document", {{"name", "声明.ofd"}, {"ofd", b64(minimal_ofd())}}}, {"signature", "license"}});
  CHECK(t["seals"]["due"] == json::array({"license"}));
  const auto r = sign_license_as(env, env.fetch_request(t["qr_text"]), env.wallet(kAdmin));
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "signed");
  const auto signed_ofd = env.document("tax", t["id"]);

  // GB/T 33190-2016 §18.1 表 66: Type="Sign"; no StampAnnot (§18.2.3: a seal's appearance).
  const auto found = ofd::find_signatures(signed_ofd);
  REQUIRE(found.size() == 1);
  CHECK(found[0].type == "Sign");
  CHECK(found[0].page == 0);
  CHECK(found[0].references_intact);
  const auto package = ofd::read_package(signed_ofd);
  CHECK(text_of(package, "Doc_0/Signs/Signatures.xml").find("Type=\"Sign\"") != std::string::npos);
  CHECK(text_of(package, found[0].signature_path).find("StampAnnot") == std::string::npos);
  const auto cms = trust::parse_license_signature(found[0].signed_value);
  CHECK(cms.message_digest == found[0].signature_xml_sm3);

  const auto report = verify_ofd(env, signed_ofd);
  INFO(report.dump(2));
  REQUIRE(report["signatures"].size() == 1);
  const auto& s = report["signatures"][0];
  CHECK(s["indication"] == "TOTAL_PASSED");
  CHECK(s["kind"] == "license");
  CHECK(s["seal"].is_null());
  CHECK(s["signer"]["holder"] == kAdmin);
  CHECK(s["ofd"]["type"] == "Sign");
  CHECK(s["page"].is_null());
  // The page changed after signing: its Reference breaks.
  const auto edited = verify_ofd(env, with_changed_page(signed_ofd));
  CHECK(edited["signatures"][0]["code"] == "reference_mismatch");
  // The CMS from a Sign signature put into a Seal entry is not an SES_Signature.
  auto relabelled = ofd::read_package(signed_ofd);
  std::string list = text_of(relabelled, "Doc_0/Signs/Signatures.xml");
  list.replace(list.find("Type=\"Sign\""), 11, "Type=\"Seal\"");
  relabelled.put("Doc_0/Signs/Signatures.xml", ofd::Bytes(list.begin(), list.end()));
  CHECK(verify_ofd(env, ofd::write_package(relabelled))["signatures"][0]["code"] == "malformed");

  // Independently, with OpenSSL's command line: the CMS's messageDigest is
  // `openssl dgst -sm3` of Signature.xml, and the holder's SM2 signature
  // (ID 1234567812345678) over the signed attributes verifies with the
  // certificate `openssl pkcs7` extracts from SignedValue.dat.
  TempDir dir("zhaoyin-ofd-license");
  save(dir.path() / "Signature.xml", package.at(found[0].signature_path));
  save(dir.path() / "SignedValue.dat", found[0].signed_value);
  save(dir.path() / "attrs.der", cms.signed_attributes);
  save(dir.path() / "sig.bin", cms.signature);
  const auto p = [&](const char* name) { return quote((dir.path() / name).string()); };
  const auto dump = run_command("openssl asn1parse -inform DER -in " + p("SignedValue.dat") + " 2>&1");
  REQUIRE(dump.exit_code == 0);
  std::string sm3 = run_command("openssl dgst -sm3 -r " + p("Signature.xml") + " 2>&1").output.substr(0, 64);
  for (auto& ch : sm3) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  CHECK(dump.output.find("[HEX DUMP]:" + sm3) != std::string::npos);
  REQUIRE(run_command("openssl pkcs7 -inform DER -in " + p("SignedValue.dat") + " -print_certs -out " + p("holder.pem") + " 2>&1")
              .exit_code == 0);
  const auto ok = run_command("openssl pkeyutl -verify -rawin -digest sm3 -pkeyopt distid:1234567812345678 -certin -inkey " +
                              p("holder.pem") + " -sigfile " + p("sig.bin") + " -in " + p("attrs.der") + " 2>&1");
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
}

TEST_CASE("a parallel OFD task with a license party and a seal party: an edit between them is refused with document_modified") {
  auto& env = SigningEnv::get();
  const auto t = env.create_ok("banking", party_task({{{"uscc", uscc_of(env, kBoss)}, {"seals", {{"types", {"contract"}}}}, {"placement", at(30)}},
                                                 {{"uscc", uscc_of(env, kSecond)}, {"signature", "license"}}},
                                                "parallel"));
  const std::string qr = t["qr_text"];
  const std::string id = t["id"];
  REQUIRE(sign_license_as(env, env.fetch_request(qr), env.wallet(kSecond)).status == 200);
  const auto after_party_2 = env.document("banking", id);

  // A page edited in the store after the license signature.
  overwrite_stored_document(env, id, with_changed_page(after_party_2));
  auto r = env.sign_as(env.fetch_request(qr), env.wallet(kAdmin), "contract");
  CHECK(r.status == 409);
  CHECK(r.code() == "document_modified");
  // A file added that no signature protects.
  auto added = ofd::read_package(after_party_2);
  added.put("Doc_0/Res/note.xml", ofd::Bytes{'<', 'x', '/', '>'});
  overwrite_stored_document(env, id, ofd::write_package(added));
  r = env.sign_as(env.fetch_request(qr), env.wallet(kAdmin), "contract");
  CHECK(r.status == 409);
  CHECK(r.code() == "document_modified");
  // The license signature removed from the list: not the signature the task recorded.
  overwrite_stored_document(env, id, minimal_ofd());
  r = env.sign_as(env.fetch_request(qr), env.wallet(kAdmin), "contract");
  CHECK(r.status == 409);
  CHECK(r.code() == "document_modified");
  CHECK(env.get_task("banking", id).as_json()["status"] == "partially_signed");

  // Restored, party 1 seals and both verify.
  overwrite_stored_document(env, id, after_party_2);
  r = env.sign_as(env.fetch_request(qr), env.wallet(kAdmin), "contract");
  INFO(r.body);
  REQUIRE(r.status == 200);
  REQUIRE(env.sign_as(env.fetch_request(qr), env.wallet(kBoss), "finance").status == 200);  // the bank's required seals
  r = env.sign_as(env.fetch_request(qr), env.wallet(kBoss), "legal_rep");
  REQUIRE(r.status == 200);
  CHECK(r.as_json()["status"] == "signed");
  const auto report = verify_ofd(env, env.document("banking", id));
  INFO(report.dump(2));
  REQUIRE(report["signatures"].size() == 4);
  CHECK(report["summary"]["passed"] == 4);
  CHECK(report["signatures"][0]["kind"] == "license");
  CHECK(report["signatures"][0]["ofd"]["type"] == "Sign");
  CHECK(report["signatures"][1]["kind"] == "seal");
  CHECK(report["signatures"][1]["ofd"]["type"] == "Seal");
}

TEST_CASE("an OFD changed after its earlier signature is refused at task creation with document_modified") {
  auto& env = SigningEnv::get();
  const auto once = env.create_ok("tax", {{"document", {{"ofd", b64(minimal_ofd())}}}, {"signature", "license"}});
  REQUIRE(sign_license_as(env, env.fetch_request(once["qr_text"]), env.wallet(kBoss)).status == 200);
  const auto signed_once = env.document("tax", once["id"]);
  const json seals = {{"types", {"company"}}};
  auto r = env.create("tax", {{"document", {{"ofd", b64(with_changed_page(signed_once))}}}, {"seals", seals}});
  CHECK(r.status == 422);
  CHECK(r.code() == "document_modified");
  // Unchanged, it takes a further seal in a new task and both verify.
  const auto next = env.create_ok("tax", {{"document", {{"ofd", b64(signed_once)}}}, {"seals", seals}});
  REQUIRE(env.sign_task(next, kAdmin, "company").status == 200);
  CHECK(verify_ofd(env, env.document("tax", next["id"]))["summary"]["passed"] == 2);
}

TEST_CASE("two parties' OFD seals at the same spot do not overlap: the StampAnnot boundaries read back are disjoint") {
  auto& env = SigningEnv::get();
  const auto t = env.create_ok("banking", party_task({{{"uscc", uscc_of(env, kBoss)}, {"seals", {{"types", {"company"}}}}, {"placement", at(100)}},
                                                      {{"uscc", uscc_of(env, kSecond)}, {"seals", {{"types", {"company"}}}}, {"placement", at(100)}}},
                                                     "parallel"));
  for (const auto* holder : {kBoss, kSecond})
    for (const char* type : {"company", "finance", "legal_rep"}) {
      const auto r = env.sign_as(env.fetch_request(t["qr_text"]), env.wallet(holder), type);
      INFO(holder << " " << type << ": " << r.body);
      REQUIRE(r.status == 200);
    }
  const auto report = verify_ofd(env, env.document("banking", t["id"]));
  INFO(report.dump(2));
  REQUIRE(report["signatures"].size() == 6);
  CHECK(report["signatures"][0]["boundary_mm"] == json::array({100, 200, 40, 40}));
  const auto overlap = [](const json& a, const json& b) {
    const double ax = a[0], ay = a[1], aw = a[2], ah = a[3], bx = b[0], by = b[1], bw = b[2], bh = b[3];
    return ax < bx + bw - 0.01 && bx < ax + aw - 0.01 && ay < by + bh - 0.01 && by < ay + ah - 0.01;
  };
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t j = i + 1; j < 6; ++j) {
      INFO("seal " << i << " and seal " << j);
      CHECK_FALSE(overlap(report["signatures"][i]["boundary_mm"], report["signatures"][j]["boundary_mm"]));
    }
}
