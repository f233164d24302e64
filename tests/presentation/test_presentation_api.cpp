// POST /api/v1/presentations against a real zhaoyin-host on the sandbox:
// an accepted code, the face info labels per enterprise kind, and every
// refusal with its own status and error code.
#include <catch2/catch.hpp>
#include <zhaoyin/render/qr.h>
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

PresentationHost& shared_host() {
  static TempDir dir("zhaoyin-presentation-api");
  static PresentationHost host(dir.path(), shared_sandbox());
  return host;
}

wallet::Wallet wallet_of(const std::string& stem) { return sandbox_wallet(shared_sandbox(), stem); }

// Presents `code` and expects the refusal `status`/`code`.
void expect_refusal(const HttpResult& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(error_code(r) == code);
}

}  // namespace

TEST_CASE("a fresh code of the legal representative is accepted with face info, holder, checks and an archive") {
  auto& host = shared_host();
  const auto w = wallet_of("91420100YULA38GUXF-1");
  const auto r = host.present("banking", fresh_code(w));
  INFO(r.body);
  REQUIRE(r.status == 201);
  const auto j = r.json();
  CHECK(j["archive_id"].get<std::string>().rfind("arc_", 0) == 0);
  CHECK(j["license_serial"] == w.license_serial());
  CHECK(j["face_info"]["uscc"] == "91420100YULA38GUXF");
  CHECK(j["face_info"]["labels"]["legal_representative"] == "法定代表人");
  CHECK(j["holder"]["role"] == "legal_representative");
  CHECK(j["matter"].is_null());
  std::vector<std::string> names;
  for (const auto& c : j["checks"]) {
    CHECK(c["result"] == "passed");
    names.push_back(c["name"]);
  }
  CHECK(names.front() == "signature");
  CHECK(names[1] == "freshness");
  CHECK(std::find(names.begin(), names.end(), "revocation") != names.end());
  CHECK(names.back() == "replay");

  const auto archive = host.api("GET", "/api/v1/archives/" + j["archive_id"].get<std::string>(), "banking");
  REQUIRE(archive.status == 200);
  const auto a = archive.json();
  CHECK(a["face_info"] == j["face_info"]);
  CHECK(a["certificate_chain"].size() >= 2);
  CHECK(a["code"].get<std::string>().rfind("ZY1", 0) == 0);
  CHECK(a["checks"] == j["checks"]);
}

TEST_CASE("an agent's code within a precise grant is accepted for a covered matter") {
  // 办事人，精准授权（发票申领、参保登记）; the tax application (湖北) is approved for 发票申领.
  const auto r = shared_host().present("tax", fresh_code(wallet_of("91420100YULA38GUXF-3")), "电子政务/税务/发票申领");
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.json()["holder"]["role"] == "agent");
  CHECK(r.json()["matter"] == "电子政务/税务/发票申领");
}

TEST_CASE("face info comes with the labels of the enterprise kind") {
  auto& host = shared_host();
  SECTION("个体工商户: 经营者, 经营场所") {
    const auto r = host.present("banking", fresh_code(wallet_of("9244030038FRL2441J-1")));
    REQUIRE(r.status == 201);
    CHECK(r.json()["face_info"]["labels"]["legal_representative"] == "经营者");
    CHECK(r.json()["face_info"]["labels"]["address"] == "经营场所");
    CHECK(r.json()["holder"]["role_label"] == "经营者");
  }
  SECTION("合伙企业: 执行事务合伙人") {
    const auto r = host.present("banking", fresh_code(wallet_of("9137020035XKDX5368-1")));
    REQUIRE(r.status == 201);
    CHECK(r.json()["face_info"]["labels"]["legal_representative"] == "执行事务合伙人");
  }
  SECTION("分公司: 负责人, 营业场所") {
    const auto r = host.present("banking", fresh_code(wallet_of("914401009B874JH84T-1")));
    REQUIRE(r.status == 201);
    CHECK(r.json()["face_info"]["labels"]["legal_representative"] == "负责人");
    CHECK(r.json()["face_info"]["labels"]["address"] == "营业场所");
  }
}

TEST_CASE("refusals of the code itself") {
  auto& host = shared_host();
  const auto w = wallet_of("91420100YULA38GUXF-1");

  SECTION("malformed") {
    expect_refusal(host.present("banking", "HELLO-WORLD"), 422, "malformed_code");
    expect_refusal(host.present("banking", "ZY1AAAA"), 422, "malformed_code");
  }
  SECTION("bad signature: one bit of the signature flipped") {
    std::string code = fresh_code(w);
    const std::size_t at = code.size() - 20;  // inside the signature's base32
    code[at] = code[at] == 'A' ? 'B' : 'A';
    expect_refusal(host.present("banking", code), 422, "bad_signature");
  }
  SECTION("signed by another holder's key") {
    auto c = fresh_code_fields(w);
    const auto other = wallet_of("91420100YULA38GUXF-2");
    expect_refusal(host.present("banking", sign_code(other, c)), 422, "bad_signature");
  }
  SECTION("unknown license serial") {
    auto c = fresh_code_fields(w);
    c.serial_hex = "0123456789ABCDEF0123456789ABCDEF";
    expect_refusal(host.present("banking", sign_code(w, c)), 422, "unknown_license");
  }
  SECTION("expired") {
    auto c = fresh_code_fields(w);
    c.issued_at = unix_now() - 600;
    c.validity = 120;
    expect_refusal(host.present("banking", sign_code(w, c)), 422, "code_expired");
  }
  SECTION("not yet valid") {
    auto c = fresh_code_fields(w);
    c.issued_at = unix_now() + 600;
    expect_refusal(host.present("banking", sign_code(w, c)), 422, "code_not_yet_valid");
  }
  SECTION("superseded grant: the digest names another authorisation") {
    const auto agent = wallet_of("91420100YULA38GUXF-3");
    auto c = fresh_code_fields(agent);
    c.grant_digest = trust::Bytes(8, 0x11);
    expect_refusal(host.present("tax", sign_code(agent, c), "电子政务/税务/发票申领"), 403, "authorisation_superseded");
  }
  SECTION("an agent's code claiming no grant (legal representative's zero digest)") {
    const auto agent = wallet_of("91420100YULA38GUXF-3");
    auto c = fresh_code_fields(agent);
    c.grant_digest = trust::Bytes(8, 0);
    expect_refusal(host.present("tax", sign_code(agent, c)), 403, "authorisation_superseded");
  }
  SECTION("missing code and bad matter are invalid requests") {
    expect_refusal(host.api("POST", "/api/v1/presentations", "banking", "{}"), 400, "invalid_request");
    expect_refusal(host.api("POST", "/api/v1/presentations", "banking", R"({"code":"x","matter":5})"), 400,
                   "invalid_request");
  }
}

TEST_CASE("refusals of the license, enterprise, scope and authorisation") {
  auto& host = shared_host();
  SECTION("revoked holder certificate (on its CA's CRL)") {
    expect_refusal(host.present("banking", fresh_code(wallet_of("914401009B874JH84T-2"))), 422, "license_revoked");
  }
  SECTION("吊销 enterprise") {
    expect_refusal(host.present("banking", fresh_code(wallet_of("914205002MXWXWH69U-1"))), 403,
                   "enterprise_not_active");
  }
  SECTION("out of scope: 湖北 application, 河南 license") {
    expect_refusal(host.present("tax", fresh_code(wallet_of("91410100QED6JLT722-1"))), 403, "out_of_scope");
  }
  SECTION("agent whose grant expired") {
    expect_refusal(host.present("banking", fresh_code(wallet_of("91410100QED6JLT722-3"))), 403,
                   "authorisation_expired");
  }
  SECTION("matter not covered by a precise grant") {
    expect_refusal(host.present("banking", fresh_code(wallet_of("91420100YULA38GUXF-3")), "电子商务/银行/对公开户"),
                   403, "matter_not_covered");
  }
  SECTION("matter the application is not approved for") {
    expect_refusal(host.present("banking", fresh_code(wallet_of("91420100YULA38GUXF-1")), "电子政务/税务/发票申领"),
                   403, "matter_not_approved");
  }
}

TEST_CASE("a code is accepted once: the second use is refused") {
  auto& host = shared_host();
  const std::string code = fresh_code(wallet_of("91420100YULA38GUXF-2"));
  REQUIRE(host.present("banking", code).status == 201);
  expect_refusal(host.present("banking", code), 409, "code_already_used");
}

TEST_CASE("a code accepted before a restart is refused after it") {
  TempDir dir("zhaoyin-presentation-restart");
  PresentationHost host(dir.path(), shared_sandbox());
  const std::string code = fresh_code(wallet_of("91420100YULA38GUXF-1"));
  REQUIRE(host.present("banking", code).status == 201);
  host.restart(dir.path());
  expect_refusal(host.present("banking", code), 409, "code_already_used");
}

TEST_CASE("archives are visible only to the application that made them") {
  auto& host = shared_host();
  const auto r = host.present("banking", fresh_code(wallet_of("91420100YULA38GUXF-1")));
  REQUIRE(r.status == 201);
  const std::string id = r.json()["archive_id"];
  expect_refusal(host.api("GET", "/api/v1/archives/" + id, "social_insurance"), 404, "archive_not_found");
  expect_refusal(host.api("GET", "/api/v1/archives/" + id + ".pdf", "social_insurance"), 404, "archive_not_found");
  expect_refusal(host.api("POST", "/api/v1/archives/" + id + "/publish", "social_insurance"), 404,
                 "archive_not_found");
  expect_refusal(host.api("GET", "/api/v1/archives/arc_00000000000000000000000000000000", "banking"), 404,
                 "archive_not_found");
}

TEST_CASE("the presentation API needs a bearer token with the presentation scope") {
  auto& host = shared_host();
  HttpCall call;
  call.method = "POST";
  call.path = "/api/v1/presentations";
  call.content_type = "application/json";
  call.body = R"({"code":"ZY1"})";
  expect_refusal(http_call(host.port(), call), 401, "invalid_token");

  const auto app = sandbox_application(shared_sandbox(), "tax");
  HttpCall token;
  token.method = "POST";
  token.path = "/oauth/token";
  token.content_type = "application/x-www-form-urlencoded";
  token.body = "grant_type=client_credentials&scope=login&client_id=" + app["client_id"].get<std::string>() +
               "&client_secret=" + app["client_secret"].get<std::string>();
  const auto t = http_call(host.port(), token);
  REQUIRE(t.status == 200);
  call.headers = {{"Authorization", "Bearer " + t.json()["access_token"].get<std::string>()}};
  expect_refusal(http_call(host.port(), call), 403, "insufficient_scope");
}

TEST_CASE("zhaoyin-wallet present prints a code the host accepts and a QR of version 10 or lower") {
  TempDir dir("zhaoyin-presentation-wallet");
  const auto sandbox = shared_sandbox();
  const auto png = dir.path() / "code.png";
  const auto r = run_command(quote(bin("zhaoyin-wallet")) + " --wallet " +
                             quote((sandbox / "wallets/91420100YULA38GUXF-3.wallet.json").string()) + " --password " +
                             quote(wallet_password(sandbox, "91420100YULA38GUXF-3")) + " present --qr " +
                             quote(png.string()));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::string code = r.output.substr(0, r.output.find('\n'));
  CHECK(code.rfind("ZY1", 0) == 0);
  CHECK(render::encode_qr(code, render::QrLevel::M).version <= 10);
  const auto decoded = protocol::decode_presentation_code(code);
  CHECK(decoded.validity == 120);

  const auto scanned = run_command("zbarimg --quiet --raw " + quote(png.string()) + " 2>/dev/null");
  REQUIRE(scanned.exit_code == 0);
  CHECK(scanned.output.substr(0, scanned.output.find('\n')) == code);

  const auto accepted = shared_host().present("tax", code, "电子政务/税务/发票申领");
  INFO(accepted.body);
  CHECK(accepted.status == 201);

  const auto wrong = run_command(quote(bin("zhaoyin-wallet")) + " --wallet " +
                                 quote((sandbox / "wallets/91420100YULA38GUXF-3.wallet.json").string()) +
                                 " --password wrong present");
  CHECK(wrong.exit_code == 3);
}
