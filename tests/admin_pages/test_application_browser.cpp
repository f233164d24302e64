// THE browser test of issue 8's access applications: the whole lifecycle in
// headless Chromium (browser/lifecycle_test.js) against a real zhaoyin-host on
// the sandbox: fill and submit, accept and approve, the secret shown once,
// a token and a presentation with it, <script> shown as text, CSRF refused.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "page_client.h"

using namespace zhaoyin::test;
using nlohmann::json;

namespace {

std::string sandbox_wallet_password(const fs::path& sandbox, const std::string& stem) {
  const auto summary = read_json(sandbox / "sandbox.json");  // kept: the loop must not outlive it
  for (const auto& w : summary["wallets"])
    if (w["path"].get<std::string>() == "wallets/" + stem + ".wallet.json") return w["password"];
  throw std::runtime_error("no sandbox wallet " + stem);
}

}  // namespace

TEST_CASE("an access application goes from the applicant's form to a working presentation in the browser",
          "[admin_pages][browser]") {
  TempDir dir("zhaoyin-admin-pages-browser");
  const auto sandbox = shared_sandbox();
  PagesHost host;
  const std::string stem = "91420100YULA38GUXF-1";  // a 湖北 (42) enterprise's legal representative
  const json config = {
      {"url", host.url()},
      {"applicant", {{"username", "applicant"}, {"password", staff_password(sandbox, "applicant")}}},
      {"reviewer", {{"username", "reviewer"}, {"password", staff_password(sandbox, "reviewer")}}},
      {"operator", {{"username", "operator"}, {"password", staff_password(sandbox, "operator")}}},
      {"out_dir", dir.path().string()},
      {"wallet",
       {{"bin", bin("zhaoyin-wallet")},
        {"file", (sandbox / ("wallets/" + stem + ".wallet.json")).string()},
        {"password", sandbox_wallet_password(sandbox, stem)}}},
      {"uscc", "91420100YULA38GUXF"}};
  const auto config_file = dir.path() / "config.json";
  write_file(config_file, config.dump(2));
  const auto r = run_command(quote(source_dir() + "/tests/admin_pages/browser/run.sh") + " " + quote(config_file.string()));
  INFO(r.output);
  INFO(host.log());
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("application lifecycle ok") != std::string::npos);
  std::size_t screenshots = 0;
  for (const auto& e : fs::directory_iterator(dir.path()))
    if (e.path().extension() == ".png") ++screenshots;
  CHECK(screenshots >= 8);
  // ZHAOYIN_KEEP_SCREENSHOTS=<dir>: keep them for a person to look at.
  if (const char* keep = std::getenv("ZHAOYIN_KEEP_SCREENSHOTS")) {
    fs::create_directories(keep);
    for (const auto& e : fs::directory_iterator(dir.path()))
      if (e.path().extension() == ".png")
        fs::copy_file(e.path(), fs::path(keep) / e.path().filename(), fs::copy_options::overwrite_existing);
  }
}
