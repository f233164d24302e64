// THE browser test of the matters catalogue (issue 21): the operator's
// 授权事项目录 pages and the application form in headless Chromium
// (browser/catalogue_test.js) against a real zhaoyin-host on the sandbox.
// ZHAOYIN_DOCS_SCREENSHOTS=<dir>: also write the screenshots docs/ADMIN.md
// shows there (docs/images).
#include <catch2/catch.hpp>
#include <cstdlib>

#include "page_client.h"

using namespace zhaoyin::test;
using nlohmann::json;

TEST_CASE("the operator runs the matters catalogue and the application form follows it in the browser",
          "[admin_pages][browser][catalogue]") {
  TempDir dir("zhaoyin-catalogue-browser");
  const auto sandbox = shared_sandbox();
  PagesHost host;
  json config = {{"url", host.url()},
                 {"operator", {{"username", "operator"}, {"password", staff_password(sandbox, "operator")}}},
                 {"applicant", {{"username", "applicant"}, {"password", staff_password(sandbox, "applicant")}}},
                 {"out_dir", dir.path().string()}};
  if (const char* docs = std::getenv("ZHAOYIN_DOCS_SCREENSHOTS")) {
    fs::create_directories(docs);
    config["docs_dir"] = docs;
  }
  const auto config_file = dir.path() / "config.json";
  write_file(config_file, config.dump(2));
  const auto r = run_command(quote(source_dir() + "/tests/admin_pages/browser/run.sh") + " catalogue_test.js " +
                             quote(config_file.string()));
  INFO(r.output);
  INFO(host.log());
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("matters catalogue ok") != std::string::npos);
  std::size_t screenshots = 0;
  for (const auto& e : fs::directory_iterator(dir.path()))
    if (e.path().extension() == ".png") ++screenshots;
  CHECK(screenshots >= 6);
}
