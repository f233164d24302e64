// Tricky redirect targets in headless Chromium (tests/redirect/browser): the
// staff sign-in's next=, OIDC redirect_uri, and the hosted login page's
// renewal and return_url, against a real zhaoyin-host on the sandbox. The
// browser must never leave the host's origin. Screenshots go to the test's
// folder (ZHAOYIN_REDIRECT_SCREENSHOTS=DIR keeps a copy).
#include <catch2/catch.hpp>
#include <host_process.h>
#include <sandbox_fixture.h>

using namespace zhaoyin::test;

TEST_CASE("tricky redirect targets never take Chromium off the host", "[redirect][browser]") {
  TempDir dir("zhaoyin-redirect-browser");
  HostProcess host(dir.path(), {"--data", (dir.path() / "data").string(), "--sandbox", shared_sandbox().string()});
  REQUIRE(host.ready());
  const auto sandbox = read_json(shared_sandbox() / "sandbox.json");
  const auto staff = read_json(shared_sandbox() / "admin" / "staff.json");
  nlohmann::json cfg = {{"url", host.url()}, {"out_dir", dir.path().string()}, {"wallet_bin", bin("zhaoyin-wallet")}};
  for (const auto& a : staff["accounts"])
    if (a["username"] == "operator") cfg["staff_username"] = a["username"], cfg["staff_password"] = a["password"];
  for (const auto& a : sandbox["applications"]) {
    if (a["department"] != "tax") continue;
    cfg["client_id"] = a["client_id"];
    cfg["client_secret"] = a["client_secret"];
    for (const auto& uri : a["redirect_uris"])
      if (uri.get<std::string>().rfind("http://127.0.0.1", 0) == 0) cfg["redirect_uri"] = uri;
  }
  for (const auto& w : sandbox["wallets"]) {
    if (w["holder"] != "张志伟") continue;
    cfg["wallet_file"] = (shared_sandbox() / w["path"].get<std::string>()).string();
    cfg["wallet_password"] = w["password"];
  }
  for (const char* key : {"staff_password", "client_id", "redirect_uri", "wallet_file"}) {
    INFO(key);
    REQUIRE(cfg.contains(key));
  }
  write_json(dir.path() / "config.json", cfg);
  const auto r = run_command(quote(source_dir() + "/tests/redirect/browser/run.sh") + " " +
                             quote((dir.path() / "config.json").string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("redirects ok") != std::string::npos);
  for (const char* shot : {"redirect-admin-next", "redirect-oidc-refused", "redirect-page-expired", "redirect-page-renewed",
                           "sign-page-pending"})
    CHECK(fs::exists(dir.path() / (std::string(shot) + ".png")));
  if (const char* keep = std::getenv("ZHAOYIN_REDIRECT_SCREENSHOTS")) {
    fs::create_directories(keep);
    for (const auto& e : fs::directory_iterator(dir.path()))
      if (e.path().extension() == ".png") fs::copy_file(e.path(), fs::path(keep) / e.path().filename(), fs::copy_options::overwrite_existing);
  }
}
