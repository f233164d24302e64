// The display code page (/v/{code}) in headless Chromium at 375 px
// (tests/presentation/browser/display_page_test.js): a code made by the real
// zhaoyin-wallet display-code shows valid with its label and the enterprise,
// fits the phone's width without CSP errors; after zhaoyin-wallet
// revoke-display-code it shows revoked_by_enterprise.
#include <catch2/catch.hpp>
#include "presentation_fixture.h"

using namespace zhaoyin::test;

TEST_CASE("the display code page on a 375-px phone shows a valid code, then its revocation by the enterprise") {
  TempDir dir("zhaoyin-display-browser");
  const auto sandbox = shared_sandbox();
  PresentationHost host(dir.path(), sandbox);
  const std::string stem = "91420100YULA38GUXF-1";
  const std::string wallet = quote(bin("zhaoyin-wallet")) + " --wallet " +
                             quote((sandbox / ("wallets/" + stem + ".wallet.json")).string()) + " --password " +
                             quote(wallet_password(sandbox, stem));
  const std::string label = "武汉市江汉区解放大道 1 号 门店";
  const auto make = [&] {
    const auto made = run_command(wallet + " display-code --host " + quote(host.url()) + " --label " + quote(label));
    INFO(made.output);
    REQUIRE(made.exit_code == 0);
    return made.output.substr(0, made.output.find('\n'));
  };
  const std::string valid = make(), revoked = make();
  const auto r = run_command(wallet + " revoke-display-code --host " + quote(host.url()) + " --code " + quote(revoked));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);

  const auto b = run_command(quote(source_dir() + "/tests/presentation/browser/run.sh") + " display " + quote(valid) +
                             " " + quote(revoked) + " " + quote("武汉长江云数科技有限公司（沙箱）") + " " + quote(label) +
                             " " + quote(dir.path().string()));
  INFO(b.output);
  CHECK(b.exit_code == 0);
  CHECK(b.output.find("display page ok") != std::string::npos);
  CHECK(fs::exists(dir.path() / "display-valid.png"));
}
