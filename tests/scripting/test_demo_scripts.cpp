// The department scripts shipped in scripts/ (bound to the sandbox's demo
// applications), driven through the engine with sample subjects.
#include <catch2/catch.hpp>

#include "engine_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

nlohmann::json with_face(nlohmann::json subject, const std::string& key, const std::string& value) {
  subject["face_info"][key] = value;
  return subject;
}

flow::FormFill generic_fill(const nlohmann::json& subject) {
  flow::FormFill fill;
  fill.form = {"generic", "通用照面信息", "", "builtin", {}};
  const auto& face = subject["face_info"];
  for (const char* key : {"uscc", "name", "type", "legal_representative", "registered_capital", "established",
                          "address", "business_scope", "registration_authority"}) {
    fill.form.fields.push_back({key, key, "text", true, "", {}});
    fill.values[key] = face[key];
  }
  fill.values["handler_name"] = subject["holder"]["name"];
  fill.values["handler_role"] = subject["holder"]["role_label"];
  return fill;
}

flow::Decision prefill(EngineFixture& f, const std::string& client, const nlohmann::json& subject, flow::FormFill& fill) {
  const auto event = make_event(flow::FlowPoint::form_prefill, client, subject,
                                {{"form_id", "generic"}, {"subject_ref", "arc_1"}, {"source", "archive"}});
  for (const auto& e : f.engine().active_for(client)) {
    auto d = e->on_prefill(event, fill);
    if (!d.allowed) return d;
  }
  return flow::Decision::allow();
}

}  // namespace

TEST_CASE("every demo script compiles") {
  EngineFixture f(scripting::EngineLimits{});
  f.copy_repo_scripts();
  for (const char* path : {"tax/etax_hall.lua", "social_insurance/online_service.lua",
                           "real_estate/registration_hall.lua", "banking/corporate_banking.lua"}) {
    INFO(path);
    f.bind("app", {path});
    f.engine().reload_all();
    bool loaded = false;
    const auto status = f.engine().status();
    INFO(status.dump(1));
    for (const auto& s : status["scripts"])
      if (s["path"] == path) loaded = s["loaded"] == true && s["last_error"].is_null();
    CHECK(loaded);
  }
}

TEST_CASE("tax/etax_hall.lua: e-tax names, Hubei only, seals per matter") {
  EngineFixture f(scripting::EngineLimits{});
  f.copy_repo_scripts();
  f.bind("tax", {"tax/etax_hall.lua"});
  auto fill = generic_fill(sample_subject());
  REQUIRE(prefill(f, "tax", sample_subject(), fill).allowed);
  CHECK(fill.values["nsrsbh"] == "91420100YULA38GUXF");
  CHECK(fill.labels["nsrsbh"] == "纳税人识别号");
  CHECK(fill.values["bsrxm"] == "王强");
  CHECK(fill.labels["fddbrxm"] == "法定代表人姓名");

  CHECK(f.present("tax").allowed);
  const auto d = f.present("tax", sample_subject("9244030038FRL2441J"));
  CHECK(d.code == "refused_by_script");
  CHECK(d.reason.find("仅受理湖北省") != std::string::npos);

  auto sign = f.check(make_event(flow::FlowPoint::sign_task_created, "tax", nullptr, {{"matter", "电子政务/税务/发票申领"}}));
  CHECK(sign.requirements == nlohmann::json{{"seal_types", {"invoice"}}});
  sign = f.check(make_event(flow::FlowPoint::sign_task_created, "tax", nullptr, {{"matter", nullptr}}));
  CHECK(sign.requirements == nlohmann::json::object());
}

TEST_CASE("banking/corporate_banking.lua: branches and unauthorised agents refused, reserved seals required") {
  EngineFixture f(scripting::EngineLimits{});
  f.copy_repo_scripts();
  f.bind("bank", {"banking/corporate_banking.lua"});
  auto d = f.present("bank", with_face(sample_subject(), "kind", "branch"));
  CHECK(d.code == "refused_by_script");
  d = f.present("bank", sample_subject("91420100YULA38GUXF", "agent", {"电子政务/税务/发票申领"}));
  CHECK(d.code == "matter_not_covered");
  CHECK(f.present("bank", sample_subject("91420100YULA38GUXF", "agent", {"电子商务/银行/对公开户"})).allowed);
  CHECK(f.present("bank", sample_subject("91420100YULA38GUXF", "legal_representative")).allowed);
  const auto sign = f.check(make_event(flow::FlowPoint::sign_task_created, "bank", nullptr));
  CHECK(sign.requirements == nlohmann::json{{"seal_types", {"finance", "legal_rep"}}});
  auto fill = generic_fill(sample_subject());
  REQUIRE(prefill(f, "bank", sample_subject(), fill).allowed);
  CHECK(fill.values["khmc"] == "武汉长江云数科技有限公司（沙箱）");
  CHECK(fill.values["zhlx"] == "基本存款账户");
  CHECK(fill.form.fields.back().options.size() == 4);
}

TEST_CASE("social_insurance/online_service.lua and real_estate/registration_hall.lua") {
  EngineFixture f(scripting::EngineLimits{});
  f.copy_repo_scripts();
  f.bind("si", {"social_insurance/online_service.lua"});
  f.bind("re", {"real_estate/registration_hall.lua"});

  auto d = f.check(make_event(flow::FlowPoint::login_confirmed, "si", sample_subject("91420100YULA38GUXF", "agent", {"电子政务/税务"})));
  CHECK(d.code == "matter_not_covered");
  d = f.check(make_event(flow::FlowPoint::login_confirmed, "si", with_face(sample_subject("x", "legal_representative"), "status", "revoked")));
  CHECK(d.code == "refused_by_script");
  auto fill = generic_fill(sample_subject());
  REQUIRE(prefill(f, "si", sample_subject(), fill).allowed);
  CHECK(fill.values["xzqh"] == "420100");
  CHECK(fill.values["cbrq"].get<std::string>().size() == 10);

  CHECK(f.present("re").allowed);  // 长期
  d = f.present("re", with_face(sample_subject(), "term_to", "2020-01-01"));
  CHECK(d.code == "refused_by_script");
  CHECK(d.reason.find("营业期限于 2020-01-01 届满") != std::string::npos);
  CHECK(f.present("re", with_face(sample_subject(), "term_to", "2099-12-31")).allowed);
  const auto sign = f.check(make_event(flow::FlowPoint::sign_task_created, "re", nullptr));
  CHECK(sign.requirements == nlohmann::json{{"seal_types", {"company", "legal_rep"}}});
}
