// A host whose plugins folder holds the probe plugin and four plugins it must
// refuse: it starts and serves anyway, a misbehaving plugin is contained with
// its name, a bound plugin that is not loaded refuses its flows, and a hot
// reload swaps the probe for version 2 while a request in flight finishes on
// version 1.
#include <catch2/catch.hpp>
#include <future>
#include <thread>
#include "plugin_host_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

struct ProbeHost {
  TempDir dir{"zhaoyin-plugins-probe"};
  fs::path plugins = dir.path() / "plugins";
  std::unique_ptr<PluginHost> host;
  ProbeHost() {
    fs::create_directories(plugins);
    for (const char* name : {"probe", "bad_abi", "no_entry", "bad_definition", "init_fails"})
      fs::copy_file(std::string(PLUGINS_TEST_DIR) + "/" + name + ".so", plugins / (std::string(name) + ".so"));
    host = std::make_unique<PluginHost>(dir.path(), shared_sandbox(), plugins.string());
    host->bind("banking", {"probe"});
  }
};

ProbeHost& probe_host() {
  static ProbeHost h;
  return h;
}

void expect_error(const HttpResult& r, int status, const std::string& code, const std::string& message) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(error_code(r) == code);
  CHECK_THAT(r.json()["error"]["message"].get<std::string>(), Catch::Contains(message));
}

bool healthy(PluginHost& host) { return host.call("GET", "/healthz", "").status == 200; }

}  // namespace

TEST_CASE("plugins that cannot be loaded are refused with one log line each, and the host runs") {
  auto& h = probe_host();
  const std::string log = h.host->log();
  for (const char* what : {"built for plugin ABI 999", "missing entry point", "bad definition", "refused to load"})
    CHECK_THAT(log, Catch::Contains(what));
  const auto list = h.host->admin("GET", "/api/v1/admin/plugins").json();
  REQUIRE(list["plugins"].size() == 1);
  CHECK(list["plugins"][0]["id"] == "probe");
  CHECK(list["failures"].size() == 4);
  CHECK(healthy(*h.host));
}

TEST_CASE("a bound plugin that is not loaded is skipped with a warning and listed as a missing binding") {
  // The sandbox binds the tax application to 'tax', which is not in this folder.
  auto& host = *probe_host().host;
  const auto r = host.present("tax", "91420100YULA38GUXF-1");
  INFO(r.body);
  CHECK(r.status == 201);
  CHECK_THAT(host.log(), Catch::Contains("bound plugin not loaded: its rules are not applied"));
  const auto missing = host.admin("GET", "/api/v1/admin/plugins").json()["missing_bindings"];
  CHECK(std::find(missing.begin(), missing.end(),
                  nlohmann::json{{"client_id", host.client_id("tax")}, {"plugin", "tax"}}) != missing.end());
}

TEST_CASE("a misbehaving plugin is contained: the caller gets its name and code, the host keeps serving") {
  auto& host = *probe_host().host;
  const std::string lr = "91420100YULA38GUXF-1";
  host.configure("probe", {{"mode", "refuse"}});
  expect_error(host.present("banking", lr), 403, "refused_by_plugin", "plugin:probe: 探针 v1 拒绝");
  host.configure("probe", {{"mode", "throw"}});
  expect_error(host.present("banking", lr), 422, "plugin_failed", "plugin:probe: failed: probe exploded");
  host.configure("probe", {{"mode", "garbage"}});
  expect_error(host.present("banking", lr), 422, "plugin_failed", "plugin:probe: returned invalid JSON");
  host.configure("probe", {{"mode", "unknown_decision"}});
  expect_error(host.present("banking", lr), 422, "plugin_failed", "plugin:probe: returned an unknown decision 'maybe'");
  host.configure("probe", {{"mode", "no_decision"}});
  expect_error(host.present("banking", lr), 422, "plugin_failed", "without a \"decision\" field");
  CHECK(healthy(host));

  host.configure("probe", {{"mode", "allow"}});
  const auto ok = host.present("banking", lr);
  REQUIRE(ok.status == 201);
  const nlohmann::json ref = {{"subject_ref", ok.json()["archive_id"]}};
  CHECK(host.api("POST", "/api/v1/forms/probe.form/prefill", "banking", ref).json()["values"]["name"] ==
        "武汉长江云数科技有限公司（沙箱）");
  host.configure("probe", {{"fill", "throw"}});
  expect_error(host.api("POST", "/api/v1/forms/probe.form/prefill", "banking", ref), 422, "plugin_failed",
               "plugin:probe: failed: probe cannot fill");
  host.configure("probe", {{"fill", "not_text"}});
  expect_error(host.api("POST", "/api/v1/forms/probe.form/prefill", "banking", ref), 422, "plugin_failed",
               "is not text");
  host.configure("probe", nlohmann::json::object());
  CHECK(healthy(host));
}

TEST_CASE("hot reload: a new plugin file replaces the old one, and a request in flight finishes on the old code") {
  auto& h = probe_host();
  auto& host = *h.host;
  REQUIRE(host.admin("GET", "/api/v1/admin/plugins").json()["plugins"][0]["version"] == "1");
  host.configure("probe", {{"mode", "refuse"}, {"delay_ms", 3000}});

  // A presentation that is inside probe v1's on_flow while the reload happens.
  const std::size_t log_before = host.log().size();
  auto in_flight = std::async(std::launch::async, [&] { return host.present("banking", "91420100YULA38GUXF-1"); });
  bool started = false;
  for (int i = 0; i < 600 && !started; ++i) {
    started = host.log().find("on_flow started", log_before) != std::string::npos;
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(started);

  // Replace the file atomically (write a new file, rename it over), then reload.
  const fs::path next = h.plugins / "probe.so.new";
  fs::copy_file(std::string(PLUGINS_PROBE_V2_DIR) + "/probe.so", next);
  fs::rename(next, h.plugins / "probe.so");
  const auto reload = host.admin("POST", "/api/v1/admin/plugins/reload");
  INFO(reload.body);
  REQUIRE(reload.status == 200);
  REQUIRE(reload.json()["loaded"].size() == 1);
  CHECK(reload.json()["loaded"][0]["version"] == "2");
  CHECK(reload.json()["failed"].size() == 4);

  // The request in flight completes, answered by version 1.
  const auto old = in_flight.get();
  expect_error(old, 403, "refused_by_plugin", "探针 v1 拒绝");
  // New requests meet version 2, which kept the stored configuration.
  host.configure("probe", {{"mode", "refuse"}});
  expect_error(host.present("banking", "91420100YULA38GUXF-1"), 403, "refused_by_plugin", "探针 v2 拒绝");
  CHECK(host.admin("GET", "/api/v1/admin/plugins").json()["plugins"][0]["version"] == "2");
  host.configure("probe", nlohmann::json::object());
}
