// Associated permits (关联证照) and the license data interface
// (/api/v1/data/..., docs/api/data.md) through a real authority service
// process: the permits endpoint signed and checked by OpenSSL, the operator
// adding and revoking permits while it runs, the http and the sandbox drivers
// answering alike; the data interface's need, case reference, scope and
// quota refusals, each with its own code.
#include <Poco/URI.h>

#include <catch2/catch.hpp>
#include <zhaoyin/authority/sandbox_connector.h>
#include <zhaoyin/authority/signed_request.h>
#include "authority_http_fixture.h"
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using authority::HttpAuthorityConnector;

namespace {

const std::string kWuhan = "91420100YULA38GUXF";  // 武汉长江云数科技有限公司（沙箱）, province 42
const std::string kZhongyuanName = "中原智联装备股份有限公司（沙箱）";  // province 41

std::vector<std::string> http_driver(const ServedSandbox& s) {
  return {"--set", "authority.driver=http",           "--set", "authority.url=" + s.url(),
          "--set", "authority.max_freshness_seconds=0", "--set", "authority.retries=1",
          "--set", "authority.retry_backoff_ms=20"};
}

const authority::PermitRecord& permit_numbered(const std::vector<authority::PermitRecord>& permits,
                                               const std::string& number) {
  for (const auto& p : permits)
    if (p.number == number) return p;
  throw std::runtime_error("no permit " + number);
}

std::string encoded(const std::string& text) {
  std::string out;
  Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]%", out);
  return out;
}

nlohmann::json permit_in(const nlohmann::json& permits, const std::string& number) {
  for (const auto& p : permits)
    if (p["number"] == number) return p;
  throw std::runtime_error("no permit " + number + " in " + permits.dump());
}

std::string base64_of(const std::string& bytes) { return trust::base64_encode(trust::to_bytes(bytes)); }

nlohmann::json verify(PresentationHost& host, const std::string& department, const nlohmann::json& body) {
  const auto r = host.api("POST", "/api/v1/data/verifications?case_ref=V-1", department, body.dump());
  INFO(r.body.substr(0, 400));
  REQUIRE(r.status == 200);
  return r.json();
}

// The data interface's flows on a running host: by USCC and name, with
// permits, refusals, download and verify, and a permit revoked at the
// authority seen at once. `live_revocation`: the host's driver sees a license
// revoked at the authority on the next call (http with freshness 0).
void data_interface_flows(PresentationHost& host, const ServedSandbox& s, const fs::path& work, bool live_revocation) {
  // By USCC, a 本省 application in its own province, permits beside the license.
  auto r = host.api("GET", "/api/v1/data/licenses/" + kWuhan + "?case_ref=E-SJ/2026/12&include_permits=true", "tax");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()["uscc"] == kWuhan);
  CHECK(r.json()["face_info"]["name"] == "武汉长江云数科技有限公司（沙箱）");
  CHECK(r.json()["status"] == "active");
  CHECK(r.json()["current"] == true);
  CHECK(permit_in(r.json()["permits"], "JY14201060731025")["status"] == "valid");

  // By exact name: the national bank may ask about a 河南 enterprise; the 湖北 tax office may not.
  r = host.api("GET", "/api/v1/data/licenses?name=" + encoded(kZhongyuanName) + "&case_ref=ACC-7", "banking");
  REQUIRE(r.status == 200);
  const std::string zhongyuan = r.json()["uscc"];
  CHECK(zhongyuan.substr(2, 2) == "41");
  CHECK(host.api("GET", "/api/v1/data/licenses?name=" + encoded("中原智联装备") + "&case_ref=ACC-8", "banking").status ==
        404);  // a name is matched exactly
  r = host.api("GET", "/api/v1/data/licenses?name=" + encoded(kZhongyuanName) + "&case_ref=T-1", "tax");
  CHECK(r.status == 403);
  CHECK(error_code(r) == "outside_verification_scope");
  r = host.api("GET", "/api/v1/data/licenses/" + zhongyuan + "?case_ref=T-2", "tax");
  CHECK(r.status == 403);
  CHECK(error_code(r) == "outside_verification_scope");

  // Permits by USCC: one past its valid_to answers expired.
  r = host.api("GET", "/api/v1/data/licenses/" + zhongyuan + "/permits?case_ref=ACC-9", "banking");
  REQUIRE(r.status == 200);
  CHECK(permit_in(r.json()["permits"], "D241058221")["status"] == "expired");
  CHECK(permit_in(r.json()["permits"], "豫交运管许可郑字410100582214号")["status"] == "valid");

  // Refusals: no declared need, no case reference, a malformed one, a bad USCC.
  r = host.api("GET", "/api/v1/data/licenses/" + zhongyuan + "?case_ref=SI-1", "social_insurance");
  CHECK(r.status == 403);
  CHECK(error_code(r) == "data_interface_not_declared");
  {
    const auto app = sandbox_application(s.dir(), "tax");
    HttpCall token_call;
    token_call.method = "POST";
    token_call.path = "/oauth/token";
    token_call.content_type = "application/x-www-form-urlencoded";
    token_call.body = "grant_type=client_credentials&scope=presentation&client_id=" + app["client_id"].get<std::string>() +
                      "&client_secret=" + app["client_secret"].get<std::string>();
    const auto token = http_call(host.port(), token_call);
    REQUIRE(token.status == 200);
    HttpCall narrow;
    narrow.path = "/api/v1/data/licenses/" + kWuhan + "?case_ref=T-0";
    narrow.headers = {{"Authorization", "Bearer " + token.json()["access_token"].get<std::string>()}};
    r = http_call(host.port(), narrow);
    CHECK(r.status == 403);
    CHECK(error_code(r) == "insufficient_scope");
  }
  r = host.api("GET", "/api/v1/data/licenses/" + kWuhan, "tax");
  CHECK(r.status == 400);
  CHECK(error_code(r) == "case_ref_required");
  r = host.api("GET", "/api/v1/data/licenses/" + kWuhan + "?case_ref=" + std::string(65, 'x'), "tax");
  CHECK(error_code(r) == "invalid_case_ref");
  r = host.api("GET", "/api/v1/data/licenses/" + kWuhan + "?case_ref=" + encoded("a b"), "tax");
  CHECK(error_code(r) == "invalid_case_ref");
  r = host.api("GET", "/api/v1/data/licenses/91420100YULA38GUXX?case_ref=T-3", "tax");
  CHECK(r.status == 400);
  CHECK(error_code(r) == "invalid_uscc");
  r = host.api("GET", "/api/v1/data/licenses/" + kWuhan + "?case_ref=T-4&include_permits=maybe", "tax");
  CHECK(r.status == 400);

  // A presentation that asks for permits gets them beside the license.
  const auto wallet = sandbox_wallet(s.dir(), "91420100YULA38GUXF-1");
  r = host.api("POST", "/api/v1/presentations", "banking",
               nlohmann::json{{"code", fresh_code(wallet)}, {"include_permits", true}}.dump());
  REQUIRE(r.status == 201);
  CHECK(permit_in(r.json()["permits"], "JY14201060731025")["status"] == "valid");
  r = host.present("banking", fresh_code(wallet));
  REQUIRE(r.status == 201);
  CHECK_FALSE(r.json().contains("permits"));
  const std::string counter = host.get("/counter").body;  // the counter page asks for them with a checkbox
  CHECK(counter.find("id=\"include-permits\"") != std::string::npos);
  CHECK(counter.find("data-permit-status") != std::string::npos);

  // Download: the license copy, a PDF qpdf accepts whose QR leads to the live page.
  r = host.api("GET", "/api/v1/data/licenses/" + kWuhan + "/copy.pdf?case_ref=D-1", "tax");
  REQUIRE(r.status == 200);
  CHECK(r.header("Content-Type") == "application/pdf");
  const std::string pdf_bytes = r.body;
  const auto pdf = work / "copy.pdf";
  write_file(pdf, pdf_bytes);
  const auto check = run_command("qpdf --check " + quote(pdf.string()));
  INFO(check.output);
  CHECK(check.exit_code == 0);
  const auto png_base = work / "copy-page";
  REQUIRE(run_command("pdftoppm -r 150 -png -f 1 -l 1 " + quote(pdf.string()) + " " + quote(png_base.string()))
              .exit_code == 0);
  const auto scanned = run_command("zbarimg --quiet --raw " + quote(png_base.string() + "-1.png"));
  INFO(scanned.output);
  CHECK(scanned.output.find("/public/licenses/") != std::string::npos);
  // zbarimg may print other lines (its D-Bus complaints) around the decoded text.
  const auto at = scanned.output.find("/public/licenses/");
  REQUIRE(at != std::string::npos);
  const std::string qr_path = scanned.output.substr(at, scanned.output.find_first_of("\r\n", at) - at);
  CHECK(host.get(qr_path).status == 200);
  r = host.api("GET", "/api/v1/data/licenses/" + zhongyuan + "/copy.pdf?case_ref=D-2", "tax");
  CHECK(error_code(r) == "outside_verification_scope");

  // Verify: the copy as issued, then one byte changed; a code (not used up); a certificate.
  auto v = verify(host, "tax", {{"archive_pdf", base64_of(pdf_bytes)}});
  CHECK(v["genuine"] == true);
  CHECK(v["current"] == true);
  CHECK(v["uscc"] == kWuhan);
  std::string forged_pdf = pdf_bytes;
  forged_pdf[forged_pdf.size() / 2] = static_cast<char>(forged_pdf[forged_pdf.size() / 2] ^ 0x20);
  v = verify(host, "tax", {{"archive_pdf", base64_of(forged_pdf)}});
  CHECK(v["genuine"] == false);
  CHECK(v["reason"] == "not_issued_here");
  const std::string code = fresh_code(wallet);
  v = verify(host, "tax", {{"presentation_code", code}});
  CHECK(v["genuine"] == true);
  CHECK(v["current"] == true);
  CHECK(host.present("banking", code).status == 201);  // verifying did not use the code up
  std::string forged_code = code;
  forged_code[forged_code.size() - 10] = forged_code[forged_code.size() - 10] == 'A' ? 'B' : 'A';
  v = verify(host, "tax", {{"presentation_code", forged_code}});
  CHECK(v["genuine"] == false);
  const std::string certificate =
      read_json(s.dir() / "wallets" / "91420100YULA38GUXF-1.wallet.json")["certificate"].get<std::string>();
  v = verify(host, "tax", {{"license_certificate", certificate}});
  CHECK(v["genuine"] == true);
  CHECK(v["current"] == true);
  r = host.api("POST", "/api/v1/data/verifications?case_ref=V-2", "tax", R"({"presentation_code":"x","archive_pdf":"eA=="})");
  CHECK(r.status == 400);

  // Revoked at the authority while the host runs: shown revoked on the next call.
  s.operator_command("revoke-permit " + quote(s.dir().string()) + " " + kWuhan + " JY14201060731025");
  r = host.api("GET", "/api/v1/data/licenses/" + kWuhan + "/permits?case_ref=T-5", "tax");
  INFO("after revoke-permit: " << r.body);
  REQUIRE(r.status == 200);
  const auto revoked = permit_in(r.json()["permits"], "JY14201060731025");
  CHECK(revoked["status"] == "revoked");
  CHECK(revoked["revoked_at"].is_string());
  r = host.api("POST", "/api/v1/presentations", "banking",
               nlohmann::json{{"code", fresh_code(wallet)}, {"include_permits", true}}.dump());
  REQUIRE(r.status == 201);
  CHECK(permit_in(r.json()["permits"], "JY14201060731025")["status"] == "revoked");

  if (!live_revocation) return;
  // The license itself revoked: the copy and the certificate stay genuine, no longer current.
  s.operator_command("revoke-license " + quote(s.dir().string()) + " " + wallet.license_serial() +
                     " --reason keyCompromise");
  v = verify(host, "tax", {{"license_certificate", certificate}});
  CHECK(v["genuine"] == true);
  CHECK(v["current"] == false);
  CHECK(v["state"] == "revoked");
  v = verify(host, "tax", {{"archive_pdf", base64_of(pdf_bytes)}});
  CHECK(v["genuine"] == true);
  CHECK(v["current"] == false);
}

}  // namespace

TEST_CASE("the authority serves permits with records OpenSSL verifies, and the operator adds and revokes them while it runs") {
  ServedSandbox s;
  HttpAuthorityConnector c(connector_settings(s, s.url(), std::chrono::seconds(0), std::chrono::seconds(0)));
  const authority::SandboxConnector files(s.dir());

  auto permits = c.permits_of(kWuhan);
  REQUIRE(permits.size() == 2);
  const auto food = permit_numbered(permits, "JY14201060731025");
  CHECK(food.kind == "食品经营许可证");
  CHECK(food.issuer == "武汉市洪山区市场监督管理局");
  CHECK(food.valid_from == "2023-05-10");
  CHECK(food.status == "valid");
  CHECK(authority::to_json(food) == authority::to_json(permit_numbered(files.permits_of(kWuhan), food.number)));

  // The permit's own record, checked by OpenSSL with the status signer's key.
  const auto record = trust::base64_decode(food.record);
  const auto signature = trust::base64_decode(food.signature);
  const std::string record_text(record.begin(), record.end());
  const auto record_json = nlohmann::json::parse(record_text);
  CHECK(record_json["number"] == food.number);
  CHECK(record_json["uscc"] == kWuhan);
  CHECK(record_json["status"] == "valid");
  const std::string signer_pem = read_file(s.dir() / "authority" / "status-signer.pem");
  const std::string sig(signature.begin(), signature.end());
  CHECK(openssl_sm2_verify(s.sandbox().tmp.path(), signer_pem, record_text, sig).exit_code == 0);
  CHECK(openssl_sm2_verify(s.sandbox().tmp.path(), signer_pem, record_text, sig, false).exit_code != 0);
  std::string changed = record_text;
  changed.replace(changed.find("\"valid\""), 7, "\"VALID\"");
  CHECK(openssl_sm2_verify(s.sandbox().tmp.path(), signer_pem, changed, sig).exit_code != 0);

  // The whole answer is signed too, and refused without the host's signature.
  const auto host = host_credential(s.sandbox());
  const std::string target = "/v1/enterprises/" + kWuhan + "/permits";
  const auto answer = http_exchange(s.port(), "GET", target,
                                    {{"Authorization", authority::sign_request(host.cert, host.key, "GET", target, "",
                                                                               std::chrono::system_clock::now())}});
  REQUIRE(answer.status == 200);
  const auto header = authority::parse_authority_signature(answer.header("Authority-Signature"));
  REQUIRE(header);
  const auto body_sig = trust::base64_decode(header->signature);
  CHECK(openssl_sm2_verify(s.sandbox().tmp.path(), signer_pem, answer.body,
                           std::string(body_sig.begin(), body_sig.end()))
            .exit_code == 0);
  CHECK(http_exchange(s.port(), "GET", target).status == 401);
  CHECK(http_exchange(s.port(), "GET", "/v1/enterprises/91420100YULA38GUX0/permits",
                      {{"Authorization",
                        authority::sign_request(host.cert, host.key, "GET", "/v1/enterprises/91420100YULA38GUX0/permits",
                                                "", std::chrono::system_clock::now())}})
            .status == 404);

  // Name lookup: exact names only.
  CHECK(c.find_uscc_by_name("武汉长江云数科技有限公司（沙箱）") == kWuhan);
  CHECK_FALSE(c.find_uscc_by_name("武汉长江云数科技有限公司"));
  CHECK(files.find_uscc_by_name("武汉长江云数科技有限公司（沙箱）") == kWuhan);

  // Operator commands while the service runs (freshness 0: the next call sees them).
  const std::string dir = quote(s.dir().string());
  s.operator_command("add-permit " + dir + " " + kWuhan +
                     " --number 42-RS-0001 --kind 人力资源服务许可证 --issuer 武汉市人力资源和社会保障局"
                     " --scope 职业中介活动 --from 2026-01-01 --to 2030-12-31");
  s.operator_command("revoke-permit " + dir + " " + kWuhan + " JY14201060731025");
  permits = c.permits_of(kWuhan);
  REQUIRE(permits.size() == 3);
  CHECK(permit_numbered(permits, "42-RS-0001").status == "valid");
  CHECK(permit_numbered(permits, "42-RS-0001").scope == "职业中介活动");
  CHECK(permit_numbered(permits, "JY14201060731025").status == "revoked");
  CHECK_FALSE(permit_numbered(permits, "JY14201060731025").revoked_at.empty());
  const authority::SandboxConnector reread(s.dir());
  CHECK(permit_numbered(reread.permits_of(kWuhan), "JY14201060731025").status == "revoked");

  // Refused, and nothing changed: an unknown number, a second revocation, a duplicate, bad dates.
  const auto cli = quote(bin("zhaoyin"));
  CHECK(run_command(cli + " authority revoke-permit " + dir + " " + kWuhan + " NO-SUCH").exit_code == 1);
  CHECK(run_command(cli + " authority revoke-permit " + dir + " " + kWuhan + " JY14201060731025").exit_code == 1);
  CHECK(run_command(cli + " authority add-permit " + dir + " " + kWuhan +
                    " --number 42-RS-0001 --kind K --issuer I --from 2026-01-01 --to 2027-01-01")
            .exit_code == 1);
  CHECK(run_command(cli + " authority add-permit " + dir + " " + kWuhan +
                    " --number 42-RS-0002 --kind K --issuer I --from 2026-02-30 --to 2027-01-01")
            .exit_code == 1);
  CHECK(run_command(cli + " authority add-permit " + dir + " " + kWuhan + " --number X").exit_code == 2);
  CHECK(c.permits_of(kWuhan).size() == 3);
}

TEST_CASE("the data interface through the http driver: queries, scope, need and case_ref refusals, a revoked permit") {
  ServedSandbox s;
  TempDir work("zhaoyin-data-http");
  PresentationHost host(work.path(), s.dir(), http_driver(s));
  data_interface_flows(host, s, work.path(), true);
  // Each call that reached the authority is audited with its case reference
  // and the purpose the application declared (carried into the store, migration 28).
  CHECK(host.log().find("\"case_ref\":\"E-SJ/2026/12\"") != std::string::npos);
  bool purpose_logged = false;
  std::istringstream lines(host.log());
  for (std::string line; std::getline(lines, line);)
    if (line.find("data interface call") != std::string::npos) {
      CHECK(line.find("\"purpose\":\"\"") == std::string::npos);
      purpose_logged = purpose_logged || line.find("sandbox demo") != std::string::npos;
    }
  CHECK(purpose_logged);
}

TEST_CASE("the data interface through the sandbox file driver answers the same") {
  ServedSandbox s;  // the operator commands work on its folder; the host reads the files
  TempDir work("zhaoyin-data-files");
  PresentationHost host(work.path(), s.dir());
  data_interface_flows(host, s, work.path(), false);
}

TEST_CASE("data interface calls count against the annual volume and the peak rate") {
  TempDir tmp("zhaoyin-data-quota");
  const auto sandbox = copy_sandbox(tmp);
  auto doc = read_json(sandbox / "sandbox.json");
  for (auto& app : doc["applications"]) {
    if (app["department"] == "tax") app["annual_volume"] = 3;
    if (app["department"] == "banking") app["peak_rate"] = 1;
  }
  write_json(sandbox / "sandbox.json", doc);
  PresentationHost host(tmp.path(), sandbox);
  const std::string path = "/api/v1/data/licenses/" + kWuhan + "?case_ref=Q-1";
  for (int i = 0; i < 3; ++i) CHECK(host.api("GET", path, "tax").status == 200);
  auto r = host.api("GET", path, "tax");
  CHECK(r.status == 403);
  CHECK(error_code(r) == "annual_volume_exceeded");
  // Peak rate 1/s: calls made back to back meet a 429 within a few (two in one second).
  bool limited = false;
  for (int i = 0; i < 50 && !limited; ++i) {
    r = host.api("GET", path, "banking");
    limited = r.status == 429;
  }
  CHECK(limited);
  CHECK(error_code(r) == "rate_limited");
}
