// 附件2 电子营业执照应用场景清单 through a real zhaoyin-host on the sandbox: an
// applicant fills in one scenario row per matter in the application pages, a
// reviewer approves; the host then enforces each matter's functions on the
// login-session, OIDC authorize, presentation and sign-task APIs (403
// function_not_approved_for_matter, and the allowed path next to each
// refusal); the register page lists and filters the rows, its CSV is read by
// python3's csv module and its PDF by qpdf and pdftotext; the 办事指南 page.
#include <thread>
#include <catch2/catch.hpp>
#include <zhaoyin/http/form.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/database.h>

#include "presentation_fixture.h"
#include "scenario_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

PagesHost& pages_host() {
  static PagesHost host;
  return host;
}

// The client of the one application every case here shares.
const Client& client() {
  static const Client c = approved_client(pages_host(), form_with_rows("场景清单测试系统"));
  return c;
}

std::string bearer() {
  static const std::string token = [] {
    HttpCall call;
    call.method = "POST";
    call.path = "/oauth/token";
    call.content_type = "application/x-www-form-urlencoded";
    call.body = "grant_type=client_credentials&client_id=" + http::form_encode(client().id) +
                "&client_secret=" + http::form_encode(client().secret);
    const auto r = http_call(static_cast<std::uint16_t>(pages_host().port()), call);
    if (r.status != 200) throw std::runtime_error("token: " + r.body);
    return r.json()["access_token"].get<std::string>();
  }();
  return token;
}

HttpResult api(const std::string& path, const nlohmann::json& body) {
  HttpCall call;
  call.method = "POST";
  call.path = path;
  call.headers = {{"Authorization", "Bearer " + bearer()}};
  call.content_type = "application/json";
  call.body = body.dump();
  return http_call(static_cast<std::uint16_t>(pages_host().port()), call);
}

void expect_refusal(const HttpResult& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(error_code(r) == code);
}

std::string authorize(const std::string& matter) {
  HttpCall call;
  call.path = "/oidc/authorize?client_id=" + http::form_encode(client().id) + "&redirect_uri=" +
              http::form_encode(kRedirect) +
              "&response_type=code&scope=openid&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
              "&code_challenge_method=S256&matter=" + http::form_encode(matter);
  const auto r = http_call(static_cast<std::uint16_t>(pages_host().port()), call);
  INFO(r.status << " " << r.body);
  return r.status == 302 ? r.header("Location") : "status " + std::to_string(r.status);
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

}  // namespace

TEST_CASE("a matter approved only for 线下出示 and 电子签名 refuses a login, and the login matter logs in",
          "[admin_pages][scenarios]") {
  expect_refusal(api("/api/v1/login-sessions", {{"matter", kInvoice}}), 403, "function_not_approved_for_matter");
  const auto allowed = api("/api/v1/login-sessions", {{"matter", kFiling}});
  INFO(allowed.body);
  CHECK(allowed.status == 201);
  // A matter the application was not approved for keeps its own refusal.
  expect_refusal(api("/api/v1/login-sessions", {{"matter", "电子政务/社保/参保登记"}}), 403, "matter_not_approved");
  // A login without a matter is the application's needs: allowed.
  CHECK(api("/api/v1/login-sessions", nlohmann::json::object()).status == 201);
}

TEST_CASE("OpenID Connect authorize: the refusal goes back to the client as access_denied with the code",
          "[admin_pages][scenarios]") {
  const auto refused = authorize(kInvoice);
  CHECK(has(refused, kRedirect + "?"));
  CHECK(has(refused, "error=access_denied"));
  CHECK(has(refused, "function_not_approved_for_matter"));
  const auto allowed = authorize(kFiling);
  CHECK_FALSE(has(allowed, "error="));
  CHECK(has(authorize("电子政务/社保/参保登记"), "matter_not_approved"));
}

TEST_CASE("a presentation under the login-only matter is refused, under the presentation matter accepted",
          "[admin_pages][scenarios]") {
  const auto wallet = sandbox_wallet(shared_sandbox(), "91420100YULA38GUXF-1");  // 湖北, legal representative
  expect_refusal(api("/api/v1/presentations", {{"code", fresh_code(wallet)}, {"matter", kFiling}}), 403,
                 "function_not_approved_for_matter");
  const auto accepted = api("/api/v1/presentations", {{"code", fresh_code(wallet)}, {"matter", kInvoice}});
  INFO(accepted.body);
  CHECK(accepted.status == 201);
  CHECK(accepted.json()["matter"] == kInvoice);
}

TEST_CASE("a sign task under the login-only matter is refused, under the signature matter created",
          "[admin_pages][scenarios]") {
  const nlohmann::json task = {{"document", {{"data", "aGVsbG8="}}}, {"seals", {{"types", {"company"}}}}};
  auto refused = task;
  refused["matter"] = kFiling;
  expect_refusal(api("/api/v1/sign-tasks", refused), 403, "function_not_approved_for_matter");
  auto allowed = task;
  allowed["matter"] = kInvoice;
  const auto r = api("/api/v1/sign-tasks", allowed);
  INFO(r.body);
  CHECK(r.status == 201);
}

TEST_CASE("the application pages show, refuse and keep the rows", "[admin_pages][scenarios]") {
  auto reviewer = pages_host().staff("reviewer");
  const auto detail = reviewer.get("/admin/applications/" + client().application);
  REQUIRE(detail.status == 200);
  CHECK(has(detail.body, "应用场景清单（附件2）"));
  CHECK(has(detail.body, "线下出示执照、电子签名"));
  CHECK(has(detail.body, "窗口领票"));

  auto applicant = pages_host().staff("applicant");
  SECTION("a function outside the needs is refused next to the section, and nothing is submitted") {
    auto form = with(form_with_rows("越权场景系统"), "sc1.functions", "signature");
    // Only presentation and login are needed now: signature is out.
    Fields without_signature;
    for (const auto& kv : form)
      if (!(kv.first == "needs" && kv.second == "signature")) without_signature.push_back(kv);
    const auto r = applicant.post("/admin/applications",
                                  plus(without_signature, {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
    INFO(r.body);
    REQUIRE(r.status == 422);
    CHECK(has(r.body, "data-field=\"scenarios\""));
    CHECK(has(r.body, "不在本申请的应用需求"));
  }
  SECTION("a matter ticked without a row starts with the default row, shown for editing") {
    Fields form;
    for (const auto& kv : form_with_rows("默认行系统"))
      if (kv.first.rfind("sc1.", 0) != 0) form.push_back(kv);
    const auto r = applicant.post("/admin/applications", plus(form, {{"csrf", applicant.csrf()}, {"intent", "save"}}));
    REQUIRE(r.status == 303);
    const auto edit = applicant.get(r.location + "/edit");
    REQUIRE(edit.status == 200);
    CHECK(has(edit.body, "name=\"sc1.matter\" value=\"" + kFiling + "\""));
    CHECK(has(edit.body, "value=\"湖北省测试局\""));  // 实施部门 defaults to the organisation
  }
}

TEST_CASE("the register lists, filters and exports the active applications' rows", "[admin_pages][scenarios]") {
  (void)client();
  auto reviewer = pages_host().staff("reviewer");
  const auto page = reviewer.get("/admin/scenarios");
  REQUIRE(page.status == 200);
  CHECK(has(page.body, "data-matter=\"" + kInvoice + "\""));
  CHECK(has(page.body, "data-matter=\"" + kFiling + "\""));
  CHECK(has(page.body, "国家税务总局武汉市税务局"));

  const auto login_only = reviewer.get("/admin/scenarios?function=login&department=" +
                                       http::form_encode("国家税务总局武汉市税务局"));
  REQUIRE(login_only.status == 200);
  CHECK(has(login_only.body, "data-matter=\"" + kFiling + "\""));
  CHECK_FALSE(has(login_only.body, "data-matter=\"" + kInvoice + "\""));
  const auto searched = reviewer.get("/admin/scenarios?q=" + http::form_encode("窗口领票") + "&field=e_government");
  CHECK(has(searched.body, "data-matter=\"" + kInvoice + "\""));
  CHECK_FALSE(has(searched.body, "data-matter=\"" + kFiling + "\""));
  CHECK_FALSE(has(reviewer.get("/admin/scenarios?field=e_commerce").body, "国家税务总局武汉市税务局</td>"));
  CHECK(reviewer.get("/admin/scenarios?function=teleport").status == 400);
  CHECK(reviewer.get("/admin/scenarios?field=space").status == 400);

  // Another applicant's register holds none of these rows.
  auto other = pages_host().staff("applicant2");
  const auto theirs = other.get("/admin/scenarios");
  REQUIRE(theirs.status == 200);
  CHECK_FALSE(has(theirs.body, "国家税务总局武汉市税务局"));
  CHECK(pages_host().staff("applicant").get("/admin/scenarios").body.find("窗口领票") != std::string::npos);

  SECTION("CSV: UTF-8 with BOM, 附件2's columns, read back by python3's csv module") {
    const auto csv = reviewer.get("/admin/scenarios.csv?department=" + http::form_encode("国家税务总局武汉市税务局"));
    REQUIRE(csv.status == 200);
    CHECK(csv.content_type.rfind("text/csv", 0) == 0);
    REQUIRE(csv.body.rfind("\xEF\xBB\xBF", 0) == 0);
    TempDir dir("zhaoyin-register-csv");
    const auto file = dir / "register.csv";
    write_file(file, csv.body);
    const std::string script =
        "import csv, json, sys\n"
        "with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:\n"
        "    print(json.dumps(list(csv.reader(f)), ensure_ascii=False))\n";
    write_file(dir / "read.py", script);
    const auto r = run_command("python3 " + quote(dir / "read.py") + " " + quote(file));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const auto rows = nlohmann::json::parse(r.output);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0] == nlohmann::json::parse(R"(["序号","应用事项名称","实施部门","办事系统","应用功能","备注"])"));
    CHECK(rows[1][0] == "1");
    CHECK(rows[1][1] == kInvoice);
    CHECK(rows[1][4] == "线下出示执照、电子签名");
    CHECK(rows[1][5] == "窗口领票");
    CHECK(rows[2][1] == kFiling);
    CHECK(rows[2][4] == "线上扫码登录");
  }

  SECTION("PDF in 附件2's layout: qpdf accepts it, pdftotext reads the Chinese headings") {
    const auto pdf = reviewer.get("/admin/scenarios.pdf?department=" + http::form_encode("国家税务总局武汉市税务局"));
    REQUIRE(pdf.status == 200);
    CHECK(pdf.content_type == "application/pdf");
    TempDir dir("zhaoyin-register-pdf");
    const auto file = dir / "register.pdf";
    write_file(file, pdf.body);
    const auto qpdf = run_command("qpdf --check " + quote(file));
    INFO(qpdf.output);
    CHECK(qpdf.exit_code == 0);
    const auto text = run_command("pdftotext -enc UTF-8 " + quote(file) + " -");
    REQUIRE(text.exit_code == 0);
    std::string squeezed;
    for (char c : text.output)
      if (c != ' ' && c != '\n' && c != '\r' && c != '\f') squeezed += c;
    for (const std::string& heading :
         {"电子营业执照应用场景清单", "序号", "应用事项名称", "实施部门", "办事系统", "应用功能", "备注",
          "国家税务总局武汉市税务局", "湖北省电子税务局", "线上扫码登录"}) {
      INFO(heading);
      CHECK(has(squeezed, heading));
    }
  }
}

TEST_CASE("the 办事指南 of a scenario: steps per approved function, seals, channels", "[admin_pages][scenarios]") {
  auto reviewer = pages_host().staff("reviewer");
  const auto base = "/admin/applications/" + client().application + "/guide?matter=";
  const auto invoice = reviewer.get(base + http::form_encode(kInvoice));
  REQUIRE(invoice.status == 200);
  CHECK(has(invoice.body, "data-function=\"presentation\""));
  CHECK(has(invoice.body, "data-function=\"signature\""));
  CHECK_FALSE(has(invoice.body, "data-function=\"login\""));
  CHECK(has(invoice.body, "待签章"));
  CHECK(has(invoice.body, "id=\"guide-seals\""));
  CHECK(has(invoice.body, "PC端应用"));
  CHECK(has(invoice.body, "通用照面信息"));  // the built-in prefill form
  const auto filing = reviewer.get(base + http::form_encode(kFiling));
  CHECK(has(filing.body, "data-function=\"login\""));
  CHECK_FALSE(has(filing.body, "id=\"guide-seals\""));
  CHECK(reviewer.get(base + http::form_encode("电子政务/社保/参保登记")).status == 404);
  CHECK(pages_host().staff("applicant2").get(base + http::form_encode(kInvoice)).status == 403);
}

TEST_CASE("callback, return and redirect URLs off the declared systems are refused at use", "[admin_pages][systems]") {
  // The approved application declares one 办事系统, etax.example.gov.cn:443.
  expect_refusal(api("/api/v1/login-sessions", {{"callback_url", "https://notify.other.example.cn/cb"}}), 400,
                 "callback_url_not_declared");
  expect_refusal(api("/api/v1/login-sessions", {{"callback_url", "https://etax.example.gov.cn:8443/cb"}}), 400,
                 "callback_url_not_declared");
  CHECK(api("/api/v1/login-sessions", {{"callback_url", "https://etax.example.gov.cn/notify"}}).status == 201);

  // A registration widened outside the access review (here straight in the
  // store, as an admin tool or an older release might) still cannot send
  // browsers off the declared systems: the registered-but-undeclared URI is
  // refused as a login return_url, a sign task's return_url and an OIDC redirect_uri.
  const std::string widened = "https://portal.other.example.cn/cb";
  {
    store::DatabaseSettings settings;
    settings.data_dir = pages_host().data_dir();
    store::Database db(settings);
    store::ApplicationRepository apps(db);
    auto app = apps.find(client().id);
    REQUIRE(app);
    CHECK(app->declared_systems == std::vector<std::string>{"etax.example.gov.cn:443"});
    app->redirect_uris.push_back(widened);
    apps.upsert(*app, client().secret);
  }
  // Written by another process: the host reads it once its copy of the
  // application is older than store.credential_cache_ms (1 s; SECURITY.md,
  // "Cached reads").
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  expect_refusal(api("/api/v1/login-sessions", {{"return_url", widened}}), 400, "return_url_not_declared");
  CHECK(api("/api/v1/login-sessions", {{"return_url", kRedirect}}).status == 201);

  HttpCall call;
  call.path = "/oidc/authorize?client_id=" + http::form_encode(client().id) + "&redirect_uri=" +
              http::form_encode(widened) +
              "&response_type=code&scope=openid&state=s1&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
              "&code_challenge_method=S256";
  const auto refused = http_call(static_cast<std::uint16_t>(pages_host().port()), call);
  INFO(refused.body);
  CHECK(refused.status == 400);
  CHECK(has(refused.body, "redirect_uri_not_declared"));
  CHECK(refused.header("Location").empty());  // never redirected to
}
