// The plugin loader and the plugin as a flow::Extension, in process: every
// refusal at load, and every way a loaded plugin can answer wrongly, contained
// as a refusal that names the plugin.
#include <catch2/catch.hpp>
#include <test_support.h>
#include <zhaoyin/plugins/loader.h>
#include <zhaoyin/plugins/manager.h>

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

std::string test_plugin(const std::string& name) { return std::string(PLUGINS_TEST_DIR) + "/" + name + ".so"; }

std::shared_ptr<plugins::LoadedPlugin> load_ok(const std::string& file) {
  const auto outcome = plugins::load_plugin(file, {});
  INFO(outcome.failure.error);
  REQUIRE(outcome.plugin);
  return outcome.plugin;
}

// The probe plugin configured with `config` (see test_plugins/probe_plugin.cpp).
std::shared_ptr<plugins::PluginExtension> probe(const nlohmann::json& config) {
  auto p = load_ok(test_plugin("probe"));
  const auto values = plugins::effective_config(p->config_schema(), config);
  REQUIRE(p->configure(values.dump()).status == 0);
  return std::make_shared<plugins::PluginExtension>(p);
}

flow::FlowEvent event(flow::FlowPoint point = flow::FlowPoint::presentation_verified) {
  flow::FlowEvent e;
  e.point = point;
  e.client_id = "app-1";
  e.subject = {{"face_info", {{"name", "测试企业"}, {"uscc", "91420100YULA38GUXF"}, {"status", "active"}}},
               {"holder", {{"name", "张三"}, {"role", "legal_representative"}}}};
  return e;
}

}  // namespace

TEST_CASE("the loader refuses a plugin built for another ABI version, naming both versions") {
  const auto outcome = plugins::load_plugin(test_plugin("bad_abi"), {});
  REQUIRE_FALSE(outcome.plugin);
  CHECK_THAT(outcome.failure.error, Catch::Contains("built for plugin ABI 999") && Catch::Contains("ABI 1"));
}

TEST_CASE("the loader refuses a library without the entry points") {
  const auto outcome = plugins::load_plugin(test_plugin("no_entry"), {});
  REQUIRE_FALSE(outcome.plugin);
  CHECK_THAT(outcome.failure.error, Catch::Contains("missing entry point zhaoyin_plugin_abi_version"));
}

TEST_CASE("the loader refuses a bad definition and a failing init") {
  const auto bad = plugins::load_plugin(test_plugin("bad_definition"), {});
  REQUIRE_FALSE(bad.plugin);
  CHECK_THAT(bad.failure.error, Catch::Contains("bad definition: forms_json is not valid JSON"));

  const auto init = plugins::load_plugin(test_plugin("init_fails"), {});
  REQUIRE_FALSE(init.plugin);
  CHECK_THAT(init.failure.error, Catch::Contains("zhaoyin_plugin_init() refused to load"));
}

TEST_CASE("the loader refuses a file that is not a shared library, and a missing folder") {
  TempDir dir("plugins-garbage");
  write_file(dir.path() / "garbage.so", "not an ELF file");
  const auto folder = plugins::load_folder(dir.path(), {});
  CHECK(folder.loaded.empty());
  REQUIRE(folder.failed.size() == 1);
  CHECK_THAT(folder.failed[0].error, Catch::Contains("not a loadable shared library"));

  const auto missing = plugins::load_folder(dir.path() / "nowhere", {});
  REQUIRE(missing.failed.size() == 1);
  CHECK_THAT(missing.failed[0].error, Catch::Contains("does not exist"));
}

TEST_CASE("a folder with good and bad plugins loads the good one and lists each refusal") {
  const auto folder = plugins::load_folder(PLUGINS_TEST_DIR, {});
  REQUIRE(folder.loaded.size() == 1);
  CHECK(folder.loaded[0]->id() == "probe");
  CHECK(folder.failed.size() == 4);
}

TEST_CASE("the same id twice in a folder: the second file is refused") {
  TempDir dir("plugins-duplicate");
  std::filesystem::copy_file(test_plugin("probe"), dir.path() / "a.so");
  std::filesystem::copy_file(test_plugin("probe"), dir.path() / "b.so");
  const auto folder = plugins::load_folder(dir.path(), {});
  REQUIRE(folder.loaded.size() == 1);
  REQUIRE(folder.failed.size() == 1);
  CHECK_THAT(folder.failed[0].error, Catch::Contains("'probe' is already loaded"));
}

TEST_CASE("a plugin's description carries what it declared") {
  const auto p = load_ok(std::string(PLUGINS_DIR) + "/tax.so");
  const auto d = p->describe();
  CHECK(d["id"] == "tax");
  CHECK(d["department"] == "税务");
  CHECK(d["forms"].size() == 2);
  CHECK(d["matters"][0]["path"] == "电子政务/税务/发票申领");
  CHECK(d["config_schema"].size() == 3);
}

TEST_CASE("a plugin that allows, refuses, throws or returns garbage is contained with its name") {
  SECTION("allow") { CHECK(probe(nlohmann::json::object())->on_flow(event()).allowed); }
  SECTION("refuse: 403 refused_by_plugin with its reason") {
    const auto d = probe({{"mode", "refuse"}})->on_flow(event());
    CHECK_FALSE(d.allowed);
    CHECK(d.status == 403);
    CHECK(d.code == "refused_by_plugin");
    CHECK(d.source == "plugin:probe");
    CHECK(d.reason == "探针 v1 拒绝");
  }
  SECTION("an exception becomes 422 plugin_failed with its message") {
    const auto d = probe({{"mode", "throw"}})->on_flow(event());
    CHECK_FALSE(d.allowed);
    CHECK(d.status == 422);
    CHECK(d.code == "plugin_failed");
    CHECK(d.source == "plugin:probe");
    CHECK(d.reason == "failed: probe exploded");
  }
  SECTION("invalid JSON") {
    const auto d = probe({{"mode", "garbage"}})->on_flow(event());
    CHECK(d.code == "plugin_failed");
    CHECK_THAT(d.reason, Catch::Contains("invalid JSON"));
  }
  SECTION("an unknown decision") {
    const auto d = probe({{"mode", "unknown_decision"}})->on_flow(event());
    CHECK(d.code == "plugin_failed");
    CHECK_THAT(d.reason, Catch::Contains("unknown decision 'maybe'"));
  }
  SECTION("the wrong shape") {
    const auto d = probe({{"mode", "no_decision"}})->on_flow(event());
    CHECK(d.code == "plugin_failed");
    CHECK_THAT(d.reason, Catch::Contains("without a \"decision\" field"));
  }
  SECTION("requirements of the wrong shape") {
    const auto d = probe({{"mode", "bad_requirements"}})->on_flow(event());
    CHECK(d.code == "plugin_failed");
    CHECK_THAT(d.reason, Catch::Contains("seal_types"));
  }
}

TEST_CASE("a plugin's form filling failures are refusals naming it, through flow::Extensions") {
  struct Source final : flow::ExtensionSource {
    std::shared_ptr<flow::Extension> e;
    std::vector<std::shared_ptr<flow::Extension>> active_for(const std::string&) override { return {e}; }
    std::vector<std::shared_ptr<flow::Extension>> all() override { return {e}; }
  };
  auto fill_with = [](const std::string& fill) {
    auto source = std::make_shared<Source>();
    source->e = probe({{"fill", fill}});
    flow::Extensions extensions;
    extensions.add_source(source);
    auto e = event(flow::FlowPoint::form_prefill);
    e.detail = {{"form_id", "probe.form"}};
    return extensions.prefill(e);
  };
  const auto ok = fill_with("ok");
  REQUIRE(ok.fill);
  CHECK(ok.decision.allowed);
  CHECK(ok.fill->values["name"] == "测试企业");
  CHECK(ok.fill->filled_by == std::vector<std::string>{"plugin:probe"});

  for (const auto& [mode, reason] : std::vector<std::pair<std::string, std::string>>{
           {"throw", "failed: probe cannot fill"}, {"garbage", "invalid JSON"}, {"not_text", "not text"}}) {
    INFO(mode);
    const auto out = fill_with(mode);
    CHECK_FALSE(out.decision.allowed);
    CHECK(out.decision.code == "plugin_failed");
    CHECK(out.decision.status == 422);
    CHECK(out.decision.source == "plugin:probe");
    CHECK_THAT(out.decision.reason, Catch::Contains(reason));
  }
}

TEST_CASE("configuration values are checked against the plugin's schema") {
  const auto p = load_ok(test_plugin("probe"));
  const auto effective = plugins::effective_config(p->config_schema(), {{"delay_ms", 5}});
  CHECK(effective == nlohmann::json{{"mode", "allow"}, {"fill", "ok"}, {"delay_ms", 5}});
  CHECK_THROWS_WITH(plugins::effective_config(p->config_schema(), {{"colour", "red"}}),
                    Catch::Contains("unknown configuration key 'colour'"));
  CHECK_THROWS_WITH(plugins::effective_config(p->config_schema(), {{"delay_ms", "5"}}),
                    Catch::Contains("'delay_ms' must be of type integer"));
  CHECK_THROWS(plugins::effective_config(p->config_schema(), nlohmann::json::array()));
  // The plugin itself may refuse values its schema allows.
  const auto r = p->configure(plugins::effective_config(p->config_schema(), {{"mode", "reject_config"}}).dump());
  CHECK(r.status == 1);
  CHECK(r.output == "probe does not accept this mode");
}

TEST_CASE("a replaced plugin file does not disturb the loaded copy, and a new load sees the new file") {
  TempDir dir("plugins-replace");
  const auto file = dir.path() / "probe.so";
  std::filesystem::copy_file(test_plugin("probe"), file);
  const auto v1 = load_ok(file.string());
  const auto tmp = dir.path() / "probe.so.new";
  std::filesystem::copy_file(std::string(PLUGINS_PROBE_V2_DIR) + "/probe.so", tmp);
  std::filesystem::rename(tmp, file);
  const auto v2 = load_ok(file.string());
  CHECK(v1->version() == "1");
  CHECK(v2->version() == "2");
  CHECK(std::make_shared<plugins::PluginExtension>(v1)->on_flow(event()).allowed);
}

TEST_CASE("zhaoyin plugins list and check load plugins as the host does") {
  const auto list = run_command(quote(bin("zhaoyin")) + " plugins list --dir " + quote(PLUGINS_DIR));
  INFO(list.output);
  CHECK(list.exit_code == 0);
  for (const char* id : {"tax 1.0.0", "social_insurance 1.0.0", "real_estate 1.0.0", "banking 1.0.0", "example"})
    CHECK_THAT(list.output, Catch::Contains(id));
  CHECK_THAT(list.output, Catch::Contains("form:    tax.invoice_application  发票申领"));

  const auto json = run_command(quote(bin("zhaoyin")) + " plugins list --json --dir " + quote(PLUGINS_TEST_DIR));
  CHECK(json.exit_code == 1);  // some refused
  CHECK_THAT(json.output, Catch::Contains("\"built for plugin ABI 999"));

  const auto check = run_command(quote(bin("zhaoyin")) + " plugins check " + quote(test_plugin("bad_abi")));
  CHECK(check.exit_code == 1);
  CHECK_THAT(check.output, Catch::Contains("REFUSED") && Catch::Contains("ABI 999"));
  const auto good = run_command(quote(bin("zhaoyin")) + " plugins check " + quote(std::string(PLUGINS_DIR) + "/banking.so"));
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.output, Catch::Contains("OK banking 1.0.0"));
}
