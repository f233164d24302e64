// 税务 (tax) department plugin.
//
// Forms: 涉税信息确认 (taxpayer registration facts from the license) and
// 发票申领 (invoice application). Rules:
//   - only enterprises in 存续 may handle tax matters (every flow point);
//   - the 办税人员 must be the legal representative or authorised for a tax
//     matter (full, or precise under 电子政务/税务) — at login/presentation
//     for a tax matter (or none) and when a tax form is filled;
//   - a sign task for 发票申领 must also be signed with the 发票专用章.
#include <map>
#include <string>

#include "../common/subject.hpp"

namespace {

using zhaoyin::plugins::field;
using zhaoyin::plugins::json;
using zhaoyin::plugins::Subject;
using zhaoyin::sdk::Decision;
using zhaoyin::sdk::Fill;

constexpr const char* kTaxRoot = "电子政务/税务";
constexpr const char* kInvoiceMatter = "电子政务/税务/发票申领";

// 登记注册类型 from the license's kind (类型 on the face).
std::string registration_type(const Subject& s) {
  static const std::map<std::string, std::string> by_kind = {
      {"limited_company", "有限责任公司"}, {"joint_stock_company", "股份有限公司"},
      {"individual_business", "个体工商户"}, {"partnership", "合伙企业"},
      {"branch", "非法人分支机构"},
  };
  const auto it = by_kind.find(s.face_text("kind"));
  return it != by_kind.end() ? it->second : s.face_text("type");
}

class TaxPlugin final : public zhaoyin::sdk::Plugin {
 public:
  zhaoyin::sdk::Info info() const override { return {"tax", "税务", "1.0.0", "税务"}; }

  json matters() const override {
    return json::array({
        {{"path", "电子政务/税务/发票申领"}, {"name", "发票申领"}, {"label", "税务 · 发票申领"}},
        {{"path", "电子政务/税务/涉税信息确认"}, {"name", "涉税信息确认"}, {"label", "税务 · 涉税信息确认"}},
        {{"path", "电子政务/税务/纳税申报"}, {"name", "纳税申报"}, {"label", "税务 · 纳税申报"}},
    });
  }

  json forms() const override {
    return json::array({
        {{"id", "tax.taxpayer_info"},
         {"title", "涉税信息确认"},
         {"fields", json::array({field("taxpayer_id", "纳税人识别号", true, "text", zhaoyin::plugins::kUsccPattern),
                                 field("taxpayer_name", "纳税人名称"),
                                 field("legal_representative", "法定代表人（负责人、经营者）"),
                                 field("registered_address", "注册地址"),
                                 field("registration_type", "登记注册类型"),
                                 field("business_scope", "经营范围", true, "textarea")})}},
        {{"id", "tax.invoice_application"},
         {"title", "发票申领"},
         {"fields",
          json::array({field("taxpayer_id", "纳税人识别号", true, "text", zhaoyin::plugins::kUsccPattern),
                       field("taxpayer_name", "纳税人名称"),
                       {{"key", "invoice_type"},
                        {"label", "发票种类"},
                        {"type", "select"},
                        {"required", true},
                        {"options", json::array({"增值税专用发票", "增值税普通发票", "电子发票（数电票）"})}},
                       field("quantity", "申领数量（份）", true, "number", "^[1-9][0-9]{0,3}$"),
                       field("handler_name", "领票人"),
                       field("handler_role", "领票人身份"),
                       field("seal", "用章")})}},
    });
  }

  json config_schema() const override {
    return json::array({
        {{"key", "default_invoice_type"},
         {"label", "默认发票种类"},
         {"type", "string"},
         {"default", "电子发票（数电票）"}},
        {{"key", "default_quantity"}, {"label", "默认申领数量（份）"}, {"type", "integer"}, {"default", 25}},
        {{"key", "require_invoice_seal"},
         {"label", "发票申领须加盖发票专用章"},
         {"type", "boolean"},
         {"default", true}},
    });
  }

  void configure(const json& config) override {
    if (zhaoyin::plugins::config_int(config, "default_quantity", 25) < 1)
      throw std::invalid_argument("default_quantity must be at least 1");
    config_ = config;
  }

  Decision on_flow(const json& event) override {
    const Subject s(event);
    const std::string point = zhaoyin::plugins::point_of(event);
    if (s.present() && s.face_text("status") != "active") {
      const std::string status = s.face_text("status_label").empty() ? s.face_text("status") : s.face_text("status_label");
      return Decision::refuse("纳税人" + s.face_text("name") + "登记状态为" + status + "，非存续，不能办理涉税事项");
    }
    const std::string matter = zhaoyin::plugins::matter_of(event);
    if (zhaoyin::plugins::is_holder_flow(point) && s.present() &&
        (matter.empty() || Subject::under(matter, kTaxRoot)) && !s.may_act_for(kTaxRoot))
      return refuse_handler(s);
    if (point == "form_prefill" && s.present() && zhaoyin::plugins::form_of(event).rfind("tax.", 0) == 0 &&
        !s.may_act_for(kTaxRoot))
      return refuse_handler(s);
    if (point == "sign_task_created" && matter == kInvoiceMatter &&
        zhaoyin::plugins::config_flag(config_, "require_invoice_seal", true))
      return Decision::require_seals({"invoice"});
    return Decision::allow();
  }

  std::optional<Fill> fill_form(const std::string& form_id, const json& event) override {
    const Subject s(event);
    Fill fill;
    if (form_id == "tax.taxpayer_info") {
      fill.values = {{"taxpayer_id", s.face_text("uscc")},
                     {"taxpayer_name", s.face_text("name")},
                     {"legal_representative", s.face_text("legal_representative")},
                     {"registered_address", s.face_text("address")},
                     {"registration_type", registration_type(s)},
                     {"business_scope", s.face_text("business_scope")}};
      // 经营者 / 执行事务合伙人 / 负责人 for the kinds that have no 法定代表人.
      fill.labels["legal_representative"] = s.face_label("legal_representative", "法定代表人");
      return fill;
    }
    if (form_id == "tax.invoice_application") {
      fill.values = {
          {"taxpayer_id", s.face_text("uscc")},
          {"taxpayer_name", s.face_text("name")},
          {"invoice_type", zhaoyin::plugins::config_text(config_, "default_invoice_type", "电子发票（数电票）")},
          {"quantity", std::to_string(zhaoyin::plugins::config_int(config_, "default_quantity", 25))},
          {"handler_name", s.holder_name()},
          {"handler_role", s.holder_role_label()},
          {"seal", "发票专用章"}};
      return fill;
    }
    return std::nullopt;
  }

 private:
  static Decision refuse_handler(const Subject& s) {
    return Decision::refuse("办税人员" + s.who() + "未获税务事项授权：须为法定代表人，或获全业务授权、税务事项精准授权");
  }

  json config_ = json::object();
};

}  // namespace

ZHAOYIN_PLUGIN(TaxPlugin)
