// zhaoyin-wallet scan against hosts it must not trust, and a host without a signing identity.
#include <catch2/catch.hpp>

#include "login_env.h"

using namespace zhaoyin::test;

TEST_CASE("the wallet refuses a request signed by a host its root did not certify") {
  // A second sandbox has another root: its host signs with a certificate the
  // first sandbox's wallets do not trust.
  TempDir dir;
  const auto other = dir.path() / "other";
  const auto init = run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(other.string()));
  REQUIRE(init.exit_code == 0);
  LoginEnv foreign(other);
  const auto s = foreign.create_ok("tax");
  auto& env = LoginEnv::get();  // wallets of the shared sandbox
  const auto scan = env.wallet_cli("张志伟", "scan " + quote(s["qr_text"]) + " --approve");
  INFO(scan.output);
  CHECK(scan.exit_code == 1);
  CHECK(scan.output.find("untrusted_host") != std::string::npos);
}

TEST_CASE("the wallet refuses texts that are not wallet requests, and reports host refusals") {
  auto& env = LoginEnv::get();
  auto r = env.wallet_cli("张志伟", "scan 'https://example.invalid/pay?x=1' --approve");
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("not_a_wallet_request") != std::string::npos);
  r = env.wallet_cli("张志伟", "scan " + quote(env.url("/wallet/v1/requests/doesnotexist")) + " --approve");
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("not_found") != std::string::npos);
  TempDir dir;
  write_file(dir.path() / "blank.png", "not a png");
  r = env.wallet_cli("张志伟", "scan --image " + quote(dir / "blank.png"));
  CHECK(r.exit_code == 1);
  // A host refusal is printed with its code.
  const auto s = env.create_ok("tax");
  r = env.wallet_cli("黄丽", "scan " + quote(s["qr_text"]) + " --approve");
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("out_of_scope") != std::string::npos);
}

TEST_CASE("a host without a signing identity answers 503 wallet_unavailable") {
  TempDir dir;
  HostProcess host(dir.path(), {"--data", dir / "data"});
  REQUIRE(host.ready());
  const auto r = http("GET", host.url("/wallet/v1/requests/sometickettext"));
  CHECK(r.status == 503);
  CHECK(r.code() == "wallet_unavailable");
}
