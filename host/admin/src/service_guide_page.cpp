// GET /admin/applications/{id}/guide?matter=… — the 办事指南 (service guide)
// of one scenario: what an enterprise does, step by step, for each function
// the matter's 附件2 row approves; the forms the application's plugins prefill
// for the matter; the seals a signature needs; the wallet apps and channels
// that work.
//
// Staff-only, like the rest of /admin: a 办事指南 is published by the
// implementing department on its own 政务服务 portal, where it is reviewed
// and kept; this page is the department's draft of it, generated from what
// was approved. Serving it publicly from here would make Zhaoyin a second,
// unreviewed publication channel and expose application ids and plugin
// bindings that are the department's internal record.
#include <algorithm>
#include <zhaoyin/access/form_labels.h>
#include <zhaoyin/access/scenarios.h>
#include <zhaoyin/admin/staff.h>
#include <zhaoyin/http/api_error.h>

#include "scenario_register_pages.h"

namespace zhaoyin::admin {

namespace {

using nlohmann::json;

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::string industry_of(const std::string& matter) {
  const auto first = matter.find('/');
  if (first == std::string::npos) return "";
  const auto second = matter.find('/', first + 1);
  return matter.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
}

// What the enterprise does for one function, in the order it happens.
json steps_for(const std::string& function, const access::ScenarioRow& row, const access::AccessForm& form) {
  const std::string system = row.business_system.empty() ? form.system_name : row.business_system;
  std::vector<std::string> steps;
  if (function == "login") {
    steps = {"打开" + system + "，在登录页选择“电子营业执照登录”。",
             "用电子营业执照钱包App扫描页面上的二维码（在手机上办理时，页面直接拉起钱包）。",
             "在手机上核对申请方（" + form.system_name + "）和办理事项“" + row.matter + "”，确认登录。",
             "页面自动进入" + system + "，无需再输入账号密码。"};
  } else if (function == "presentation") {
    steps = {"到" + row.implementing_department + "的办理窗口（或接受检查时），打开电子营业执照钱包App的“出示执照”。",
             "出示一次性二维码（约120秒内有效，过期可刷新），由工作人员用扫码枪或手机扫描核验。",
             "工作人员的页面显示执照照面信息、状态和核验结果，并存档备查；无需再提交纸质营业执照复印件。"};
  } else if (function == "signature") {
    steps = {"在" + system + "中确认要签署的文件，发起电子签章。",
             "用钱包App扫描签章二维码，或在钱包App的“待签章”列表中找到这份文件。",
             "在手机上查看文件摘要，选择办事系统要求的印章，确认签章；签章结果自动回到" + system + "。"};
  } else {
    steps = {"其他应用：" + (row.function_other.empty() ? std::string("（未说明）") : row.function_other) +
             "。具体流程以" + row.implementing_department + "的说明为准。"};
  }
  json out = json::array();
  for (const auto& s : steps) out.push_back(s);
  return {{"function", function}, {"label", access::value_label("functions", function)}, {"steps", out}};
}

std::string channel_guide(const std::string& channel) {
  if (channel == "pc") return "电脑网页：用电子营业执照App扫描网页上的二维码";
  if (channel == "app") return "业务App：在同一部手机上拉起电子营业执照App完成确认";
  if (channel == "wechat_mini") return "微信小程序：在微信中打开，拉起“电子营业执照”小程序确认";
  if (channel == "alipay_mini") return "支付宝小程序：在支付宝中打开，拉起“电子营业执照”小程序确认";
  if (channel == "wechat_official") return "微信公众号：在公众号页面中用电子营业执照小程序确认";
  if (channel == "alipay_life") return "支付宝生活号：在生活号页面中用电子营业执照小程序确认";
  return channel;
}

// The prefill forms of the application that concern this matter: the
// generic face-info form and the department forms of the matter's 行业.
json forms_for(const http::HostContext& ctx, const std::string& client_id, const std::string& matter) {
  json out = json::array();
  if (client_id.empty() || !ctx.extensions) return out;
  const auto industry = industry_of(matter);
  for (const auto& f : ctx.extensions->forms_for(client_id)) {
    if (!f.department.empty() && f.department != industry) continue;
    json fields = json::array();
    for (const auto& field : f.fields) fields.push_back(field.label);
    out.push_back({{"id", f.id}, {"title", f.title}, {"source", f.source}, {"fields", fields}});
  }
  return out;
}

class ServiceGuidePage final : public http::Handler {
 public:
  explicit ServiceGuidePage(PagesPtr pages) : pages_(std::move(pages)) {}
  void handle(http::Exchange& ex) override {
    const auto staff = require_staff(ex, *pages_->host, {Role::Applicant, Role::Reviewer, Role::Operator});
    access::AccessApplication a;
    try {
      a = visible_application(*pages_->service, staff, ex.param("id"));
    } catch (const access::AccessError& e) {
      return send_access_error(ex, *pages_->host, e);
    }
    const auto matter = ex.query("matter").value_or("");
    if (!has(a.form.matters, matter))
      throw http::ApiError(404, "not_found", "access application " + a.id + " has no matter '" + matter + "'");
    const auto* existing = access::scenario_of(a.form, matter);
    const auto row = existing ? *existing : access::default_scenario(a.form, matter);

    json functions = json::array();
    for (const auto& fn : row.functions) functions.push_back(steps_for(fn, row, a.form));
    json channels = json::array();
    for (const auto& c : a.form.channels)
      channels.push_back({{"label", access::value_label("channels", c)}, {"how", channel_guide(c)}});
    json seals = json::array();
    if (has(row.functions, "signature"))
      for (const char* s : {"法定名称章", "财务专用章", "合同专用章", "发票专用章", "法定代表人章"}) seals.push_back(s);
    const auto forms = forms_for(*pages_->host, a.client_id, matter);

    json data = {{"application", summary_view(a)},
                 {"active", a.status == access::Status::Active},
                 {"matter", row.matter},
                 {"implementing_department", row.implementing_department},
                 {"business_system", row.business_system},
                 {"functions_text", access::functions_text(row)},
                 {"remark", row.remark},
                 {"defaulted", existing == nullptr},
                 {"functions", functions},
                 {"channels", channels},
                 {"signature", has(row.functions, "signature")},
                 {"seals", seals},
                 {"forms", forms},
                 {"any_forms", !forms.empty()},
                 {"scope_label", a.form.scope == "province"
                                     ? "本省（" + access::province_name(a.form.province) + "）登记的企业"
                                     : std::string("全国登记的企业")}};
    send_page(ex, *pages_->host, staff, "办事指南 · " + row.matter, "scenarios/guide", std::move(data));
  }

 private:
  PagesPtr pages_;
};

}  // namespace

void register_service_guide_page(http::Router& router, const PagesPtr& pages) {
  router.add<ServiceGuidePage>("GET", "/admin/applications/{id}/guide", pages);
}

}  // namespace zhaoyin::admin
