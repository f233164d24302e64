// The printed 电子营业执照应用接入信息表: a well-formed PDF (qpdf --check)
// whose text (poppler's pdftotext) holds the labels, the values and the trail.
#include <access_fixture.h>
#include <catch2/catch.hpp>
#include <zhaoyin/access/application_pdf.h>

using namespace zhaoyin;
using namespace zhaoyin::test;
using access::Action;

namespace {

// The PDF's text as pdftotext reads it, and qpdf's verdict.
struct Checked {
  std::string text;
  int qpdf_exit = -1;
  std::string qpdf_output;
};

Checked check_pdf(const TempDir& dir, const std::string& pdf, const std::string& name) {
  const auto file = dir / (name + ".pdf");
  write_file(file, pdf);
  Checked c;
  const auto qpdf = run_command("qpdf --check " + quote(file));
  c.qpdf_exit = qpdf.exit_code;
  c.qpdf_output = qpdf.output;
  const auto text = run_command("pdftotext -enc UTF-8 " + quote(file) + " -");
  REQUIRE(text.exit_code == 0);
  c.text = text.output;
  return c;
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// pdftotext may break a long value over lines; compare without whitespace.
std::string squeezed(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\n' && c != '\r' && c != '\f') out += c;
  return out;
}

// "2026-12-07 20:53" in UTC+8, as the form prints times.
std::string beijing(access::TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", &tm);
  return buffer;
}

}  // namespace

TEST_CASE("the PDF holds every field, its labels and the review trail") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  const auto draft = service.create_draft(kApplicant, valid_form());
  service.submit(kApplicant, draft.id, known_matters());
  service.act(kReviewer, draft.id, Action::Accept, "材料齐全，予以受理");
  std::optional<access::Credentials> issued;
  service.act(kReviewer, draft.id, Action::Approve, "同意接入电子税务局", &issued);
  const auto application = *service.find(draft.id);

  const auto checked = check_pdf(s.dir, access::render_application_pdf(application), "approved");
  INFO(checked.qpdf_output);
  CHECK(checked.qpdf_exit == 0);
  const auto text = squeezed(checked.text);
  for (const std::string& expected : std::vector<std::string>{"电子营业执照应用接入信息表", "机构名称", "湖北省武汉市税务局", "机构性质", "政府机关", "统一社会信用代码",
        "91110108700338416R", "联系电话", "13800138000", "域名(IP)", "etax.example.gov.cn", "所属领域", "电子政务",
        "应用需求", "用户登录", "出示验证", "验证范围", "本省", "湖北省", "应用方式", "微信小程序", "年验证量", "120",
        "授权事项", "电子政务/税务/发票申领", "审核记录", "时间", "操作", "操作人", "角色", "意见", "受理",
        "材料齐全，予以受理", "批准", "同意接入电子税务局", "rita", "审核员", "已生效", issued->client_id})
    CHECK(has(text, squeezed(expected)));
  // The secret is never printed.
  CHECK_FALSE(has(text, issued->client_secret));
}

TEST_CASE("a long form and a long trail break over pages") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  auto form = valid_form();
  form.business_summary.clear();
  for (int i = 0; i < 60; ++i) form.business_summary += "第" + std::to_string(i) + "项业务：纳税人以电子营业执照办理涉税事项。\n";
  const auto a = service.create_draft(kApplicant, form);
  service.submit(kApplicant, a.id, known_matters());
  service.act(kReviewer, a.id, Action::Accept, "受理");
  service.act(kReviewer, a.id, Action::Approve, "同意");
  for (int i = 0; i < 20; ++i) {
    service.act(kOperator, a.id, Action::Suspend, "第" + std::to_string(i) + "次暂停核查：峰值超出申报值");
    service.act(kOperator, a.id, Action::Resume, "恢复");
  }
  const auto application = *service.find(a.id);
  const auto checked = check_pdf(s.dir, access::render_application_pdf(application), "long");
  INFO(checked.qpdf_output);
  CHECK(checked.qpdf_exit == 0);
  const auto pages = run_command("qpdf --show-npages " + quote(s.dir / "long.pdf"));
  CHECK(std::stoi(pages.output) >= 3);
  const auto text = squeezed(checked.text);
  CHECK(has(text, "第59项业务"));
  CHECK(has(text, "第19次暂停核查"));
  CHECK(has(text, "第3页"));
  // The trail runs over a page break and its header row is repeated there.
  std::size_t headers = 0;
  for (auto at = text.find("操作人角色意见"); at != std::string::npos; at = text.find("操作人角色意见", at + 1)) ++headers;
  CHECK(headers >= 2);
}

TEST_CASE("a draft prints with an empty trail and markup as text") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  auto form = access::AccessForm{};
  form.org_name = "<script>alert(1)</script>";
  const auto a = service.create_draft(kApplicant, form);
  const auto checked = check_pdf(s.dir, access::render_application_pdf(*service.find(a.id)), "draft");
  CHECK(checked.qpdf_exit == 0);
  CHECK(has(checked.text, "<script>alert(1)</script>"));
  CHECK(has(squeezed(checked.text), "尚无审核记录"));
  CHECK(has(squeezed(checked.text), "草稿"));
}

TEST_CASE("a sandbox print says so on every page and a normal one does not") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  auto form = valid_form();
  for (int i = 0; i < 80; ++i) form.business_summary += "\n第" + std::to_string(i) + "行说明";
  const auto a = *service.find(service.create_draft(kApplicant, form).id);

  const auto sandbox = check_pdf(s.dir, access::render_application_pdf(a, access::PrintOptions{true}), "sandbox");
  CHECK(sandbox.qpdf_exit == 0);
  const auto pages = std::stoi(run_command("qpdf --show-npages " + quote(s.dir / "sandbox.pdf")).output);
  REQUIRE(pages >= 2);
  // pdftotext separates pages with a form feed; each page carries the banner.
  std::size_t start = 0;
  int marked = 0;
  for (int page = 0; page < pages; ++page) {
    const auto end = sandbox.text.find('\f', start);
    if (has(sandbox.text.substr(start, end - start), "Sandbox 沙箱")) ++marked;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  CHECK(marked == pages);
  CHECK(has(squeezed(sandbox.text), "电子营业执照应用接入信息表（沙箱）"));

  const auto normal = check_pdf(s.dir, access::render_application_pdf(a), "normal");
  CHECK(normal.qpdf_exit == 0);
  CHECK_FALSE(has(normal.text, "沙箱"));
  CHECK_FALSE(has(normal.text, "Sandbox"));
}

TEST_CASE("the PDF prints the declared systems, the technical service provider, the acknowledgement with who and when, and the signature and seal block") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  auto form = valid_form();
  form.systems.push_back({"湖北省电子税务局门户", "portal.etax.example.gov.cn", 8443});
  form.provider_name = "武汉数字政务科技有限公司";
  form.provider_contact = "王五";
  form.provider_phone = "027-12345678";
  const auto draft = service.create_draft(kApplicant, form);

  // Not yet submitted: no acknowledgement to print, the seal boxes still are.
  const auto unsigned_draft = check_pdf(s.dir, access::render_application_pdf(*service.find(draft.id)), "draft");
  CHECK(unsigned_draft.qpdf_exit == 0);
  CHECK(has(squeezed(unsigned_draft.text), "尚未提交，未作承诺"));
  CHECK(has(squeezed(unsigned_draft.text), "申请单位（盖章）"));

  service.submit(kApplicant, draft.id, known_matters());
  const auto application = *service.find(draft.id);
  const auto ack = access::acknowledgement_of(application);
  REQUIRE(ack);
  const auto checked = check_pdf(s.dir, access::render_application_pdf(application), "acknowledged");
  INFO(checked.qpdf_output);
  CHECK(checked.qpdf_exit == 0);
  const auto text = squeezed(checked.text);
  for (const std::string& expected : std::vector<std::string>
       {std::string("办事系统名称"), std::string("本机联调环境"), std::string("127.0.0.1"), std::string("8765"),
        std::string("湖北省电子税务局门户"), std::string("portal.etax.example.gov.cn"), std::string("8443"),
        std::string("技术服务单位"), std::string("武汉数字政务科技有限公司"), std::string("技术服务单位联系人"),
        std::string("王五"), std::string("027-12345678"), std::string("承诺及签章"), std::string("阅知承诺"),
        std::string("已阅知并承诺遵守《电子营业执照应用接入规范》及《电子营业执照管理办法》"),
        std::string("确认人alice"), "确认时间" + beijing(ack->at), std::string("申请单位（盖章）"),
        std::string("审核单位（盖章）"), std::string("负责人签字")}) {
    INFO(expected);
    CHECK(has(text, squeezed(expected)));
  }
}

TEST_CASE("the PDF's 审核意见 prints each stage with its person, opinion and time, the provider under its signer") {
  AccessStore s;
  access::AccessService service(s.db);  // the default stages
  auto form = valid_form();
  form.provider_name = "武汉数字政务科技有限公司";
  form.provider_contact = "王五";
  form.provider_phone = "027-12345678";
  const auto draft = service.create_draft(kApplicant, form);
  service.submit(kApplicant, draft.id, known_matters());
  service.act(kReviewer, draft.id, Action::Accept, "材料齐全");
  const auto link = service.mint_provider_link(kApplicant, draft.id);
  service.provider_sign_off(link.token, "王五", Action::Pass, "回调地址核对无误");
  // In review: the stages still to come say so.
  const auto pending = check_pdf(s.dir, access::render_application_pdf(*service.find(draft.id)), "stages-pending");
  CHECK(pending.qpdf_exit == 0);
  CHECK(has(squeezed(pending.text), "（审核中）"));
  CHECK(has(squeezed(pending.text), "（待审核）"));
  service.act(kReviewer, draft.id, Action::Pass, "符合业务指导要求");
  service.act(kOperator, draft.id, Action::Approve, "已完成对接");
  const auto a = *service.find(draft.id);
  const auto checked = check_pdf(s.dir, access::render_application_pdf(a), "stages");
  INFO(checked.qpdf_output);
  CHECK(checked.qpdf_exit == 0);
  const auto text = squeezed(checked.text);
  for (const std::string& expected :
       {std::string("六、审核意见"), std::string("审核环节"), std::string("审核人"), std::string("受理"),
        std::string("材料齐全"), std::string("rita（审核员）"), std::string("技术服务方确认"),
        std::string("回调地址核对无误"), std::string("王五（技术服务方）"), std::string("业务指导部门"),
        std::string("符合业务指导要求"), std::string("系统运维部门"), std::string("已完成对接"),
        std::string("otto（运营管理员）"), std::string("七、审核记录"), std::string("八、承诺及签章"),
        beijing(a.trail.back().at)}) {
    INFO(expected);
    CHECK(has(text, squeezed(expected)));
  }
}
