// OFD documents through the real zhaoyin-host (docs/api/signing.md, "OFD"):
// the hand-written minimal OFD (tests/ofd/fixtures/minimal) sealed by two
// holders with the real wallet core, downloaded as application/ofd, verified
// by POST /api/v1/signatures/verify — and refused when a page changed after
// signing, a CheckValue was forged, a SignedValue came from another document,
// a file was added, or the package is hostile (../ entry, zip bomb, too many
// entries). Then an independent reader and builder in Node (tests/ofd/interop:
// jszip, fast-xml-parser, sm-crypto) both ways.
#include <catch2/catch.hpp>

#include <zhaoyin/ofd/ofd_signing.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/seal_signature.h>
#include <zhaoyin/trust/sm3.h>

#include "ofd_fixture.h"
#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

const char* const kBoss = "张志伟";  // legal representative of the Wuhan company, every seal
const char* const kAdmin = "李娜";   // administrator: company and contract seals

json ofd_task_body(const trust::Bytes& ofd_bytes, const std::vector<std::string>& types, const std::string& mode) {
  return {{"document", {{"name", "采购合同.ofd"}, {"ofd", b64(ofd_bytes)}}},
          {"seals", {{"mode", mode}, {"types", types}}},
          {"placements", {{"contract", {{"page", 1}, {"x_mm", 30}, {"y_mm", 200}, {"width_mm", 40}, {"height_mm", 40}}},
                          {"legal_rep", {{"page", 1}, {"x_mm", 120}, {"y_mm", 200}, {"width_mm", 40}, {"height_mm", 40}}}}}};
}

// One OFD sealed by the contract seal (李娜) and the legal representative's seal (张志伟), for the whole file.
const trust::Bytes& signed_ofd() {
  static trust::Bytes ofd_bytes;
  if (ofd_bytes.empty()) {
    auto& env = SigningEnv::get();
    const auto t = env.create_ok("tax", ofd_task_body(minimal_ofd(), {"contract", "legal_rep"}, "all_of"));
    if (env.sign_task(t, kAdmin, "contract").status != 200) throw std::runtime_error("contract seal");
    if (env.sign_task(t, kBoss, "legal_rep").status != 200) throw std::runtime_error("legal_rep seal");
    ofd_bytes = env.document("tax", t["id"]);
  }
  return ofd_bytes;
}

Reply verify(const trust::Bytes& ofd_bytes) {
  auto& env = SigningEnv::get();
  return http("POST", env.url("/api/v1/signatures/verify"), json{{"ofd", b64(ofd_bytes)}}.dump(), bearer(env.token("tax")));
}

json verify_ok(const trust::Bytes& ofd_bytes) {
  const auto r = verify(ofd_bytes);
  if (r.status != 200) throw std::runtime_error("verify: " + std::to_string(r.status) + " " + r.body);
  return r.as_json();
}

std::string text(const ofd::Package& p, const std::string& path) { return std::string(p.at(path).begin(), p.at(path).end()); }
ofd::Bytes bytes(const std::string& s) { return ofd::Bytes(s.begin(), s.end()); }

const char* const kPage = "Doc_0/Pages/Page_0/Content.xml";

ofd::Package with_changed_page(ofd::Package p) {
  std::string page = text(p, kPage);
  page.replace(page.find("采购合同"), std::string("采购合同").size(), "租赁合同");
  p.put(kPage, bytes(page));
  return p;
}

std::vector<std::string> codes(const json& report) {
  std::vector<std::string> out;
  for (const auto& s : report["signatures"]) out.push_back(s["code"]);
  return out;
}

}  // namespace

TEST_CASE("an OFD task is sealed twice through the host and verifies: both TOTAL_PASSED with intact References") {
  auto& env = SigningEnv::get();
  const auto t = env.create_ok("tax", ofd_task_body(minimal_ofd(), {"contract"}, "any_of"));
  CHECK(t["document"]["kind"] == "ofd");
  CHECK(t["document"]["pages"] == 1);
  const auto request = env.fetch_request(t["qr_text"]);
  CHECK(request["document"]["kind"] == "ofd");
  REQUIRE(env.sign_as(request, env.wallet(kAdmin), "contract").status == 200);
  const auto download = http("GET", env.url("/api/v1/sign-tasks/" + t["id"].get<std::string>() + "/document"), "",
                             bearer(env.token("tax")));
  REQUIRE(download.status == 200);
  CHECK(download.headers.at("Content-Type") == "application/ofd");
  CHECK(ofd::find_signatures(download.bytes()).size() == 1);

  const auto report = verify_ok(signed_ofd());
  INFO(report.dump(2));
  CHECK(report["document"]["kind"] == "ofd");
  CHECK(report["summary"]["signatures"] == 2);
  CHECK(report["summary"]["passed"] == 2);
  for (const auto& s : report["signatures"]) {
    CHECK(s["indication"] == "TOTAL_PASSED");
    CHECK(s["ofd"]["references_intact"] == true);
    CHECK(s["ofd"]["check_method"] == "1.2.156.10197.1.401");
    CHECK(s["ofd"]["unprotected_files"].empty());
    CHECK(s["page"] == 1);
    CHECK(s["protection_range"]["matches"] == true);
  }
  CHECK(report["signatures"][0]["seal"]["type"] == "contract");
  CHECK(report["signatures"][1]["seal"]["type"] == "legal_rep");
  CHECK(report["signatures"][0]["boundary_mm"] == json::array({30, 200, 40, 40}));
  CHECK(report["signatures"][1]["ofd"]["signature_file"] == "Doc_0/Signs/Sign_1/Signature.xml");
  // The second signature protects the first one's files (GB/T 33190-2016 §18.1).
  bool protects_first = false;
  for (const auto& r : report["signatures"][1]["ofd"]["references"])
    protects_first |= r["file"] == "Doc_0/Signs/Sign_0/SignedValue.dat";
  CHECK(protects_first);
}

TEST_CASE("page content modified after signing fails both signatures with reference_mismatch") {
  const auto p = with_changed_page(ofd::read_package(signed_ofd()));
  const auto report = verify_ok(ofd::write_package(p));
  INFO(report.dump(2));
  CHECK(codes(report) == std::vector<std::string>{"reference_mismatch", "reference_mismatch"});
  CHECK(report["signatures"][0]["sub_indication"] == "HASH_FAILURE");
  CHECK(report["summary"]["passed"] == 0);
}

TEST_CASE("a forged CheckValue (page changed and its digest rewritten in Signature.xml) fails the SignedValue with HASH_FAILURE") {
  auto p = with_changed_page(ofd::read_package(signed_ofd()));
  const std::string sig_path = "Doc_0/Signs/Sign_1/Signature.xml";
  std::string sig = text(p, sig_path);
  const std::string old_value = trust::base64_encode(trust::sm3(ofd::read_package(signed_ofd()).at(kPage)));
  const std::string new_value = trust::base64_encode(trust::sm3(p.at(kPage)));
  REQUIRE(sig.find(old_value) != std::string::npos);
  sig.replace(sig.find(old_value), old_value.size(), new_value);
  p.put(sig_path, bytes(sig));
  const auto report = verify_ok(ofd::write_package(p));
  INFO(report.dump(2));
  // The first signature's References see the changed page; the second's now
  // match it, but its SES_Signature signed the Signature.xml as it was.
  CHECK(report["signatures"][0]["code"] == "reference_mismatch");
  CHECK(report["signatures"][1]["ofd"]["references_intact"] == true);
  CHECK(report["signatures"][1]["code"] == "data_hash_mismatch");
  CHECK(report["signatures"][1]["sub_indication"] == "HASH_FAILURE");
}

TEST_CASE("a SignedValue taken from another signed document fails with data_hash_mismatch") {
  auto& env = SigningEnv::get();
  auto other_package = minimal_ofd_package();
  std::string main = text(other_package, "OFD.xml");
  main.replace(main.find("采购合同"), std::string("采购合同").size(), "另一份合同");
  other_package.put("OFD.xml", bytes(main));
  const auto t = env.create_ok("tax", ofd_task_body(ofd::write_package(other_package), {"contract"}, "any_of"));
  REQUIRE(env.sign_task(t, kAdmin, "contract").status == 200);
  const auto other = ofd::read_package(env.document("tax", t["id"]));
  REQUIRE(verify_ok(ofd::write_package(other))["summary"]["passed"] == 1);

  auto p = ofd::read_package(signed_ofd());
  const std::string value = "Doc_0/Signs/Sign_1/SignedValue.dat";
  p.put(value, other.at("Doc_0/Signs/Sign_0/SignedValue.dat"));
  const auto report = verify_ok(ofd::write_package(p));
  INFO(report.dump(2));
  CHECK(report["signatures"][1]["code"] == "data_hash_mismatch");
  CHECK(report["signatures"][1]["indication"] == "TOTAL_FAILED");
}

TEST_CASE("a file added after signing is flagged: document_modified, MODIFIED_AFTER_SIGNING") {
  auto p = ofd::read_package(signed_ofd());
  p.put("Doc_0/Pages/Page_1/Content.xml", bytes("<ofd:Page xmlns:ofd=\"http://www.ofdspec.org/2016\"/>"));
  const auto report = verify_ok(ofd::write_package(p));
  INFO(report.dump(2));
  CHECK(codes(report) == std::vector<std::string>{"document_modified", "document_modified"});
  CHECK(report["signatures"][1]["sub_indication"] == "MODIFIED_AFTER_SIGNING");
  CHECK(report["signatures"][1]["ofd"]["unprotected_files"] == json::array({"Doc_0/Pages/Page_1/Content.xml"}));
}

TEST_CASE("hostile OFD packages are refused at task creation and at verification: ../ entry, zip bomb, too many entries") {
  auto& env = SigningEnv::get();
  auto traversal = minimal_raw_entries();
  traversal.push_back(stored_entry("../../etc/cron.d/x", "* * * * * root true"));
  auto bomb = minimal_raw_entries();
  bomb.push_back(deflated_entry("Doc_0/Res/zeros.bin", trust::Bytes(30u << 20, 0)));
  auto crowd = minimal_raw_entries();
  for (int i = 0; i < 2001; ++i) crowd.push_back(stored_entry("Doc_0/Res/r" + std::to_string(i), ""));
  const std::vector<std::pair<std::string, trust::Bytes>> cases = {
      {"malformed_ofd", raw_zip(traversal)}, {"ofd_limit_exceeded", raw_zip(bomb)}, {"ofd_limit_exceeded", raw_zip(crowd)},
      {"malformed_ofd", trust::to_bytes("%PDF-1.7 not an OFD")}};
  for (const auto& [code, package] : cases) {
    INFO(code << " " << package.size() << " bytes");
    const auto created = env.create("tax", ofd_task_body(package, {"contract"}, "any_of"));
    CHECK(created.status == 422);
    CHECK(created.code() == code);
    const auto verified = verify(package);
    CHECK(verified.status == 422);
    CHECK(verified.code() == code);
  }
  // An unsigned OFD has nothing to verify; a seal placed off its page is refused at creation.
  CHECK(verify(minimal_ofd()).code() == "no_signature");
  auto body = ofd_task_body(minimal_ofd(), {"contract"}, "any_of");
  body["placements"]["contract"]["page"] = 2;
  CHECK(env.create("tax", body).code() == "placement_off_page");
}

TEST_CASE("Node (jszip, fast-xml-parser, sm-crypto) verifies our signed OFD: References, SignedValue, seal and chain") {
  auto& env = SigningEnv::get();
  TempDir dir("ofd-node-verify");
  write_file(dir.path() / "signed.ofd", trust::to_string(signed_ofd()));
  write_file(dir.path() / "tampered.ofd", trust::to_string(ofd::write_package(with_changed_page(ofd::read_package(signed_ofd())))));
  std::string roots;
  for (const auto& e : std::filesystem::directory_iterator(env.sandbox() / "authority")) {
    const auto name = e.path().filename().string();
    if (name == "root.pem" || (name.rfind("ca-", 0) == 0 && e.path().extension() == ".pem"))
      roots += " " + quote(e.path().string());
  }
  const std::string run = quote(std::string(ZHAOYIN_SOURCE_DIR) + "/tests/ofd/interop/run.sh");
  auto r = run_command(run + " verify " + quote((dir.path() / "signed.ofd").string()) + roots);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto node = json::parse(r.output.substr(r.output.find('{')));
  REQUIRE(node["signatures"].size() == 2);
  for (const auto& s : node["signatures"]) {
    CHECK(s["ses"] == "ok");
    CHECK(s["bad_references"].empty());
    CHECK(s["unprotected"].empty());
    CHECK(s["signature_method"] == "1.2.156.10197.1.501");
  }
  r = run_command(run + " verify " + quote((dir.path() / "tampered.ofd").string()) + roots);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto tampered = json::parse(r.output.substr(r.output.find('{')));
  for (const auto& s : tampered["signatures"]) CHECK(s["bad_references"] == json::array({kPage}));
}

TEST_CASE("an OFD signed by Node (its own PKI, seal and References) verifies with our code, and its tampered copy does not") {
  TempDir dir("ofd-node-build");
  const std::string run = quote(std::string(ZHAOYIN_SOURCE_DIR) + "/tests/ofd/interop/run.sh");
  const auto r = run_command(run + " build " + quote(ofd_fixture_dir().string()) + " " + quote(dir.path().string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  trust::TrustStore trust_store;
  trust_store.add_root(trust::Certificate::from_pem(read_file(dir.path() / "pki" / "root.pem")));

  const auto node_ofd = trust::to_bytes(read_file(dir.path() / "node.ofd"));
  const auto found = ofd::find_signatures(node_ofd);
  REQUIRE(found.size() == 1);
  const auto& s = found[0];
  CHECK(s.problem.empty());
  CHECK(s.references_intact);
  CHECK(s.references.size() == 4);
  CHECK(s.unprotected_files.empty());
  CHECK(s.page == 1);
  const auto ses = trust::parse_seal_signature(s.signed_value);
  const auto check = trust::verify_seal_signature(ses, trust_store, s.signature_xml_sm3, false);
  INFO(check.code << ": " << check.message);
  CHECK(check.ok);
  CHECK(trust::stated_protection_range(ses.property_info) == std::vector<std::uint64_t>{0, s.signature_xml_length});

  const auto tampered = ofd::find_signatures(trust::to_bytes(read_file(dir.path() / "node-tampered.ofd")));
  REQUIRE(tampered.size() == 1);
  CHECK_FALSE(tampered[0].references_intact);
  for (const auto& ref : tampered[0].references) CHECK(ref.intact == (ref.file != kPage));
}
