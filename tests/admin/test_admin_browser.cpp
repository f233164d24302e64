// The operator's pages in headless Chromium (tests/admin/browser): sign in as
// the sandbox's operator, open plugins (save a value, see a field error),
// scripts, usage and audit, sign out. Screenshots go to the test's folder
// (ZHAOYIN_ADMIN_SCREENSHOTS=DIR keeps a copy).
#include <catch2/catch.hpp>
#include <host_process.h>
#include <sandbox_fixture.h>

using namespace zhaoyin::test;

TEST_CASE("an operator signs in and goes through plugins, scripts, usage and audit in Chromium", "[admin][browser]") {
  TempDir dir("zhaoyin-admin-browser");
  HostProcess host(dir.path(), {"--data", (dir.path() / "data").string(), "--sandbox", shared_sandbox().string()});
  REQUIRE(host.ready());
  const auto staff = read_json(shared_sandbox() / "admin" / "staff.json");
  std::string password;
  for (const auto& a : staff["accounts"])
    if (a["username"] == "operator") password = a["password"];
  REQUIRE(!password.empty());
  const auto r = run_command(quote(source_dir() + "/tests/admin/browser/run.sh") + " " + quote(host.url()) +
                             " operator " + quote(password) + " " + quote(dir.path().string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("operator pages ok") != std::string::npos);
  for (const char* shot : {"admin-login", "admin-plugins", "admin-plugins-error", "admin-scripts", "admin-usage", "admin-audit"})
    CHECK(fs::exists(dir.path() / (std::string(shot) + ".png")));
  if (const char* keep = std::getenv("ZHAOYIN_ADMIN_SCREENSHOTS")) {
    fs::create_directories(keep);
    for (const auto& e : fs::directory_iterator(dir.path()))
      if (e.path().extension() == ".png") fs::copy_file(e.path(), fs::path(keep) / e.path().filename(), fs::copy_options::overwrite_existing);
  }
}
