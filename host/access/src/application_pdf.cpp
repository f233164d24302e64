// render_application_pdf(): the 电子营业执照应用接入信息表 as printed for the
// archive — every field with its Chinese label, then the review trail.
// Drawn with pdf_document.h (cairo, WQY Zen Hei embedded, text stays text).
#include <zhaoyin/access/access_service.h>
#include <zhaoyin/access/application_pdf.h>
#include <zhaoyin/access/form_labels.h>

#include <zhaoyin/access/scenarios.h>

#include "pdf_document.h"
#include "register_table.h"

namespace zhaoyin::access {

namespace {

using namespace pdf;

std::string joined(const std::vector<std::string>& values, const std::string& field, const std::string& separator) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : separator) + (field.empty() ? v : value_label(field, v));
  return out;
}

using Rows = std::vector<std::pair<std::string, std::string>>;

void draw_fields(Document& d, const std::string& heading, const Rows& rows) {
  draw_heading(d, heading);
  const std::vector<double> widths = {130, kContentWidth - 130};
  for (const auto& [key, value] : rows) draw_row(d, widths, {labels().at(key), value}, false, {true, false});
}

// 附件1's closing block: the applicant's 承诺 with who ticked it and when,
// then a box each for the applicant organisation's signature and seal and
// the reviewing office's, left blank for ink and stamp (or an e-seal).
void draw_acknowledgement_and_seals(Document& d, const AccessApplication& a) {
  draw_heading(d, "八、承诺及签章");
  const std::vector<double> widths = {130, kContentWidth - 130};
  const auto ack = acknowledgement_of(a);
  draw_row(d, widths,
           {"阅知承诺", ack ? ack->statement + "\n确认人 " + ack->by + "    确认时间 " + beijing_time(ack->at) + "（北京时间）"
                            : std::string("尚未提交，未作承诺")},
           false, {true, false});
  constexpr double kBoxHeight = 120;
  d.ensure(kBoxHeight + 12);
  d.y += 8;
  const double half = (kContentWidth - 12) / 2;
  const std::vector<std::pair<std::string, double>> boxes = {{"申请单位（盖章）", kMargin},
                                                             {"审核单位（盖章）", kMargin + half + 12}};
  d.colour(0.2, 0.2, 0.2);
  d.font_size(10);
  for (const auto& [title, x] : boxes) {
    d.rectangle(x, d.y, half, kBoxHeight, false);
    d.text(x + 8, d.y + 16, title);
    d.text(x + 8, d.y + kBoxHeight - 30, "负责人签字：");
    d.text(x + 8, d.y + kBoxHeight - 12, "日期：        年    月    日");
  }
  d.y += kBoxHeight + 6;
}

void draw_stage_opinions(Document& d, const AccessApplication& a, int amendment) {
  const std::vector<double> widths = {100, kContentWidth - 296, 100, 96};
  const std::vector<std::string> header = {"审核环节", "审核意见", "审核人", "时间"};
  draw_row(d, widths, header, true);
  const auto records = stage_records(a, amendment);
  if (records.empty()) draw_row(d, widths, {"", "尚未提交审核", "", ""}, false);
  for (const auto& r : records) {
    std::string opinion = r.state == "current" ? "（审核中）" : "（待审核）";
    std::string person, at;
    if (r.decision) {
      opinion = action_label(r.decision->action) + (r.decision->opinion.empty() ? "" : "：" + r.decision->opinion);
      person = r.decision->actor + "（" + role_label(r.decision->role) + "）";
      at = beijing_time(r.decision->at);
    }
    draw_row(d, widths, {r.stage.label, opinion, person, at}, false, {true, false}, &header);
  }
}

}  // namespace

std::string render_application_pdf(const AccessApplication& a) { return render_application_pdf(a, PrintOptions{}); }

std::string render_application_pdf(const AccessApplication& a, const PrintOptions& options) {
  const auto& f = a.form;
  Document d("电子营业执照应用接入信息表");
  d.sandbox = options.sandbox;
  d.start_page();
  d.footer = "申请编号 " + a.id + " · 打印于 " + beijing_time(std::chrono::system_clock::now()) + "（北京时间）";

  d.y = 78;
  d.colour(0.55, 0.05, 0.05);
  d.font_size(20);
  d.centred(d.y, options.sandbox ? "电子营业执照应用接入信息表（沙箱）" : "电子营业执照应用接入信息表");
  d.y += 22;
  d.colour(0.3, 0.3, 0.3);
  d.font_size(10);
  std::string status_line = "申请编号 " + a.id + "    状态 " + status_label(a.status) + "    申请人 " + a.owner;
  if (!a.client_id.empty()) status_line += "    应用标识 " + a.client_id;
  d.centred(d.y, status_line);
  d.y += 10;
  d.colour(0.55, 0.05, 0.05);
  d.rectangle(kMargin, d.y, kContentWidth, 0.8, true);

  std::string scope = value_label("scope", f.scope);
  if (f.scope == "province" && !f.province.empty()) {
    const auto name = province_name(f.province);
    scope += "（" + (name.empty() ? f.province : name) + "）";
  }
  draw_fields(d, "一、申请单位",
              {{"org_name", f.org_name},
               {"org_nature", value_label("org_nature", f.org_nature)},
               {"uscc", f.uscc},
               {"address", f.address}});
  draw_fields(d, "二、联系人",
              {{"contact_name", f.contact_name},
               {"contact_position", f.contact_position},
               {"contact_phone", f.contact_phone},
               {"contact_email", f.contact_email}});
  draw_fields(d, "三、应用系统",
              {{"system_name", f.system_name},
               {"system_host", f.system_host},
               {"system_port", std::to_string(f.system_port)},
               {"field", value_label("field", f.field)},
               {"industry", f.industry},
               {"business_summary", f.business_summary}});
  if (!f.provider_name.empty()) {
    // 技术服务单位: who builds or runs the system, and whom to call about it.
    const std::vector<double> widths = {130, kContentWidth - 130};
    for (const auto& [key, value] : Rows{{"provider_name", f.provider_name},
                                         {"provider_contact", f.provider_contact},
                                         {"provider_phone", f.provider_phone}})
      draw_row(d, widths, {labels().at(key), value}, false, {true, false});
  }
  if (!f.systems.empty()) {
    // Every 办事系统 the application declares; its redirect URIs lie on these.
    const std::vector<double> widths = {40, 170, kContentWidth - 280, 70};
    const std::vector<std::string> header = {"序号", "办事系统名称", "域名(IP)", "端口"};
    draw_row(d, widths, header, true);
    draw_row(d, widths, {"1", f.system_name, f.system_host, std::to_string(f.system_port)}, false, {}, &header);
    for (std::size_t i = 0; i < f.systems.size(); ++i)
      draw_row(d, widths,
               {std::to_string(i + 2), f.systems[i].name, f.systems[i].host, std::to_string(f.systems[i].port)}, false,
               {}, &header);
  }
  Rows needs = {{"needs", joined(f.needs, "needs", "、")}};
  if (!f.needs_other.empty()) needs.push_back({"needs_other", f.needs_other});
  if (!f.data_purpose.empty()) needs.push_back({"data_purpose", f.data_purpose});
  needs.insert(needs.end(), {{"scope", scope},
                             {"channels", joined(f.channels, "channels", "、")},
                             {"annual_volume_wan", std::to_string(f.annual_volume_wan)},
                             {"peak_rate", std::to_string(f.peak_rate)},
                             {"matters", joined(f.matters, "", "\n")}});
  if (!f.department.empty()) needs.push_back({"department", f.department});
  if (!f.redirect_uris.empty()) needs.push_back({"redirect_uris", joined(f.redirect_uris, "", "\n")});
  draw_fields(d, "四、接入需求", needs);

  // 附件2, one row per chosen matter; a form without rows prints the default
  // each matter runs under (the application's needs) and says so.
  draw_heading(d, "五、应用场景清单（附件2）");
  std::vector<ScenarioRow> scenarios;
  for (const auto& m : f.matters) {
    if (const auto* row = scenario_of(f, m)) {
      scenarios.push_back(*row);
    } else {
      auto fallback = default_scenario(f, m);
      fallback.remark = "未单独填写，按本申请的应用需求";
      scenarios.push_back(std::move(fallback));
    }
  }
  draw_scenario_table(d, scenarios);

  // 审核意见: each configured stage of the latest round with its person,
  // opinion and time (the provider's sign-off under the signer's name);
  // an amendment in review gets its own table.
  draw_heading(d, "六、审核意见");
  draw_stage_opinions(d, a, 0);
  for (const auto& m : a.amendments)
    if (m.state != AmendmentState::Draft) {
      d.y += 4;
      draw_row(d, {kContentWidth}, {"变更申请 #" + std::to_string(m.number) + "（" + amendment_state_label(m.state) + "）"},
               true);
      draw_stage_opinions(d, a, m.number);
    }

  draw_heading(d, "七、审核记录");
  const std::vector<double> widths = {92, 64, 84, 64, kContentWidth - 304};
  const std::vector<std::string> header = {"时间", "操作", "操作人", "角色", "意见"};
  draw_row(d, widths, header, true);
  if (a.trail.empty()) draw_row(d, widths, {"", "尚无审核记录", "", "", ""}, false);
  for (const auto& e : a.trail) {
    // The header row is repeated at the top of a page the trail runs onto.
    draw_row(d, widths, {beijing_time(e.at), action_label(e.action), e.actor, role_label(e.role), e.opinion}, false, {},
             &header);
  }
  draw_acknowledgement_and_seals(d, a);
  return d.finish();
}

}  // namespace zhaoyin::access
