// The operator CLI: help, sandbox summary, and its usage errors.
#include <catch2/catch.hpp>
#include "sandbox_fixture.h"

using namespace zhaoyin::test;

namespace {

CommandResult zhaoyin_cli(const std::string& arguments) { return run_command(quote(bin("zhaoyin")) + " " + arguments); }

}  // namespace

TEST_CASE("zhaoyin --help lists the commands") {
  const auto r = zhaoyin_cli("--help");
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("sandbox init DIR") != std::string::npos);
  CHECK(r.output.find("sandbox summary DIR") != std::string::npos);
}

TEST_CASE("zhaoyin sandbox summary prints pages, wallets with passwords, applications and a token example") {
  const Sandbox& s = shared_sandbox();
  const auto r = zhaoyin_cli("sandbox summary " + quote(s.dir.path().string()) + " --port 18080");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("http://127.0.0.1:18080/healthz") != std::string::npos);
  CHECK(r.output.find("http://127.0.0.1:18080/metrics") != std::string::npos);
  for (const auto& w : s.manifest["wallets"]) {
    CHECK(r.output.find(s.path(w["path"]).string()) != std::string::npos);
    CHECK(r.output.find(w["password"].get<std::string>()) != std::string::npos);
    CHECK(r.output.find(w["holder"].get<std::string>()) != std::string::npos);
  }
  for (const auto& e : s.manifest["enterprises"]) CHECK(r.output.find(e["name"].get<std::string>()) != std::string::npos);
  for (const auto& a : s.manifest["applications"]) {
    CHECK(r.output.find(a["client_id"].get<std::string>()) != std::string::npos);
    CHECK(r.output.find(a["client_secret"].get<std::string>()) != std::string::npos);
    CHECK(r.output.find(a["department"].get<std::string>()) != std::string::npos);
  }
  CHECK(r.output.find("curl -s -X POST http://127.0.0.1:18080/oauth/token") != std::string::npos);
  CHECK(r.output.find("grant_type=client_credentials") != std::string::npos);
}

TEST_CASE("zhaoyin sandbox summary uses port 8080 unless told") {
  const Sandbox& s = shared_sandbox();
  const auto r = zhaoyin_cli("sandbox summary " + quote(s.dir.path().string()));
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("http://127.0.0.1:8080/healthz") != std::string::npos);
}

TEST_CASE("zhaoyin refuses unknown commands, bad options and missing sandboxes") {
  CHECK(zhaoyin_cli("").exit_code == 2);
  CHECK(zhaoyin_cli("frobnicate").exit_code == 2);
  CHECK(zhaoyin_cli("sandbox").exit_code == 2);
  CHECK(zhaoyin_cli("sandbox destroy /tmp/x").exit_code == 2);
  CHECK(zhaoyin_cli("sandbox init /tmp/x --colour").exit_code == 2);
  CHECK(zhaoyin_cli("sandbox summary").exit_code == 2);
  CHECK(zhaoyin_cli("sandbox summary /tmp/x --port").exit_code == 2);
  CHECK(zhaoyin_cli("sandbox summary /tmp/x --port 70000").exit_code == 2);
  CHECK(zhaoyin_cli("sandbox summary /tmp/x --port abc").exit_code == 2);

  TempDir empty;
  const auto r = zhaoyin_cli("sandbox summary " + quote(empty.path().string()));
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("sandbox init") != std::string::npos);
}
