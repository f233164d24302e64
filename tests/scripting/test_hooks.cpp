// The hooks and the host API through the engine: refusals and their codes,
// requirements, on_prefill mapping and added fields, JSON, dates, USCC,
// matters, face info, department forms through flow::Extensions.
#include <catch2/catch.hpp>

#include "engine_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

// A department form defined in C++ (as a plugin would): "dept.info" with two fields.
class DepartmentForms final : public flow::Extension {
 public:
  std::string source() const override { return "plugin:dept"; }
  std::vector<flow::FormDefinition> forms() const override {
    flow::FormDefinition f{"dept.info", "部门信息", "税务", "plugin:dept", {}};
    f.fields.push_back({"taxpayer_id", "纳税人识别号", "text", true, "", {}});
    f.fields.push_back({"taxpayer_name", "纳税人名称", "text", true, "", {}});
    return {f};
  }
  bool fill_form(const flow::FlowEvent& event, flow::FormFill& fill) override {
    if (fill.form.id != "dept.info") return false;
    fill.values["taxpayer_id"] = event.subject["face_info"]["uscc"];
    fill.values["taxpayer_name"] = event.subject["face_info"]["name"];
    return true;
  }
};

class DepartmentSource final : public flow::ExtensionSource {
 public:
  std::vector<std::shared_ptr<flow::Extension>> active_for(const std::string&) override { return {ext_}; }
  std::vector<std::shared_ptr<flow::Extension>> all() override { return {ext_}; }

 private:
  std::shared_ptr<flow::Extension> ext_ = std::make_shared<DepartmentForms>();
};

flow::FlowEvent prefill_event(const std::string& form_id, nlohmann::json subject = sample_subject()) {
  return make_event(flow::FlowPoint::form_prefill, "app-a", std::move(subject),
                    {{"form_id", form_id}, {"subject_ref", "arc_1"}, {"source", "archive"}});
}

}  // namespace

TEST_CASE("hooks refuse with refused_by_script and the script's message") {
  EngineFixture f;
  for (const std::string body : {"zhaoyin.refuse('不受理：测试')", "return false, '不受理：测试'",
                                 "return {refuse = '不受理：测试'}", "pcall(zhaoyin.refuse, '不受理：测试')"}) {
    INFO(body);
    f.script("tax/t.lua", "function on_login_confirmed(e)\n  " + body + "\nend\n");
    const auto d = f.check(make_event(flow::FlowPoint::login_confirmed, "app-a"));
    REQUIRE_FALSE(d.allowed);
    CHECK(d.status == 403);
    CHECK(d.code == "refused_by_script");
    CHECK(d.reason == "不受理：测试");
    CHECK(d.source == "script:tax/t.lua");
  }
  f.script("tax/t.lua", "function on_login_confirmed(e) return true end\n");
  CHECK(f.check(make_event(flow::FlowPoint::login_confirmed, "app-a")).allowed);
  // A hook the script does not define allows.
  CHECK(f.check(make_event(flow::FlowPoint::signature_made, "app-a")).allowed);
}

TEST_CASE("each flow point calls its own hook with the event") {
  EngineFixture f;
  f.script("tax/t.lua",
           "local function tell(name, e) return {refuse = name .. ':' .. e.point .. ':' .. (e.detail.task_id or '-')} end\n"
           "function on_login_confirmed(e) return tell('login', e) end\n"
           "function on_presentation_verified(e) return tell('presentation', e) end\n"
           "function on_sign_task_created(e) assert(e.subject == nil) return tell('sign', e) end\n"
           "function on_signature_made(e) return tell('signature', e) end\n");
  CHECK(f.check(make_event(flow::FlowPoint::login_confirmed, "app-a")).reason == "login:login_confirmed:-");
  CHECK(f.check(make_event(flow::FlowPoint::presentation_verified, "app-a")).reason ==
        "presentation:presentation_verified:-");
  CHECK(f.check(make_event(flow::FlowPoint::sign_task_created, "app-a", nullptr, {{"task_id", "st_1"}})).reason ==
        "sign:sign_task_created:st_1");
  CHECK(f.check(make_event(flow::FlowPoint::signature_made, "app-a", sample_subject(), {{"task_id", "st_1"}})).reason ==
        "signature:signature_made:st_1");
}

TEST_CASE("require_matter refuses with matter_not_covered unless the holder's authorisation covers it") {
  EngineFixture f;
  f.script("tax/t.lua",
           "function on_presentation_verified(e)\n"
           "  assert(zhaoyin.matters.covers('电子政务/税务/发票申领'))\n"
           "  zhaoyin.require_matter('电子政务/税务/纳税申报')\n"
           "end\n");
  const auto d = f.present("app-a", sample_subject("91420100YULA38GUXF", "agent", {"电子政务/税务/发票申领"}));
  REQUIRE_FALSE(d.allowed);
  CHECK(d.status == 403);
  CHECK(d.code == "matter_not_covered");
  CHECK(d.reason.find("电子政务/税务/纳税申报") != std::string::npos);
  CHECK(f.present("app-a", sample_subject("91420100YULA38GUXF", "agent", {"电子政务/税务"})).allowed);
  CHECK(f.present("app-a", sample_subject("91420100YULA38GUXF", "legal_representative")).allowed);

  // No subject at sign_task_created: a clear error, not a crash.
  f.script("tax/t.lua", "function on_sign_task_created(e)\n  zhaoyin.require_matter('x/y')\nend\n");
  const auto s = f.check(make_event(flow::FlowPoint::sign_task_created, "app-a", nullptr));
  CHECK(s.code == "script_failed");
  CHECK(s.reason.find("tax/t.lua:2: zhaoyin.require_matter: there is no verified subject at sign_task_created") !=
        std::string::npos);
}

TEST_CASE("require_seal_types becomes the decision's seal_types requirement at sign_task_created only") {
  EngineFixture f;
  f.script("tax/t.lua",
           "function on_sign_task_created(e)\n"
           "  if e.detail.matter == '电子政务/税务/发票申领' then zhaoyin.require_seal_types({'invoice', 'legal_rep'}) end\n"
           "  zhaoyin.require_seal_types({'invoice'})\n"
           "end\n"
           "function on_signature_made(e) zhaoyin.require_seal_types({'company'}) end\n");
  auto d = f.check(make_event(flow::FlowPoint::sign_task_created, "app-a", nullptr, {{"matter", "电子政务/税务/发票申领"}}));
  REQUIRE(d.allowed);
  CHECK(d.requirements == nlohmann::json{{"seal_types", {"invoice", "legal_rep"}}});
  d = f.check(make_event(flow::FlowPoint::signature_made, "app-a"));
  CHECK(d.code == "script_failed");
  CHECK(d.reason.find("only available in on_sign_task_created") != std::string::npos);

  f.script("tax/t.lua", "function on_sign_task_created(e) zhaoyin.require_seal_types({'gold'}) end\n");
  d = f.check(make_event(flow::FlowPoint::sign_task_created, "app-a", nullptr));
  CHECK(d.reason.find("'gold' is not a seal type") != std::string::npos);
}

TEST_CASE("on_prefill maps values onto new keys, relabels, adds fields, and may refuse") {
  EngineFixture f;
  f.extensions().add_source(std::make_shared<DepartmentSource>());
  f.script("tax/t.lua",
           "function on_prefill(e, form)\n"
           "  if form.id ~= 'dept.info' then return end\n"
           "  form.values.nsrsbh = form.values.taxpayer_id\n"
           "  form.labels.nsrsbh = '纳税人识别号（电子税务局）'\n"
           "  form.values.fddbr = zhaoyin.face('legal_representative')\n"
           "  form.labels.fddbr = zhaoyin.face_label('legal_representative')\n"
           "  form.values.taxpayer_name = nil\n"
           "  table.insert(form.fields, {key = 'kpy', label = '开票员', type = 'text', required = true})\n"
           "  form.values.kpy = e.subject.holder.name\n"
           "  form.values.amount = 12\n"
           "end\n");
  const auto out = f.extensions().prefill(prefill_event("dept.info"));
  REQUIRE(out.decision.allowed);
  REQUIRE(out.fill);
  const auto& v = out.fill->values;
  CHECK(v["nsrsbh"] == "91420100YULA38GUXF");
  CHECK(v["fddbr"] == "张志伟");
  CHECK(v["kpy"] == "王强");
  CHECK(v["amount"] == "12");
  CHECK_FALSE(v.contains("taxpayer_name"));
  CHECK(out.fill->labels["nsrsbh"] == "纳税人识别号（电子税务局）");
  CHECK(out.fill->labels["fddbr"] == "法定代表人");
  CHECK(out.fill->form.fields.back().key == "kpy");
  CHECK(out.fill->form.fields.back().required);
  CHECK(out.fill->filled_by == std::vector<std::string>{"plugin:dept", "script:tax/t.lua"});

  f.script("tax/t.lua", "function on_prefill(e, form)\n  form.values.bad = {}\nend\n");
  auto bad = f.extensions().prefill(prefill_event("dept.info"));
  CHECK(bad.decision.code == "script_failed");
  CHECK(bad.decision.reason.find("form.values.bad must be a string") != std::string::npos);

  f.script("tax/t.lua", "function on_prefill(e, form)\n  return {refuse = '表单不可用'}\nend\n");
  bad = f.extensions().prefill(prefill_event("dept.info"));
  CHECK(bad.decision.code == "refused_by_script");
}

TEST_CASE("forms.list and forms.prefill reach the department forms without recursing into the script") {
  EngineFixture f;
  f.extensions().add_source(std::make_shared<DepartmentSource>());
  f.script("tax/t.lua",
           "prefills = 0\n"
           "function on_prefill(e, form)\n"
           "  prefills = prefills + 1\n"
           "  if form.id ~= 'dept.info' then return end\n"
           "  local dept = assert(zhaoyin.forms.prefill('dept.info'))\n"
           "  form.values.copied = dept.values.taxpayer_id .. '/' .. prefills\n"
           "end\n"
           "function on_presentation_verified(e)\n"
           "  local ids = {}\n"
           "  for _, form in ipairs(zhaoyin.forms.list()) do ids[#ids + 1] = form.id end\n"
           "  local filled, err = zhaoyin.forms.prefill('nope')\n"
           "  assert(filled == nil and err:find('no form'), err)\n"
           "  local dept = assert(zhaoyin.forms.prefill('dept.info'))\n"
           "  return {refuse = table.concat(ids, ',') .. ' ' .. dept.values.taxpayer_name}\n"
           "end\n");
  const auto out = f.extensions().prefill(prefill_event("dept.info"));
  REQUIRE(out.fill);
  CHECK(out.fill->values["copied"] == "91420100YULA38GUXF/1");  // the nested prefill did not call on_prefill
  CHECK(f.present().reason == "dept.info 武汉长江云数科技有限公司（沙箱）");
}

TEST_CASE("host API: JSON, dates, USCC, log") {
  EngineFixture f;
  f.script("tax/t.lua",
           "local J, D, U = zhaoyin.json, zhaoyin.date, zhaoyin.uscc\n"
           "function on_presentation_verified(e)\n"
           "  local t = J.decode('{\"a\":[1,2,{\"b\":\"中\"}],\"n\":null,\"f\":1.5}')\n"
           "  assert(t.a[3].b == '中' and t.n == nil and t.f == 1.5)\n"
           "  assert(J.encode({x = {1, 2}}) == '{\"x\":[1,2]}')\n"
           "  assert(J.encode({}) == '{}')\n"
           "  local bad, err = J.decode('{oops')\n"
           "  assert(bad == nil and err:find('zhaoyin.json.decode'))\n"
           "  assert(not pcall(J.encode, {f = print}))\n"
           "  local loop = {} loop.self = loop\n"
           "  assert(not pcall(J.encode, loop))\n"
           "  assert(D.parse('2026-11-23T00:00:00Z') == 1795392000)\n"
           "  assert(D.parse('2026-11-23T08:00:00+08:00') == 1795392000)\n"
           "  assert(D.parse('2026-11-23') == 1795392000 - 8 * 3600)\n"
           "  assert(D.parse('2026-02-30') == nil)\n"
           "  assert(D.format(1795392000) == '2026-11-23T00:00:00Z')\n"
           "  assert(D.format(1795392000, 'date') == '2026-11-23')\n"
           "  assert(D.add_days('2026-12-30', 3) == '2027-01-02')\n"
           "  assert(D.add_days('2024-02-28', 1) == '2024-02-29')\n"
           "  assert(D.days_between('2026-11-23', '2027-11-23') == 365)\n"
           "  assert(D.days_between('2026-11-23', '2026-11-20') == -3)\n"
           "  assert(D.today():match('^%d%d%d%d%-%d%d%-%d%d$'))\n"
           "  assert(math.abs(D.now() - os.time()) < 5)\n"
           "  assert(U.valid('91110108700338416R') and not U.valid('91110108700338416X'))\n"
           "  assert(U.region('91420100YULA38GUXF') == '420100' and U.region('bad') == nil)\n"
           "  assert(U.valid(zhaoyin.face('uscc')))\n"
           "  zhaoyin.log('info', 'checked ' .. zhaoyin.face('name'))\n"
           "  print('print goes to the log', 1, true)\n"
           "  assert(not pcall(zhaoyin.log, 'loud', 'x'))\n"
           "end\n");
  const auto d = f.present();
  INFO(d.reason);
  CHECK(d.allowed);
}

TEST_CASE("API functions that need a flow refuse at the top level") {
  EngineFixture f;
  f.script("tax/t.lua", "local name = zhaoyin.face('name')\nfunction on_presentation_verified(e) end\n");
  const auto d = f.present();
  CHECK(d.code == "script_unavailable");
  CHECK(d.reason.find("tax/t.lua:1: zhaoyin.face is only available inside a hook") != std::string::npos);
}

// event.application, event.subject, event.detail and form.fields are
// converted when first read (hook_call.cpp, "converted on first read"); a
// script must not be able to tell, except through rawget/next.
TEST_CASE("the event and form members converted on first read behave like plain tables during the call") {
  EngineFixture f;
  f.extensions().add_source(std::make_shared<DepartmentSource>());
  f.script("tax/t.lua",
           "function on_presentation_verified(e)\n"
           "  local keys = {}\n"
           "  for k in pairs(e) do keys[#keys + 1] = k end\n"
           "  table.sort(keys)\n"
           "  e.subject.holder.role = 'changed'\n"
           "  local again = e.subject.holder.role\n"
           "  local same = rawequal(e.subject, e.subject)\n"
           "  return {refuse = table.concat(keys, ',') .. '|' .. again .. '|' .. tostring(same) .. '|' ..\n"
           "    tostring(getmetatable(e)) .. '|' .. tostring(e.nothing) .. '|' .. e.detail.matter}\n"
           "end\n");
  auto event = make_event(flow::FlowPoint::presentation_verified, "app-a", sample_subject(), {{"matter", "m1"}});
  CHECK(f.check(event).reason == "application,client_id,detail,point,subject|changed|true|locked|nil|m1");
  // The C++ event is not changed by the script's edit of its Lua copy.
  CHECK(event.subject["holder"]["role"] != "changed");

  f.script("tax/t.lua", "function on_presentation_verified(e)\n  setmetatable(e, nil)\nend\n");
  CHECK(f.check(make_event(flow::FlowPoint::presentation_verified, "app-a")).code == "script_failed");

  // form.fields: read and extended, or never read (then nothing is added).
  f.script("tax/t.lua",
           "function on_prefill(e, form)\n"
           "  if #form.fields ~= 2 or form.fields[1].key ~= 'taxpayer_id' then return {refuse = 'fields'} end\n"
           "  form.fields[#form.fields + 1] = {key = 'extra', label = 'Extra'}\n"
           "end\n");
  auto out = f.extensions().prefill(prefill_event("dept.info"));
  REQUIRE(out.decision.allowed);
  REQUIRE(out.fill);
  CHECK(out.fill->form.fields.size() == 3);
  CHECK(out.fill->form.fields.back().key == "extra");
  f.script("tax/t.lua", "function on_prefill(e, form)\n  form.values.x = 'y'\nend\n");
  out = f.extensions().prefill(prefill_event("dept.info"));
  REQUIRE(out.fill);
  CHECK(out.fill->form.fields.size() == 2);
  CHECK(out.fill->values["x"] == "y");
}

TEST_CASE("an event kept past its call reads what it read during the call and refuses what it never read") {
  EngineFixture f;
  f.script("tax/t.lua",
           "function on_login_confirmed(e)\n"
           "  kept = e\n"
           "  local _ = e.subject.face_info.uscc\n"
           "end\n"
           "function on_presentation_verified(e)\n"
           "  local ok, err = pcall(function() return kept.application.client_id end)\n"
           "  return {refuse = kept.subject.face_info.uscc .. '|' .. kept.client_id .. '|' .. tostring(ok) .. '|' ..\n"
           "    tostring(err):match('application was not read during the hook call') .. '|' .. e.subject.face_info.uscc}\n"
           "end\n");
  CHECK(f.check(make_event(flow::FlowPoint::login_confirmed, "app-a", sample_subject("91420100YULA38GUXF"))).allowed);
  // The second call's subject is another enterprise: the kept event still
  // shows the first one's, and its unread application is an error, never the
  // second call's application.
  CHECK(f.check(make_event(flow::FlowPoint::presentation_verified, "app-a", sample_subject("9244030038FRL2441J")))
            .reason == "91420100YULA38GUXF|app-a|false|application was not read during the hook call|9244030038FRL2441J");
}
