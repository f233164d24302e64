// The 附件2 scenario register in headless Chromium (browser/register_test.js)
// against a real zhaoyin-host on the sandbox, with one application approved
// through the pages beforehand. ZHAOYIN_DOCS_SCREENSHOTS=<dir>: also write
// the screenshots docs/ADMIN.md shows there (docs/images).
#include <catch2/catch.hpp>
#include <cstdlib>

#include "scenario_fixture.h"

using namespace zhaoyin::test;
using nlohmann::json;

TEST_CASE("the reviewer lists, filters and exports the scenario register in the browser",
          "[admin_pages][browser][scenarios]") {
  TempDir dir("zhaoyin-register-browser");
  PagesHost host;
  approved_client(host, form_with_rows("浏览器场景系统"));
  json config = {{"url", host.url()},
                 {"reviewer", {{"username", "reviewer"}, {"password", staff_password(shared_sandbox(), "reviewer")}}},
                 {"out_dir", dir.path().string()}};
  if (const char* docs = std::getenv("ZHAOYIN_DOCS_SCREENSHOTS")) {
    fs::create_directories(docs);
    config["docs_dir"] = docs;
  }
  const auto config_file = dir.path() / "config.json";
  write_file(config_file, config.dump(2));
  const auto r = run_command(quote(source_dir() + "/tests/admin_pages/browser/run.sh") + " register_test.js " +
                             quote(config_file.string()));
  INFO(r.output);
  INFO(host.log());
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("scenario register ok") != std::string::npos);
}
