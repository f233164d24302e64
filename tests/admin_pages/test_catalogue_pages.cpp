// The operator's 授权事项目录 pages (/admin/matters) over HTTP against a real
// zhaoyin-host on the sandbox: only operators, CSRF, the starter catalogue,
// add / rename / retire / reactivate with the audit log, the application form
// built from the catalogue, a retired or unknown matter refused (422, next to
// the field, nothing submitted), import refused as a whole on a bad line, and
// the export downloads read back.
#include <catch2/catch.hpp>
#include <openapi_capture.h>

#include "page_client.h"

using namespace zhaoyin::test;
using nlohmann::json;

namespace {

PagesHost& pages_host() {
  static PagesHost host;
  return host;
}

std::string export_json(StaffClient& op) {
  const auto r = op.get("/admin/matters/export?format=json");
  REQUIRE(r.status == 200);
  return r.body;
}

Fields market_form(const std::string& system_name, const std::string& matter) {
  auto form = with(with(valid_form(system_name), "industry", "市场监管"), "matters", matter);
  return form;
}

// A call on the operator's JSON API, its response recorded for the OpenAPI check.
Reply api(const std::string& method, const std::string& path, const std::string& token, const std::string& body = "") {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  Poco::Net::HTTPResponse response;
  const Reply reply = exchange(pages_host().port(), method, path, "application/json", body, headers, response);
  openapi_capture(method, path, reply.status, reply.content_type, reply.body);
  return reply;
}

}  // namespace

TEST_CASE("the operator's JSON API reads the catalogue and imports all or nothing", "[admin_pages][catalogue]") {
  auto token = read_file(shared_sandbox() / "admin" / "operator-token");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  CHECK(api("GET", "/api/v1/admin/matters", "").status == 401);
  CHECK(api("GET", "/api/v1/admin/matters", "not-the-token").status == 401);
  auto r = api("GET", "/api/v1/admin/matters", token);
  REQUIRE(r.status == 200);
  const auto before = json::parse(r.body);
  CHECK(before["format"] == "zhaoyin-matters-catalogue/1");
  CHECK(before["matters"].size() >= 50);

  r = api("POST", "/api/v1/admin/matters/import", token,
          R"({"matters": [{"code": "API-1", "domain": "电子商务", "industry": "物流", "matter": "仓储入驻"},
                          {"code": "ZW-SCJG-01", "domain": "电子政务", "industry": "市场监管", "matter": "改路径"}]})");
  CHECK(r.status == 422);
  CHECK(json::parse(r.body)["error"]["code"] == "invalid_catalogue_import");
  CHECK(json::parse(r.body)["error"]["message"].get<std::string>().find("line 2") != std::string::npos);
  CHECK(json::parse(api("GET", "/api/v1/admin/matters", token).body) == before);
  CHECK(api("POST", "/api/v1/admin/matters/import", token, "{not json").status == 400);

  r = api("POST", "/api/v1/admin/matters/import", token,
          R"({"matters": [{"code": "API-1", "domain": "电子商务", "industry": "物流", "matter": "仓储入驻"}]})");
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body) == json{{"added", 1}, {"updated", 0}});
  CHECK(json::parse(api("GET", "/api/v1/admin/matters", token).body)["matters"].size() == before["matters"].size() + 1);
}

TEST_CASE("the catalogue pages are for operators, and every change needs the CSRF token", "[admin_pages][catalogue]") {
  auto op = pages_host().staff("operator");
  const auto page = op.get("/admin/matters");
  REQUIRE(page.status == 200);
  CHECK(page.body.find("data-code=\"ZW-SCJG-01\"") != std::string::npos);  // the starter's 动产抵押
  CHECK(page.body.find("电子政务/市场监管/动产抵押") != std::string::npos);
  CHECK(page.body.find("href=\"/admin/matters\"") != std::string::npos);  // in the operator's navigation

  for (const char* who : {"applicant", "reviewer"}) {
    auto staff = pages_host().staff(who);
    const auto get = staff.get("/admin/matters");
    CHECK(get.status == 403);
    CHECK(get.error_code() == "role_not_allowed");
    CHECK(get.content_type.find("text/html") != std::string::npos);
    const auto post = staff.post("/admin/matters", {{"csrf", staff.csrf()}, {"domain", "电子政务"},
                                                    {"industry", "市场监管"}, {"matter", "越权添加"}});
    CHECK(post.status == 403);
    CHECK(staff.post("/admin/matters/ZW-SCJG-01/status", {{"csrf", staff.csrf()}, {"status", "retired"}}).status == 403);
    CHECK(staff.get("/admin/matters/export?format=csv").status == 403);
  }
  const auto before = export_json(op);
  const auto no_csrf = op.post("/admin/matters", {{"domain", "电子政务"}, {"industry", "市场监管"}, {"matter", "无令牌"}});
  CHECK(no_csrf.status == 403);
  CHECK(no_csrf.error_code() == "csrf_failed");
  CHECK(op.post("/admin/matters/ZW-SCJG-01/status", {{"csrf", "wrong"}, {"status", "retired"}}).status == 403);
  CHECK(op.post("/admin/matters/import", {{"format", "csv"}, {"data", "domain,industry,matter\n电子政务,a,b\n"}}).status ==
        403);
  CHECK(export_json(op) == before);  // nothing changed
}

TEST_CASE("an operator's new matter can be applied for, and once retired it cannot", "[admin_pages][catalogue]") {
  auto op = pages_host().staff("operator");
  auto applicant = pages_host().staff("applicant");

  // Already in the starter: refused with its code, the page shows the values as typed.
  auto r = op.post("/admin/matters", {{"csrf", op.csrf()}, {"domain", "电子政务"}, {"industry", "市场监管"},
                                      {"matter", "动产抵押"}, {"label", ""}, {"code", ""}});
  CHECK(r.status == 409);
  CHECK(r.error_code() == "matter_exists");
  CHECK(r.body.find("ZW-SCJG-01") != std::string::npos);
  // Bad input: 422 and nothing added.
  r = op.post("/admin/matters", {{"csrf", op.csrf()}, {"domain", "电子政府"}, {"industry", "市场监管"}, {"matter", "x"}});
  CHECK(r.status == 422);
  CHECK(r.error_code() == "invalid_matter");
  r = op.post("/admin/matters", {{"csrf", op.csrf()}, {"domain", "电子政务"}, {"industry", "市场/监管"}, {"matter", "x"}});
  CHECK(r.status == 422);

  r = op.post("/admin/matters", {{"csrf", op.csrf()}, {"domain", "电子政务"}, {"industry", "市场监管"},
                                 {"matter", "动产抵押注销"}, {"label", ""}, {"code", "HB-SCJG-101"}});
  REQUIRE(r.status == 303);
  CHECK(r.location == "/admin/matters?done=added&code=HB-SCJG-101");
  r = op.post("/admin/matters/HB-SCJG-101/rename", {{"csrf", op.csrf()}, {"label", "动产抵押注销登记"}});
  REQUIRE(r.status == 303);
  CHECK(op.get("/admin/matters").body.find("value=\"动产抵押注销登记\"") != std::string::npos);
  CHECK(op.post("/admin/matters/NOPE/rename", {{"csrf", op.csrf()}, {"label", "x"}}).status == 404);
  const auto audit = op.get("/admin/audit").body;
  CHECK(audit.find("matter.add") != std::string::npos);
  CHECK(audit.find("matter.rename") != std::string::npos);

  // The applicant's form offers it under its new name, and an application with it goes through.
  const auto form_page = applicant.get("/admin/applications/new");
  // The department plugins stay on offer although the starter holds their paths.
  for (const char* plugin : {"tax", "banking", "social_insurance", "real_estate"})
    CHECK(form_page.body.find(std::string("<option value=\"") + plugin + "\"") != std::string::npos);
  CHECK(form_page.body.find("value=\"电子政务/市场监管/动产抵押注销\"") != std::string::npos);
  CHECK(form_page.body.find("动产抵押注销登记") != std::string::npos);
  r = applicant.post("/admin/applications", plus(market_form("动产抵押系统一", "电子政务/市场监管/动产抵押注销"),
                                                {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  INFO(r.body);
  REQUIRE(r.status == 303);
  const auto first = application_id(r.location);

  // Retired: gone from new forms, refused when posted anyway, the submitted one unaffected.
  r = op.post("/admin/matters/HB-SCJG-101/status", {{"csrf", op.csrf()}, {"status", "retired"}});
  REQUIRE(r.status == 303);
  CHECK(applicant.get("/admin/applications/new").body.find("value=\"电子政务/市场监管/动产抵押注销\"") ==
        std::string::npos);
  r = applicant.post("/admin/applications", plus(market_form("动产抵押系统二", "电子政务/市场监管/动产抵押注销"),
                                                {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  CHECK(r.status == 422);
  CHECK(r.field_error("matters").find("已停用") != std::string::npos);
  // The draft kept shows the chosen retired matter, marked.
  CHECK(r.body.find("动产抵押注销登记（已停用）") != std::string::npos);
  const auto detail = applicant.get("/admin/applications/" + first);
  CHECK(detail.attribute_after("id=\"application-status\" data-status=\"") == "submitted");

  // Outside the catalogue altogether.
  r = applicant.post("/admin/applications", plus(market_form("动产抵押系统三", "电子政务/市场监管/没有这个事项"),
                                                {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  CHECK(r.status == 422);
  CHECK(r.field_error("matters").find("不在授权事项目录中") != std::string::npos);

  // Reactivated: offered again.
  REQUIRE(op.post("/admin/matters/HB-SCJG-101/status", {{"csrf", op.csrf()}, {"status", "active"}}).status == 303);
  CHECK(applicant.get("/admin/applications/new").body.find("value=\"电子政务/市场监管/动产抵押注销\"") !=
        std::string::npos);
  CHECK(op.post("/admin/matters/HB-SCJG-101/status", {{"csrf", op.csrf()}, {"status", "deleted"}}).status == 422);
  const auto audit_after = op.get("/admin/audit").body;
  CHECK(audit_after.find("matter.retire") != std::string::npos);
  CHECK(audit_after.find("matter.reactivate") != std::string::npos);
}

TEST_CASE("an import with a bad line changes nothing, a good one lands, and the exports read back",
          "[admin_pages][catalogue]") {
  auto op = pages_host().staff("operator");
  const auto before = export_json(op);
  const std::string bad =
      "code,domain,industry,matter,label,status\n"
      "HB-IMP-1,电子政务,市场监管,知识产权质押,,active\n"
      "HB-IMP-2,电子政府,市场监管,坏领域,,active\n"
      "HB-IMP-3,电子政务,市场监管,坏状态,,deleted\n";
  auto r = op.post("/admin/matters/import", {{"csrf", op.csrf()}, {"format", "csv"}, {"data", bad}});
  CHECK(r.status == 422);
  CHECK(r.error_code() == "invalid_catalogue_import");
  CHECK(r.body.find("第 3 行") != std::string::npos);
  CHECK(r.body.find("第 4 行") != std::string::npos);
  CHECK(r.body.find("第 2 行") == std::string::npos);
  CHECK(r.body.find("HB-IMP-2,电子政府") != std::string::npos);  // the text is kept for fixing
  CHECK(export_json(op) == before);
  r = op.post("/admin/matters/import", {{"csrf", op.csrf()}, {"format", "xml"}, {"data", "<x/>"}});
  CHECK(r.status == 422);
  r = op.post("/admin/matters/import", {{"csrf", op.csrf()}, {"format", "json"}, {"data", "{\"matters\": [1]}"}});
  CHECK(r.status == 422);
  CHECK(export_json(op) == before);

  const std::string good = R"({"matters": [
    {"code": "HB-IMP-1", "domain": "电子政务", "industry": "市场监管", "matter": "知识产权质押"},
    {"code": "ZW-SCJG-02", "domain": "电子政务", "industry": "市场监管", "matter": "设立登记", "label": "企业设立登记"}
  ]})";
  r = op.post("/admin/matters/import", {{"csrf", op.csrf()}, {"format", "json"}, {"data", good}});
  REQUIRE(r.status == 303);
  const auto exported = json::parse(export_json(op));
  bool imported = false, relabelled = false;
  for (const auto& m : exported["matters"]) {
    if (m["code"] == "HB-IMP-1") imported = m["source"] == "import" && m["status"] == "active";
    if (m["code"] == "ZW-SCJG-02") relabelled = m["label"] == "企业设立登记" && m["source"] == "starter";
  }
  CHECK(imported);
  CHECK(relabelled);
  CHECK(op.get("/admin/audit").body.find("matters.import") != std::string::npos);

  const auto csv = op.get("/admin/matters/export?format=csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.content_type.find("text/csv") != std::string::npos);
  CHECK(csv.body.rfind("code,domain,industry,matter,label,status,source\r\n", 0) == 0);
  CHECK(csv.body.find("HB-IMP-1,电子政务,市场监管,知识产权质押,,active,import") != std::string::npos);
  // The CSV export imported again changes nothing.
  r = op.post("/admin/matters/import", {{"csrf", op.csrf()}, {"format", "csv"}, {"data", csv.body}});
  CHECK(r.status == 303);
  CHECK(op.get("/admin/matters/export?format=xml").status == 400);
}
