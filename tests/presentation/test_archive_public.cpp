// Archive and print (PDF), face-info prefill, and the public license display
// (亮照) with its live status, against a real zhaoyin-host on the sandbox.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <thread>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/x509.h>
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

PresentationHost& shared_host() {
  static TempDir dir("zhaoyin-presentation-archive");
  static PresentationHost host(dir.path(), shared_sandbox());
  return host;
}

std::string accept(PresentationHost& host, const fs::path& sandbox, const std::string& stem,
                   const std::string& department = "banking") {
  const auto r = host.present(department, fresh_code(sandbox_wallet(sandbox, stem)));
  if (r.status != 201) throw std::runtime_error("presentation refused: " + r.body);
  return r.json()["archive_id"];
}

std::string path_of(const std::string& url) { return url.substr(url.find("/public/")); }

}  // namespace

TEST_CASE("the archive PDF is a valid A4 copy with real Chinese text and a QR to the public page") {
  auto& host = shared_host();
  TempDir dir("zhaoyin-presentation-pdf");
  const std::string id = accept(host, shared_sandbox(), "9244030038FRL2441J-1");
  const auto r = host.api("GET", "/api/v1/archives/" + id + ".pdf", "banking");
  REQUIRE(r.status == 200);
  CHECK(r.header("Content-Type") == "application/pdf");
  const auto pdf = dir.path() / "copy.pdf";
  write_file(pdf, r.body);

  const auto check = run_command("qpdf --check " + quote(pdf.string()));
  INFO(check.output);
  CHECK(check.exit_code == 0);

  const auto text = run_command("pdftotext -layout " + quote(pdf.string()) + " -");
  REQUIRE(text.exit_code == 0);
  CHECK(text.output.find("深圳市南山区鹏程便利店（沙箱）") != std::string::npos);
  CHECK(text.output.find("统一社会信用代码") != std::string::npos);
  CHECK(text.output.find("9244030038FRL2441J") != std::string::npos);
  CHECK(text.output.find("经营者") != std::string::npos);   // the 个体工商户 label
  CHECK(text.output.find("经营场所") != std::string::npos);
  CHECK(text.output.find("电子营业执照核验件") != std::string::npos);
  CHECK(text.output.find("Sandbox") != std::string::npos);
  CHECK(text.output.find("核验时间") != std::string::npos);

  const auto archive = host.api("GET", "/api/v1/archives/" + id, "banking").json();
  const std::string verification_url = archive["verification_url"];
  const auto png_base = dir.path() / "page";
  REQUIRE(run_command("pdftoppm -r 150 -png -f 1 -l 1 " + quote(pdf.string()) + " " + quote(png_base.string()))
              .exit_code == 0);
  const auto scanned = run_command("zbarimg --quiet --raw " + quote(png_base.string() + "-1.png"));
  INFO(scanned.output);
  CHECK(scanned.output.find(verification_url) != std::string::npos);

  // The page the printed QR leads to answers without authentication.
  const auto page = host.get(path_of(verification_url));
  CHECK(page.status == 200);
  CHECK(page.body.find("深圳市南山区鹏程便利店（沙箱）") != std::string::npos);
}

TEST_CASE("prefill fills the generic form from an archive of this application") {
  auto& host = shared_host();
  const std::string id = accept(host, shared_sandbox(), "914401009B874JH84T-1");
  const auto r = host.api("POST", "/api/v1/forms/generic/prefill", "banking", nlohmann::json{{"subject_ref", id}}.dump());
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto j = r.json();
  CHECK(j["source"] == "archive");
  CHECK(j["values"]["uscc"] == "914401009B874JH84T");
  CHECK(j["values"]["handler_role"] == "负责人");
  bool labelled = false;
  for (const auto& f : j["fields"])
    if (f["key"] == "legal_representative") labelled = f["label"] == "负责人";
  CHECK(labelled);
  for (const auto& f : j["fields"])
    if (f["key"] == "address") CHECK(f["label"] == "营业场所");

  SECTION("unknown form") {
    const auto u = host.api("POST", "/api/v1/forms/tax-registration-9/prefill", "banking",
                            nlohmann::json{{"subject_ref", id}}.dump());
    CHECK(u.status == 404);
    CHECK(error_code(u) == "unknown_form");
  }
  SECTION("another application's archive is not found") {
    const auto u = host.api("POST", "/api/v1/forms/generic/prefill", "social_insurance",
                            nlohmann::json{{"subject_ref", id}}.dump());
    CHECK(u.status == 404);
    CHECK(error_code(u) == "subject_not_found");
  }
  SECTION("an unknown reference is not found") {
    const auto u = host.api("POST", "/api/v1/forms/generic/prefill", "banking",
                            nlohmann::json{{"subject_ref", "ls_nothing"}}.dump());
    CHECK(u.status == 404);
    CHECK(error_code(u) == "subject_not_found");
  }
  SECTION("a missing reference is an invalid request") {
    const auto u = host.api("POST", "/api/v1/forms/generic/prefill", "banking", "{}");
    CHECK(u.status == 400);
    CHECK(error_code(u) == "invalid_request");
  }
}

TEST_CASE("publishing a license gives a public page and a badge, and unpublishing removes them") {
  auto& host = shared_host();
  const std::string id = accept(host, shared_sandbox(), "91410100QED6JLT722-1");
  const auto p = host.api("POST", "/api/v1/archives/" + id + "/publish", "banking");
  INFO(p.body);
  REQUIRE(p.status == 201);
  const auto pub = p.json();
  CHECK(host.api("POST", "/api/v1/archives/" + id + "/publish", "banking").json()["token"] == pub["token"]);

  const auto page = host.get(path_of(pub["url"]));
  REQUIRE(page.status == 200);
  CHECK(page.body.find("中原智联装备股份有限公司（沙箱）") != std::string::npos);
  CHECK(page.body.find("data-status=\"valid\"") != std::string::npos);
  CHECK(page.body.find("Sandbox") != std::string::npos);
  CHECK(page.body.find("<dd>91410100QED6JLT722</dd>") != std::string::npos);

  const auto badge = host.get(path_of(pub["badge_url"]));
  REQUIRE(badge.status == 200);
  CHECK(badge.header("Content-Type").rfind("image/svg+xml", 0) == 0);
  CHECK(badge.body.find("<svg") == 0);
  CHECK(badge.body.find(pub["url"].get<std::string>()) != std::string::npos);

  REQUIRE(host.api("DELETE", "/api/v1/archives/" + id + "/publish", "banking").status == 204);
  const auto gone = host.get(path_of(pub["url"]));
  CHECK(gone.status == 404);
  CHECK(error_code(gone) == "license_not_found");
  CHECK(host.get(path_of(pub["badge_url"])).status == 404);
  const auto again = host.api("DELETE", "/api/v1/archives/" + id + "/publish", "banking");
  CHECK(error_code(again) == "not_published");
  CHECK(host.get("/public/licenses/0123456789abcdef0123456789abcdef").status == 404);
}

TEST_CASE("the public page shows a revocation once the authority's CRL lists the certificate") {
  TempDir dir("zhaoyin-presentation-revoke");
  const auto sandbox = copy_sandbox(dir);
  PresentationHost host(dir.path(), sandbox, {"--set", "authority.refresh_seconds=1"});

  const auto w = sandbox_wallet(sandbox, "91420100YULA38GUXF-1");
  const std::string id = accept(host, sandbox, "91420100YULA38GUXF-1");
  const auto pub = host.api("POST", "/api/v1/archives/" + id + "/publish", "banking").json();
  REQUIRE(host.get(path_of(pub["url"])).body.find("data-status=\"valid\"") != std::string::npos);

  // The 湖北 CA revokes the legal representative's certificate (phone lost).
  const auto ca = trust::Certificate::from_pem(read_file(sandbox / "authority/ca-42.pem"));
  const auto ca_key = trust::Sm2Key::from_pem(read_file(sandbox / "authority/ca-42.key"));
  const auto old_crl = trust::Crl::from_pem(read_file(sandbox / "authority/crl-42.pem"));
  auto entries = old_crl.entries();
  const auto now = std::chrono::system_clock::now();
  entries.push_back({w.license_serial(), now - std::chrono::seconds(5), 1});
  const auto crl = trust::issue_crl(ca, ca_key, entries, now - std::chrono::seconds(5), now + std::chrono::hours(24),
                                    old_crl.crl_number() + 1);
  write_file(sandbox / "authority/crl-42.pem.tmp", crl.pem());
  fs::rename(sandbox / "authority/crl-42.pem.tmp", sandbox / "authority/crl-42.pem");

  // Within the refresh interval the page says so; bounded by count, generous.
  bool revoked = false;
  for (int i = 0; i < 120 && !revoked; ++i) {
    revoked = host.get(path_of(pub["url"])).body.find("data-status=\"revoked\"") != std::string::npos;
    if (!revoked) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  INFO(host.log());
  CHECK(revoked);
  const auto badge = host.get(path_of(pub["badge_url"]));
  CHECK(badge.body.find("#b42318") != std::string::npos);

  // And a new code of that holder is refused.
  const auto r = host.present("banking", fresh_code(w));
  CHECK(error_code(r) == "license_revoked");
}

TEST_CASE("prefill from a login session that is not confirmed is refused") {
  auto& host = shared_host();
  const auto s = host.api("POST", "/api/v1/login-sessions", "banking", "{}");
  INFO(s.body);
  REQUIRE(s.status / 100 == 2);
  const std::string id = s.json()["id"];
  const auto u = host.api("POST", "/api/v1/forms/generic/prefill", "banking", nlohmann::json{{"subject_ref", id}}.dump());
  CHECK(u.status == 409);
  CHECK(error_code(u) == "subject_not_confirmed");
  // Another application's login session is not found.
  const auto other = host.api("POST", "/api/v1/forms/generic/prefill", "social_insurance",
                              nlohmann::json{{"subject_ref", id}}.dump());
  CHECK(error_code(other) == "subject_not_found");
}
