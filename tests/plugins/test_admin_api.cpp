// The operator's plugin API on a real host with the four department plugins
// and the example: listing, configuration against the schema, which plugins an
// application runs — and every refusal with its code.
#include <catch2/catch.hpp>
#include "plugin_host_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

PluginHost& admin_host() {
  static TempDir dir("zhaoyin-plugins-admin");
  static PluginHost host(dir.path(), shared_sandbox());
  return host;
}

void expect_error(const HttpResult& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(error_code(r) == code);
}

}  // namespace

TEST_CASE("the admin plugin API refuses callers without the operator token") {
  auto& host = admin_host();
  expect_error(host.call("GET", "/api/v1/admin/plugins", ""), 401, "invalid_token");
  expect_error(host.call("GET", "/api/v1/admin/plugins", "Bearer not-the-operator-token"), 401, "invalid_token");
  expect_error(host.call("POST", "/api/v1/admin/plugins/reload", "Bearer " + host.token("tax")), 401, "invalid_token");
  expect_error(host.call("PUT", "/api/v1/admin/plugins/tax/config", "", {{"default_quantity", 5}}), 401,
               "invalid_token");
}

TEST_CASE("GET /api/v1/admin/plugins lists the department plugins with what they declare") {
  const auto r = admin_host().admin("GET", "/api/v1/admin/plugins");
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto j = r.json();
  CHECK(j["failures"].empty());
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& p : j["plugins"]) by_id[p["id"]] = p;
  REQUIRE(by_id.size() == 5);
  CHECK(by_id["tax"]["department"] == "税务");
  CHECK(by_id["social_insurance"]["department"] == "人力资源社会保障");
  CHECK(by_id["real_estate"]["department"] == "不动产登记");
  CHECK(by_id["banking"]["department"] == "金融");
  CHECK(by_id["tax"]["forms"][1]["title"] == "发票申领");
  CHECK(by_id["tax"]["config"]["default_quantity"] == 25);
  CHECK(by_id["banking"]["file"].get<std::string>().find("banking.so") != std::string::npos);
  CHECK(by_id["example"]["version"] == "1.0.0");
}

TEST_CASE("a plugin's configuration is validated against its schema, then by the plugin") {
  auto& host = admin_host();
  const auto before = host.admin("GET", "/api/v1/admin/plugins/tax/config");
  REQUIRE(before.status == 200);
  CHECK(before.json()["values"] == nlohmann::json::object());
  CHECK(before.json()["effective"]["require_invoice_seal"] == true);
  CHECK(before.json()["schema"].size() == 3);

  expect_error(host.admin("PUT", "/api/v1/admin/plugins/tax/config", {{"default_quantity", "many"}}), 422,
               "invalid_config");
  expect_error(host.admin("PUT", "/api/v1/admin/plugins/tax/config", {{"colour", "red"}}), 422, "invalid_config");
  const auto refused = host.admin("PUT", "/api/v1/admin/plugins/tax/config", {{"default_quantity", 0}});
  expect_error(refused, 422, "invalid_config");
  CHECK_THAT(refused.body, Catch::Contains("plugin:tax refused the configuration: default_quantity must be at least 1"));
  expect_error(host.admin("PUT", "/api/v1/admin/plugins/tax/config", nlohmann::json::array()), 400, "invalid_request");
  expect_error(host.admin("GET", "/api/v1/admin/plugins/nope/config"), 404, "unknown_plugin");
  expect_error(host.admin("PUT", "/api/v1/admin/plugins/nope/config", nlohmann::json::object()), 404, "unknown_plugin");

  const auto ok = host.admin("PUT", "/api/v1/admin/plugins/tax/config",
                             {{"default_quantity", 50}, {"default_invoice_type", "增值税专用发票"}});
  INFO(ok.body);
  REQUIRE(ok.status == 200);
  CHECK(ok.json()["effective"]["default_quantity"] == 50);
  CHECK(host.admin("GET", "/api/v1/admin/plugins/tax/config").json()["values"]["default_quantity"] == 50);

  // The plugin works with it at once: the invoice form's defaults.
  const auto fill = host.prefill("tax", "91420100YULA38GUXF-3", "tax.invoice_application");
  INFO(fill.body);
  REQUIRE(fill.status == 200);
  CHECK(values_of(fill)["quantity"] == "50");
  CHECK(values_of(fill)["invoice_type"] == "增值税专用发票");
  // ... and keeps it over a reload.
  REQUIRE(host.admin("POST", "/api/v1/admin/plugins/reload").status == 200);
  CHECK(values_of(host.prefill("tax", "91420100YULA38GUXF-3", "tax.invoice_application"))["quantity"] == "50");
  host.configure("tax", nlohmann::json::object());
}

TEST_CASE("which plugins an application runs: read, set, and refusals") {
  auto& host = admin_host();
  const std::string bank = "/api/v1/admin/applications/" + host.client_id("banking") + "/plugins";
  const auto r = host.admin("GET", bank);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()["plugins"] == nlohmann::json::array({"banking"}));  // imported from the sandbox
  CHECK(r.json()["available"].size() == 5);

  expect_error(host.admin("PUT", bank, {{"plugins", {"banking", "nope"}}}), 422, "unknown_plugin");
  expect_error(host.admin("PUT", bank, {{"plugins", "banking"}}), 400, "invalid_request");
  expect_error(host.admin("PUT", bank, {{"plugins", {"banking", "banking"}}}), 422, "invalid_plugins");
  expect_error(host.admin("GET", "/api/v1/admin/applications/sbx-nobody-00000000/plugins"), 404, "unknown_application");
  expect_error(host.admin("PUT", "/api/v1/admin/applications/sbx-nobody-00000000/plugins", {{"plugins", {"tax"}}}), 404,
               "unknown_application");

  // Enabling the example plugin shows its form to the application; disabling hides it.
  host.bind("banking", {"banking", "example"});
  CHECK(host.admin("GET", bank).json()["plugins"] == nlohmann::json::array({"banking", "example"}));
  auto form_ids = [&] {
    std::vector<std::string> ids;
    const auto listed = host.api("GET", "/api/v1/forms", "banking").json();
    for (const auto& f : listed["forms"]) ids.push_back(f["id"]);
    return ids;
  };
  auto has = [](const std::vector<std::string>& ids, const char* id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };
  CHECK(has(form_ids(), "banking.account_opening"));
  CHECK(has(form_ids(), "example.contact"));
  host.bind("banking", {"banking"});
  CHECK(has(form_ids(), "banking.account_opening"));
  CHECK_FALSE(has(form_ids(), "example.contact"));
}

TEST_CASE("reload answers what loaded and what failed") {
  const auto r = admin_host().admin("POST", "/api/v1/admin/plugins/reload");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()["loaded"].size() == 5);
  CHECK(r.json()["failed"].empty());
  CHECK(r.json()["generation"].get<int>() >= 2);
}
