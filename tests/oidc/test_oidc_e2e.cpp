// End to end: the real zhaoyin-host on a fresh sandbox, the wallet simulator,
// and openid-client from the npm registry driving the whole flow
// (tests/oidc/js/e2e.js; npm ci runs first when node_modules is missing).
#include <catch2/catch.hpp>
#include <host_process.h>
#include "sandbox_fixture.h"

using namespace zhaoyin::test;

TEST_CASE("oidc e2e: openid-client signs in with the wallet simulator against the real host", "[oidc][e2e]") {
  TempDir dir("zhaoyin-oidc-e2e");
  const auto sandbox = shared_sandbox();
  HostProcess host(dir.path(), {"--data", (dir.path() / "data").string(), "--sandbox", sandbox.string()});
  INFO(host.log());
  REQUIRE(host.ready());

  const std::string script = source_dir() + "/tests/oidc/js/run-e2e.sh";
  const auto r = run_command("sh " + quote(script) + " " + quote(host.url()) + " " + quote(sandbox.string()) + " " +
                             quote(bin("zhaoyin-wallet")));
  INFO(r.output);
  INFO(host.log());
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("PASS oidc end to end") != std::string::npos);
}

TEST_CASE("oidc e2e: single sign-on across three relying parties, prompt=none, refusals and logout (openid-client)", "[oidc][e2e][sso]") {
  TempDir dir("zhaoyin-oidc-sso");
  const auto sandbox = shared_sandbox();
  HostProcess host(dir.path(), {"--data", (dir.path() / "data").string(), "--sandbox", sandbox.string(), "--set",
                                "oidc.sso.enabled=true"});
  INFO(host.log());
  REQUIRE(host.ready());

  const std::string script = source_dir() + "/tests/oidc/js/run-sso.sh";
  const auto r = run_command("sh " + quote(script) + " " + quote(host.url()) + " " + quote(sandbox.string()) + " " +
                             quote(bin("zhaoyin-wallet")));
  INFO(r.output);
  INFO(host.log());
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("PASS oidc single sign-on") != std::string::npos);
}
