// The four department plugins in the demo host (default plugins folder, the
// sandbox's bindings): each department form prefilled for demo enterprises
// from a presentation archive, and each plugin's refusal in a flow with its
// reason.
#include <catch2/catch.hpp>
#include "plugin_host_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

PluginHost& demo_host() {
  static TempDir dir("zhaoyin-plugins-demo");
  static PluginHost host(dir.path(), shared_sandbox());
  return host;
}

// A host of its own, for tests that change which plugins an application runs.
PluginHost& rebinding_host() {
  static TempDir dir("zhaoyin-plugins-rebinding");
  static PluginHost host(dir.path(), shared_sandbox());
  return host;
}

nlohmann::json filled(const HttpResult& r) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json();
}

std::string label_of(const nlohmann::json& answer, const std::string& key) {
  for (const auto& f : answer["fields"])
    if (f["key"] == key) return f["label"];
  return "<no field " + key + ">";
}

void expect_refused_by(const HttpResult& r, const std::string& plugin, const std::string& reason) {
  INFO(r.body);
  CHECK(r.status == 403);
  CHECK(error_code(r) == "refused_by_plugin");
  CHECK_THAT(r.json()["error"]["message"].get<std::string>(),
             Catch::StartsWith("plugin:" + plugin + ": ") && Catch::Contains(reason));
}

}  // namespace

TEST_CASE("the demo host loads the four department plugins and each application lists its forms") {
  auto& host = demo_host();
  CHECK_THAT(host.log(), Catch::Contains("plugins loaded"));
  const std::map<std::string, std::vector<std::string>> expected = {
      {"tax", {"tax.taxpayer_info", "tax.invoice_application"}},
      {"social_insurance", {"social_insurance.unit_registration"}},
      {"real_estate", {"real_estate.registration_application"}},
      {"banking", {"banking.account_opening"}}};
  for (const auto& [department, ids] : expected) {
    const auto r = host.api("GET", "/api/v1/forms", department);
    REQUIRE(r.status == 200);
    std::vector<std::string> listed;
    const auto answer = r.json();
    for (const auto& f : answer["forms"]) listed.push_back(f["id"]);
    for (const auto& id : ids) CHECK(std::find(listed.begin(), listed.end(), id) != listed.end());
    // Another department's form is not this application's.
    const bool lists_bank_form =
        std::find(listed.begin(), listed.end(), "banking.account_opening") != listed.end();
    CHECK(lists_bank_form == (department == "banking"));
  }
}

TEST_CASE("tax: 涉税信息确认 and 发票申领 prefilled for a 湖北 enterprise") {
  auto& host = demo_host();
  const auto info = filled(host.prefill("tax", "91420100YULA38GUXF-1", "tax.taxpayer_info"));
  CHECK(info["title"] == "涉税信息确认");
  CHECK(info["department"] == "税务");
  const auto v = info["values"];
  CHECK(v["taxpayer_id"] == "91420100YULA38GUXF");
  CHECK(v["taxpayer_name"] == "武汉长江云数科技有限公司（沙箱）");
  CHECK(v["legal_representative"] == "张志伟");
  CHECK(v["registration_type"] == "有限责任公司");
  CHECK_THAT(v["registered_address"].get<std::string>(), Catch::StartsWith("湖北省武汉市"));
  CHECK_THAT(v["business_scope"].get<std::string>(), Catch::Contains("软件开发"));
  CHECK(label_of(info, "taxpayer_id") == "纳税人识别号");
  CHECK(info["filled_by"][0] == "plugin:tax");

  // The agent 王强, precisely authorised for 发票申领, applies for invoices.
  const auto invoice = filled(host.prefill("tax", "91420100YULA38GUXF-3", "tax.invoice_application"));
  CHECK(invoice["values"]["handler_name"] == "王强");
  CHECK(invoice["values"]["handler_role"] == "办事人");
  CHECK(invoice["values"]["seal"] == "发票专用章");
  CHECK(invoice["values"]["quantity"] == "25");
}

TEST_CASE("social insurance: 单位参保登记 prefilled for a 河南 enterprise, 经办人 = the holder") {
  auto& host = demo_host();
  const auto lr = filled(host.prefill("social_insurance", "91410100QED6JLT722-1", "social_insurance.unit_registration"));
  CHECK(lr["department"] == "人力资源社会保障");
  CHECK(lr["values"]["unit_name"] == "中原智联装备股份有限公司（沙箱）");
  CHECK(lr["values"]["uscc"] == "91410100QED6JLT722");
  CHECK(lr["values"]["unit_type"] == "企业（股份有限公司）");
  CHECK(lr["values"]["handler_name"] == "刘洋");
  CHECK(lr["values"]["handler_name"] == lr["values"]["legal_representative"]);
  CHECK_THAT(lr["values"]["insurance_types"].get<std::string>(), Catch::Contains("养老保险"));

  const auto admin = filled(host.prefill("social_insurance", "91410100QED6JLT722-2", "social_insurance.unit_registration"));
  CHECK(admin["values"]["handler_name"] == "陈静");
  CHECK(admin["values"]["legal_representative"] == "刘洋");
}

TEST_CASE("real estate: 不动产登记申请 with the enterprise as 权利人, for 广东 enterprises of two kinds") {
  auto& host = demo_host();
  const auto shop = filled(host.prefill("real_estate", "9244030038FRL2441J-1", "real_estate.registration_application"));
  CHECK(shop["values"]["right_holder"] == "深圳市南山区鹏程便利店（沙箱）");
  CHECK(shop["values"]["right_holder_id"] == "9244030038FRL2441J");
  CHECK(shop["values"]["right_holder_id_type"] == "统一社会信用代码");
  CHECK(shop["values"]["registration_type"] == "转移登记");
  CHECK(shop["values"]["agent_name"] == "");  // the 经营者 in person
  CHECK(label_of(shop, "legal_representative") == "经营者");

  const auto branch = filled(host.prefill("real_estate", "914401009B874JH84T-1", "real_estate.registration_application"));
  CHECK(branch["values"]["right_holder_id"] == "914401009B874JH84T");
  CHECK(label_of(branch, "legal_representative") == "负责人");
}

TEST_CASE("banking: 对公账户开户申请 for the legal representative and for an authorised agent") {
  auto& host = demo_host();
  const auto lr = filled(host.prefill("banking", "91420100YULA38GUXF-1", "banking.account_opening"));
  CHECK(lr["department"] == "金融");
  CHECK(lr["values"]["account_name"] == "武汉长江云数科技有限公司（沙箱）");
  CHECK(lr["values"]["account_type"] == "基本存款账户");
  CHECK(lr["values"]["reserved_seals"] == "财务专用章 + 法定代表人章");
  CHECK(lr["values"]["applicant_role"] == "法定代表人（本人）");

  // National scope: a 山东 partnership's agent, precisely authorised for 对公开户.
  const auto agent = filled(host.prefill("banking", "9137020035XKDX5368-3", "banking.account_opening"));
  CHECK(agent["values"]["account_name"] == "青岛海韵投资管理合伙企业（有限合伙）（沙箱）");
  CHECK(agent["values"]["applicant_name"] == "孙磊");
  CHECK(agent["values"]["applicant_role"] == "办事人（代理人）");
  CHECK(label_of(agent, "legal_representative") == "执行事务合伙人");
}

TEST_CASE("real estate refuses a holder not precisely authorised for 不动产 in the presentation flow") {
  // 周杰: an agent precisely authorised for 发票申领 only.
  expect_refused_by(demo_host().present("real_estate", "9244030038FRL2441J-2"), "real_estate",
                    "不动产登记仅限法定代表人或获不动产登记精准授权的人员办理，周杰（办事人）未获不动产登记授权");
}

TEST_CASE("banking refuses an agent not authorised for 对公开户 in the presentation flow") {
  // 王强: precise grant for 发票申领 and 参保登记.
  expect_refused_by(demo_host().present("banking", "91420100YULA38GUXF-3"), "banking",
                    "对公开户须由法定代表人本人或获对公开户授权的代理人办理，王强（办事人）未获授权");
}

TEST_CASE("social insurance and tax refusals in the presentation flow (plugins bound by the operator)") {
  auto& host = rebinding_host();
  // The bank's application verifies every province, so these holders get past
  // the host's own checks and meet the department's rule.
  host.bind("banking", {"social_insurance"});
  expect_refused_by(host.present("banking", "9244030038FRL2441J-2"), "social_insurance",
                    "经办人周杰（办事人）未获社会保险业务授权");
  host.bind("banking", {"tax"});
  expect_refused_by(host.present("banking", "914401009B874JH84T-3"), "tax", "办税人员何军（办事人）未获税务事项授权");
  // An authorised holder passes the same plugins.
  CHECK(host.present("banking", "91420100YULA38GUXF-3").status == 201);
  host.bind("banking", {"banking"});
}

TEST_CASE("a department's form refused at prefill for a holder its plugin does not accept") {
  auto& host = rebinding_host();
  host.bind("banking", {"banking", "real_estate"});
  // 孙磊 is authorised for 对公开户 (and 发票申领): the bank's presentation passes...
  const auto p = host.present("banking", "9137020035XKDX5368-3", "电子商务/银行/对公开户");
  INFO(p.body);
  REQUIRE(p.status == 201);
  // ... but the real-estate form is not his to fill.
  const auto r = host.api("POST", "/api/v1/forms/real_estate.registration_application/prefill", "banking",
                          {{"subject_ref", p.json()["archive_id"]}});
  expect_refused_by(r, "real_estate", "未获不动产登记授权");
  CHECK(host.api("POST", "/api/v1/forms/banking.account_opening/prefill", "banking",
                 {{"subject_ref", p.json()["archive_id"]}}).status == 200);
  host.bind("banking", {"banking"});
}

TEST_CASE("another department's form is not this application's: 404 unknown_form") {
  auto& host = demo_host();
  const auto p = host.present("banking", "91420100YULA38GUXF-1");
  REQUIRE(p.status == 201);
  const auto r = host.api("POST", "/api/v1/forms/tax.taxpayer_info/prefill", "banking",
                          {{"subject_ref", p.json()["archive_id"]}});
  CHECK(r.status == 404);
  CHECK(error_code(r) == "unknown_form");
}
