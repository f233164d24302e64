// 附件2 电子营业执照应用场景清单: the scenario rows on the access form (their
// validation and JSON), their copy into the approved application, the
// functions enforced per matter (verification/matter_functions.h), and the
// register across applications with its CSV and PDF (checked with qpdf and
// pdftotext; the CSV by python3's csv module in the admin pages test).
#include <access_fixture.h>
#include <catch2/catch.hpp>
#include <zhaoyin/access/application_pdf.h>
#include <zhaoyin/access/scenario_register.h>
#include <zhaoyin/access/scenarios.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/verification/matter_functions.h>

using namespace zhaoyin;
using namespace zhaoyin::test;
using access::AccessForm;
using access::Action;
using access::ScenarioRow;

namespace {

ScenarioRow row(const std::string& matter, std::vector<std::string> functions) {
  ScenarioRow r;
  r.matter = matter;
  r.implementing_department = "国家税务总局济宁市税务局";
  r.business_system = "山东省电子税务局";
  r.functions = std::move(functions);
  r.remark = "窗口与网上办理";
  return r;
}

// The valid form with a row for each matter: 发票申领 online login only,
// 纳税申报 at the counter only.
AccessForm form_with_rows() {
  auto f = valid_form();
  f.scenarios = {row("电子政务/税务/发票申领", {"login"}), row("电子政务/税务/纳税申报", {"presentation"})};
  return f;
}

std::vector<std::string> scenario_messages(const AccessForm& f) {
  std::vector<std::string> out;
  for (const auto& e : access::validate(f, known_matters())) {
    CHECK(e.field == "scenarios");
    out.push_back(e.message);
  }
  return out;
}

bool mentions(const std::vector<std::string>& messages, const std::string& needle) {
  return std::any_of(messages.begin(), messages.end(), [&](const auto& m) { return m.find(needle) != std::string::npos; });
}

std::string approve(access::AccessService& service, const AccessForm& form, std::optional<access::Credentials>& issued) {
  const auto draft = service.create_draft(kApplicant, form);
  service.submit(kApplicant, draft.id, known_matters());
  service.act(kReviewer, draft.id, Action::Accept, "受理");
  service.act(kReviewer, draft.id, Action::Approve, "同意", &issued);
  return draft.id;
}

}  // namespace

TEST_CASE("a form with one row per chosen matter is valid, and so is one without rows") {
  CHECK(access::validate(form_with_rows(), known_matters()).empty());
  CHECK(access::validate(valid_form(), known_matters()).empty());  // the default: needs per matter
}

TEST_CASE("scenario rows: every refusal names the matter") {
  SECTION("a row for a matter the application did not choose") {
    auto f = form_with_rows();
    f.scenarios.push_back(row("电子政务/社保/参保登记", {"login"}));
    CHECK(mentions(scenario_messages(f), "不是本申请选择的授权事项"));
  }
  SECTION("a chosen matter without a row") {
    auto f = form_with_rows();
    f.scenarios.pop_back();
    const auto messages = scenario_messages(f);
    REQUIRE(messages.size() == 1);
    CHECK(mentions(messages, "电子政务/税务/纳税申报"));
    CHECK(mentions(messages, "缺少一行"));
  }
  SECTION("two rows for one matter") {
    auto f = form_with_rows();
    f.scenarios.push_back(row("电子政务/税务/发票申领", {"presentation"}));
    CHECK(mentions(scenario_messages(f), "不止一行"));
  }
  SECTION("a function outside the application's needs") {
    auto f = form_with_rows();
    f.scenarios[0].functions = {"login", "signature"};  // needs are login and presentation
    const auto messages = scenario_messages(f);
    REQUIRE(messages.size() == 1);
    CHECK(mentions(messages, "电子签名"));
    CHECK(mentions(messages, "不在本申请的应用需求"));
  }
  SECTION("no function, an unknown one, a repeated one") {
    auto f = form_with_rows();
    f.scenarios[0].functions = {};
    CHECK(mentions(scenario_messages(f), "请至少选择一项应用功能"));
    f.scenarios[0].functions = {"teleport"};
    CHECK(mentions(scenario_messages(f), "无效"));
    f.scenarios[0].functions = {"login", "login"};
    CHECK(mentions(scenario_messages(f), "重复"));
  }
  SECTION("其他 needs its text, and must itself be a need") {
    auto f = form_with_rows();
    f.needs = {"login", "presentation", "other"};
    f.needs_other = "档案调阅";
    f.scenarios[1].functions = {"other"};
    CHECK(mentions(scenario_messages(f), "选择“其他”应用功能时请说明"));
    f.scenarios[1].function_other = "档案调阅";
    CHECK(access::validate(f, known_matters()).empty());
    f.needs = {"login", "presentation"};
    f.needs_other = "";
    CHECK(mentions(scenario_messages(f), "不在本申请的应用需求"));
  }
  SECTION("blank and overlong texts") {
    auto f = form_with_rows();
    f.scenarios[0].implementing_department = "  ";
    f.scenarios[1].business_system = "";
    f.scenarios[1].remark = std::string(201 * 3, 'x');
    const auto messages = scenario_messages(f);
    CHECK(mentions(messages, "请填写实施部门"));
    CHECK(mentions(messages, "请填写办事系统"));
    CHECK(mentions(messages, "备注不能超过200个字"));
  }
}

TEST_CASE("scenario rows round-trip through JSON, and wrong types are field errors") {
  const auto f = form_with_rows();
  const auto back = access::form_from_json(access::to_json(f));
  REQUIRE(back.scenarios.size() == 2);
  CHECK(back.scenarios[1].matter == "电子政务/税务/纳税申报");
  CHECK(back.scenarios[1].functions == std::vector<std::string>{"presentation"});
  CHECK(back.scenarios[0].remark == "窗口与网上办理");

  auto j = access::to_json(f);
  j.erase("scenarios");  // an older client, an older stored form
  CHECK(access::form_from_json(j).scenarios.empty());
  for (const auto* bad : {R"("rows")", R"([1])", R"([{"matter": 7}])", R"([{"matter": "x", "functions": "login"}])",
                          R"([{"matter": "x", "functions": [1]}])"}) {
    DYNAMIC_SECTION(bad) {
      j["scenarios"] = nlohmann::json::parse(bad);
      try {
        access::form_from_json(j);
        FAIL("accepted " << bad);
      } catch (const access::AccessError& e) {
        CHECK(e.code() == "invalid_form");
        REQUIRE_FALSE(e.fields().empty());
        CHECK(e.fields()[0].field == "scenarios");
      }
    }
  }
}

TEST_CASE("approval copies each matter's functions into the relying-party application") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  std::optional<access::Credentials> issued;
  const auto id = approve(service, form_with_rows(), issued);
  REQUIRE(issued);
  const auto app = store::ApplicationRepository(*s.db).find(issued->client_id);
  REQUIRE(app);
  CHECK(app->matter_functions.at("电子政务/税务/发票申领") == std::vector<std::string>{"login"});
  CHECK(app->matter_functions.at("电子政务/税务/纳税申报") == std::vector<std::string>{"presentation"});
  // The approved form keeps its register (the printed and listed version).
  CHECK(service.find(id)->form.scenarios.size() == 2);

  SECTION("the printed application carries the rows") {
    const auto file = s.dir / "application.pdf";
    write_file(file, access::render_application_pdf(*service.find(id), {}));
    CHECK(run_command("qpdf --check " + quote(file)).exit_code == 0);
    std::string text;
    for (char c : run_command("pdftotext -enc UTF-8 " + quote(file) + " -").output)
      if (c != ' ' && c != '\n' && c != '\f') text += c;
    for (const std::string& expected : {"五、应用场景清单（附件2）", "国家税务总局济宁市税务局", "线上扫码登录", "线下出示执照",
                                        "七、审核记录"}) {
      INFO(expected);
      CHECK(text.find(expected) != std::string::npos);
    }
  }

  SECTION("an application without rows stores none: the default") {
    std::optional<access::Credentials> plain;
    approve(service, valid_form(), plain);
    CHECK(store::ApplicationRepository(*s.db).find(plain->client_id)->matter_functions.empty());
  }
}

TEST_CASE("functions per matter: the matter's row decides, the default is the needs") {
  store::Application app;
  app.client_id = "etax";
  app.needs = {"login", "presentation"};
  app.matters = {"电子政务/税务", "电子政务/税务/发票申领", "电子政务/社保/参保登记"};
  app.matter_functions = {{"电子政务/税务", {"presentation"}}, {"电子政务/税务/发票申领", {"login"}}};

  // 线下出示 only: a login is refused, a presentation allowed.
  const auto refused = verification::function_refusal(app, "电子政务/税务/纳税申报", "login");
  REQUIRE(refused);
  CHECK(refused->find("电子政务/税务") != std::string::npos);
  CHECK_FALSE(verification::function_refusal(app, "电子政务/税务/纳税申报", "presentation"));
  // The most specific row decides: 发票申领 (and below it) is login only.
  CHECK_FALSE(verification::function_refusal(app, "电子政务/税务/发票申领", "login"));
  CHECK_FALSE(verification::function_refusal(app, "电子政务/税务/发票申领/增值税专票", "login"));
  CHECK(verification::function_refusal(app, "电子政务/税务/发票申领", "presentation"));
  // No row: the needs — login and presentation yes, signature no.
  CHECK_FALSE(verification::function_refusal(app, "电子政务/社保/参保登记", "login"));
  CHECK(verification::function_refusal(app, "电子政务/社保/参保登记", "signature"));
  // Not approved at all: left to the caller's matter_not_approved.
  CHECK_FALSE(verification::function_refusal(app, "电子商务/银行/对公开户", "login"));
  // "电子政务/税" is not an ancestor of 电子政务/税务/…: whole segments only.
  app.matters.push_back("电子政务/税");
  app.matter_functions["电子政务/税"] = {"signature"};
  CHECK_FALSE(verification::function_refusal(app, "电子政务/税务/纳税申报", "presentation"));
}

TEST_CASE("the register lists the active applications' matters, filtered") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  std::optional<access::Credentials> issued;
  approve(service, form_with_rows(), issued);
  auto bank = valid_form();
  bank.org_name = "济宁银行";
  bank.system_name = "企业网银";
  bank.field = "e_commerce";
  bank.industry = "银行";
  bank.needs = {"signature"};
  bank.matters = {"电子商务/银行/对公开户"};
  bank.department = "";
  std::optional<access::Credentials> bank_issued;
  approve(service, bank, bank_issued);  // no rows: the default row
  service.create_draft(kApplicant, form_with_rows());  // a draft is not in the register

  const auto all = access::register_rows(service.list_for(kReviewer));
  REQUIRE(all.size() == 3);
  CHECK(all[0].scenario.implementing_department == "国家税务总局济宁市税务局");
  const auto defaulted = std::find_if(all.begin(), all.end(), [](const auto& r) { return r.defaulted; });
  REQUIRE(defaulted != all.end());
  CHECK(defaulted->scenario.implementing_department == "济宁银行");
  CHECK(defaulted->scenario.functions == std::vector<std::string>{"signature"});

  auto count = [&](access::RegisterFilter f) { return access::register_rows(service.list_for(kReviewer), f).size(); };
  CHECK(count({.department = "济宁银行"}) == 1);
  CHECK(count({.field = "e_government"}) == 2);
  CHECK(count({.industry = "银行"}) == 1);
  CHECK(count({.function = "login"}) == 1);
  CHECK(count({.function = "presentation"}) == 1);
  CHECK(count({.text = "纳税申报"}) == 1);
  CHECK(count({.text = "ETAX"}) == 0);
  CHECK(count({.text = "91110108700338416r"}) == 3);  // USCC, case-insensitive
  CHECK(access::register_departments(all) == std::vector<std::string>{"国家税务总局济宁市税务局", "济宁银行"});

  SECTION("CSV: BOM, 附件2's columns, every field quoted, formulas defused") {
    auto rows = all;
    rows[0].scenario.remark = "=HYPERLINK(\"x\")";
    const auto csv = access::register_csv(rows);
    CHECK(csv.rfind("\xEF\xBB\xBF\"序号\",\"应用事项名称\",\"实施部门\",\"办事系统\",\"应用功能\",\"备注\"\r\n", 0) == 0);
    CHECK(csv.find("\"'=HYPERLINK(\"\"x\"\")\"") != std::string::npos);
    CHECK(csv.find("\"线上扫码登录\"") != std::string::npos);
  }

  SECTION("PDF: qpdf accepts it, pdftotext reads the title, headings and rows") {
    const auto file = s.dir / "register.pdf";
    write_file(file, access::render_register_pdf(all, {.issuer = "国家税务总局济宁市税务局", .sandbox = false}));
    const auto qpdf = run_command("qpdf --check " + quote(file));
    INFO(qpdf.output);
    CHECK(qpdf.exit_code == 0);
    const auto text = run_command("pdftotext -enc UTF-8 " + quote(file) + " -");
    REQUIRE(text.exit_code == 0);
    std::string squeezed;
    for (char c : text.output)
      if (c != ' ' && c != '\n' && c != '\r' && c != '\f') squeezed += c;
    for (const std::string& expected :
         {"附件2", "电子营业执照应用场景清单", "序号", "应用事项名称", "实施部门", "办事系统", "应用功能", "备注",
          "山东省电子税务局", "线下出示执照", "线上扫码登录", "电子签名", "填报单位"}) {
      INFO(expected);
      CHECK(squeezed.find(expected) != std::string::npos);
    }
  }
}
