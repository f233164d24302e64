// The browser SDK's widgets (clients/js) in headless Chromium against a real
// zhaoyin-host on the sandbox, the wallet simulator answering: login over
// SSE, the long-poll fallback with SSE blocked, expiry and renewal, a sign
// task, and the host's signed callbacks checked by verifyWebhook in the
// portal's server (clients/js/test/browser/widget.chromium.js says what each
// step checks). Screenshots go to the test's folder (ZHAOYIN_SDK_SCREENSHOTS=DIR
// keeps a copy).
#include <catch2/catch.hpp>
#include <host_process.h>
#include <sandbox_fixture.h>

using namespace zhaoyin::test;

TEST_CASE("the login and sign widgets follow a real host in Chromium", "[sdk][browser]") {
  TempDir dir("zhaoyin-js-client-browser");
  // Callbacks over plain http to 127.0.0.1: the portal's server receives them and checks them with verifyWebhook.
  HostProcess host(dir.path(), {"--data", (dir.path() / "data").string(), "--sandbox", shared_sandbox().string(), "--set",
                                "callbacks.allow_http=true", "--set", "callbacks.allow=127.0.0.1/32"});
  REQUIRE(host.ready());
  const auto sandbox = read_json(shared_sandbox() / "sandbox.json");
  nlohmann::json cfg = {{"url", host.url()}, {"out_dir", dir.path().string()}, {"wallet_bin", bin("zhaoyin-wallet")}};
  // The tax department's application is approved for login and e-signature.
  for (const auto& a : sandbox["applications"]) {
    if (a["department"] != "tax") continue;
    cfg["client_id"] = a["client_id"];
    cfg["client_secret"] = a["client_secret"];
  }
  // A legal representative, who may use the company seal.
  for (const auto& w : sandbox["wallets"]) {
    if (w["holder"] != "张志伟") continue;
    cfg["wallet_file"] = (shared_sandbox() / w["path"].get<std::string>()).string();
    cfg["wallet_password"] = w["password"];
  }
  for (const char* key : {"client_id", "wallet_file"}) {
    INFO(key);
    REQUIRE(cfg.contains(key));
  }
  write_json(dir.path() / "config.json", cfg);
  const auto r = run_command(quote(source_dir() + "/clients/js/run-browser-test.sh") + " " +
                             quote((dir.path() / "config.json").string()));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("widget ok") != std::string::npos);
  for (const char* shot : {"widget-login-pending", "widget-login-confirmed", "widget-login-long-poll", "widget-login-expired",
                           "widget-login-renewed", "widget-sign-pending", "widget-sign-signed"})
    CHECK(fs::exists(dir.path() / (std::string(shot) + ".png")));
  if (const char* keep = std::getenv("ZHAOYIN_SDK_SCREENSHOTS")) {
    fs::create_directories(keep);
    for (const auto& e : fs::directory_iterator(dir.path()))
      if (e.path().extension() == ".png") fs::copy_file(e.path(), fs::path(keep) / e.path().filename(), fs::copy_options::overwrite_existing);
  }
}
