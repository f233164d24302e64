// A sign task end to end with zhaoyin-host on authority.driver = http against
// `zhaoyin authority serve` as its own process: the holder signs with the
// wallet core as the real wallet does, the host checks the seal and the signer
// through the service, and the signed PDF verifies (the seal maker, the chain
// and the CRL all from the service). A license the operator revokes while it
// runs: a new signature refused, the report on the earlier one says revoked.
#include <catch2/catch.hpp>
#include "authority_http_fixture.h"
#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {
const char* const kAdmin = "李娜";  // administrator of 91420100YULA38GUXF: company and contract seals
}  // namespace

TEST_CASE("a sign task is signed and verified through the http driver and a signer revoked at the authority is refused") {
  ServedSandbox s;
  SigningEnv env(s.dir(), http_driver_args(s, 0));
  const std::string serial = env.wallet_entry(kAdmin)["cert_serial"];

  const auto t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"matter", "电子政务/税务"}});
  const std::string id = t["id"];
  const auto signed_reply = env.sign_task(t, kAdmin, "contract");
  INFO(signed_reply.body);
  REQUIRE(signed_reply.status == 200);
  CHECK(signed_reply.as_json()["status"] == "signed");
  CHECK(env.get_task("tax", id).as_json()["status"] == "signed");
  // The seals and the holder came from the service.
  const auto log = s.authority_log();
  CHECK(log.find("\"target\":\"/v1/enterprises/91420100YULA38GUXF/seals\"") != std::string::npos);
  CHECK(log.find("\"target\":\"/v1/holders/" + serial + "\"") != std::string::npos);
  CHECK(log.find("\"target\":\"/crl/42.crl\"") != std::string::npos);

  const auto pdf = env.document("tax", id);
  const auto report = env.verify_pdf("tax", pdf);
  REQUIRE(report["signatures"].size() == 1);
  const auto& sig = report["signatures"][0];
  CHECK(sig["indication"] == "TOTAL_PASSED");
  CHECK(sig["seal"]["type"] == "contract");
  CHECK(sig["seal"]["maker"]["signature_valid"] == true);
  CHECK(sig["signer"]["uscc"] == "91420100YULA38GUXF");
  CHECK(sig["signer"]["revocation"]["status"] == "good");
  CHECK(sig["data_integrity"]["intact"] == true);

  // The sandbox demo's sign page works over http too.
  const auto demo = http("GET", env.url("/demo/sign"));
  CHECK(demo.status == 303);

  s.operator_command("revoke-license " + quote(s.dir().string()) + " " + serial + " --reason keyCompromise");
  const auto again = env.create_pdf_task("tax", {"contract"}, "any_of", {{"matter", "电子政务/税务"}});
  const auto refused = env.sign_task(again, kAdmin, "contract");
  INFO(refused.body);
  CHECK(refused.status == 422);
  CHECK(refused.code() == "license_revoked");
  CHECK(env.get_task("tax", again["id"].get<std::string>()).as_json()["status"] != "signed");
  const auto later = env.verify_pdf("tax", pdf);
  REQUIRE(later["signatures"].size() == 1);
  CHECK(later["signatures"][0]["signer"]["revocation"]["status"] == "revoked");
}

TEST_CASE("with certificate_status = ocsp a sign answer asks the responder about the signer") {
  ServedSandbox s;
  auto args = http_driver_args(s, 0);
  args.insert(args.end(), {"--set", "authority.certificate_status=ocsp"});
  SigningEnv env(s.dir(), args);
  const auto t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"matter", "电子政务/税务"}});
  const auto signed_reply = env.sign_task(t, kAdmin, "contract");
  INFO(signed_reply.body);
  REQUIRE(signed_reply.status == 200);
  CHECK(s.authority_log().find("\"target\":\"/ocsp/") != std::string::npos);
}
