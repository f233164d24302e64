// A QR login end to end with zhaoyin-host on authority.driver = http against
// `zhaoyin authority serve` as its own process: the real zhaoyin-wallet scans
// and approves, the host verifies the holder through the service; a license the
// operator revokes while both run is refused at once (freshness 0); the sandbox
// demo stays on over http, and is off when the host trusts another root.
#include <catch2/catch.hpp>
#include "authority_http_fixture.h"
#include "login_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {
const char* const kBoss = "张志伟";  // legal representative of 91420100YULA38GUXF
const char* const kAdmin = "李娜";   // administrator of the same enterprise
const char* const kMatter = "电子政务/税务/发票申领";
}  // namespace

TEST_CASE("a QR login through the http driver confirms and a license revoked at the authority is then refused") {
  ServedSandbox s;
  LoginEnv env(s.dir(), http_driver_args(s, 0));
  CHECK(http("GET", env.url("/healthz")).as_json()["authority"] == "http");

  const auto created = env.create_ok("tax", {{"matter", kMatter}});
  const std::string id = created["id"];
  const auto scan = env.wallet_cli(kBoss, "scan " + quote(created["qr_text"].get<std::string>()) + " --approve");
  INFO(scan.output);
  REQUIRE(scan.exit_code == 0);
  const auto got = env.session("tax", id);
  REQUIRE(got["status"] == "confirmed");
  CHECK(got["subject"]["face_info"]["uscc"] == "91420100YULA38GUXF");
  CHECK(got["subject"]["holder"]["name"] == kBoss);
  const std::string serial = env.wallet_entry(kBoss)["cert_serial"];
  CHECK(got["subject"]["license_serial"] == serial);
  // The host asked the service, signed as itself, about this holder, and
  // fetched the Hubei CA's CRL from its distribution point.
  const auto log = s.authority_log();
  CHECK(log.find("\"target\":\"/v1/holders/" + serial + "\"") != std::string::npos);
  CHECK(log.find("\"target\":\"/crl/42.crl\"") != std::string::npos);

  s.operator_command("revoke-license " + quote(s.dir().string()) + " " + serial + " --reason keyCompromise");
  std::string refused_id;
  const auto refused = env.login_as("tax", kBoss, {{"matter", kMatter}}, &refused_id);
  INFO(refused.body);
  CHECK(refused.status == 422);
  CHECK(refused.code() == "license_revoked");
  CHECK(env.session("tax", refused_id)["status"] != "confirmed");
  // Another holder of the same enterprise is unaffected.
  CHECK(env.login_as("tax", kAdmin, {{"matter", kMatter}}).status == 200);
}

TEST_CASE("the sandbox demo runs over the http driver against the sandbox's own service only") {
  ServedSandbox s;
  {
    LoginEnv env(s.dir(), http_driver_args(s, 0));
    const auto demo = http("GET", env.url("/demo/login"));
    CHECK(demo.status == 303);
    const std::string location = demo.headers.count("Location") ? demo.headers.at("Location") : "";
    REQUIRE(location.rfind("/login/", 0) == 0);
    // The hosted login page carries the Sandbox ribbon as with the file driver.
    const auto page = http("GET", env.url(location.substr(0, location.find('#'))));
    CHECK(page.status == 200);
    CHECK(page.body.find("Sandbox") != std::string::npos);
  }
  // A host whose anchor is not the folder's root (here the Hubei issuing CA)
  // is not the sandbox's: its wallets would not verify, the demo is off.
  auto args = http_driver_args(s, 0);
  args.insert(args.end(), {"--set", "authority.root_certificate=" + (s.dir() / "authority" / "ca-42.pem").string()});
  LoginEnv other(s.dir(), args);
  const auto demo = http("GET", other.url("/demo/login"));
  CHECK(demo.status == 404);
  CHECK(other.host().log().find("the sandbox demo is off") != std::string::npos);
}
