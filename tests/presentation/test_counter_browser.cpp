// /counter in headless Chromium (tests/presentation/browser): a code made by
// the real zhaoyin-wallet present is accepted (green card with the
// enterprise), the same code again is refused with code_already_used.
#include <catch2/catch.hpp>
#include "presentation_fixture.h"

using namespace zhaoyin::test;

TEST_CASE("the counter page shows a green card for a fresh code and the replay refusal for the same code") {
  TempDir dir("zhaoyin-presentation-counter");
  const auto sandbox = shared_sandbox();
  PresentationHost host(dir.path(), sandbox);
  const std::string stem = "91420100YULA38GUXF-1";
  const auto made = run_command(quote(bin("zhaoyin-wallet")) + " --wallet " +
                                quote((sandbox / ("wallets/" + stem + ".wallet.json")).string()) + " --password " +
                                quote(wallet_password(sandbox, stem)) + " present 2>/dev/null");
  REQUIRE(made.exit_code == 0);
  const std::string code = made.output.substr(0, made.output.find('\n'));
  const auto app = sandbox_application(sandbox, "banking");
  const auto r = run_command(quote(source_dir() + "/tests/presentation/browser/run.sh") + " " + quote(host.url()) +
                             " " + quote(app["client_id"].get<std::string>()) + " " +
                             quote(app["client_secret"].get<std::string>()) + " " + quote(code) + " " +
                             quote("武汉长江云数科技有限公司（沙箱）") + " " + quote(dir.path().string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("counter page ok") != std::string::npos);
  CHECK(fs::exists(dir.path() / "counter-accepted.png"));
}
