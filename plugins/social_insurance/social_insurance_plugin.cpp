// 社会保险 (social insurance, 人力资源社会保障) department plugin.
//
// Form: 单位参保登记 (employer registration), the 经办人 being the holder who
// presented or logged in. Rules:
//   - the 经办人 must be the legal representative or authorised for a social
//     insurance matter (full, or precise under 电子政务/社保) — at login and
//     presentation for such a matter (or none), and when the form is filled;
//   - a sign task must also be signed with the company seal (公章, 法定名称章).
#include <map>
#include <string>

#include "../common/subject.hpp"

namespace {

using zhaoyin::plugins::field;
using zhaoyin::plugins::json;
using zhaoyin::plugins::Subject;
using zhaoyin::sdk::Decision;
using zhaoyin::sdk::Fill;

constexpr const char* kSocialInsuranceRoot = "电子政务/社保";
constexpr const char* kForm = "social_insurance.unit_registration";

// 单位类型 as the social insurance register knows it.
std::string unit_type(const Subject& s) {
  static const std::map<std::string, std::string> by_kind = {
      {"limited_company", "企业（有限责任公司）"}, {"joint_stock_company", "企业（股份有限公司）"},
      {"individual_business", "个体工商户"},       {"partnership", "企业（合伙企业）"},
      {"branch", "企业（分支机构）"},
  };
  const auto it = by_kind.find(s.face_text("kind"));
  return it != by_kind.end() ? it->second : s.face_text("type");
}

class SocialInsurancePlugin final : public zhaoyin::sdk::Plugin {
 public:
  zhaoyin::sdk::Info info() const override {
    return {"social_insurance", "社会保险", "1.0.0", "人力资源社会保障"};
  }

  json matters() const override {
    return json::array({
        {{"path", "电子政务/社保/参保登记"}, {"name", "参保登记"}, {"label", "人力资源社会保障 · 单位参保登记"}},
        {{"path", "电子政务/社保/人员增减"}, {"name", "人员增减"}, {"label", "人力资源社会保障 · 参保人员增减"}},
    });
  }

  json forms() const override {
    return json::array({{{"id", kForm},
                         {"title", "单位参保登记"},
                         {"fields", json::array({field("unit_name", "单位名称"),
                                                 field("uscc", "统一社会信用代码", true, "text",
                                                       zhaoyin::plugins::kUsccPattern),
                                                 field("legal_representative", "法定代表人"),
                                                 field("unit_address", "单位地址"),
                                                 field("unit_type", "单位类型"),
                                                 field("insurance_types", "参保险种"),
                                                 field("handler_name", "经办人"),
                                                 field("handler_role", "经办人身份")})}}});
  }

  json config_schema() const override {
    return json::array({
        {{"key", "insurance_types"},
         {"label", "默认参保险种"},
         {"type", "string_list"},
         {"default", json::array({"养老保险", "医疗保险", "失业保险", "工伤保险"})}},
        {{"key", "require_company_seal"}, {"label", "签章须加盖公章"}, {"type", "boolean"}, {"default", true}},
    });
  }

  void configure(const json& config) override { config_ = config; }

  Decision on_flow(const json& event) override {
    const Subject s(event);
    const std::string point = zhaoyin::plugins::point_of(event);
    const std::string matter = zhaoyin::plugins::matter_of(event);
    const bool our_matter = matter.empty() || Subject::under(matter, kSocialInsuranceRoot);
    if (s.present() && !s.may_act_for(kSocialInsuranceRoot) &&
        ((zhaoyin::plugins::is_holder_flow(point) && our_matter) ||
         (point == "form_prefill" && zhaoyin::plugins::form_of(event) == kForm)))
      return Decision::refuse("经办人" + s.who() + "未获社会保险业务授权：须为法定代表人，或获全业务授权、社保事项精准授权");
    if (point == "sign_task_created" && our_matter && zhaoyin::plugins::config_flag(config_, "require_company_seal", true))
      return Decision::require_seals({"company"});
    return Decision::allow();
  }

  std::optional<Fill> fill_form(const std::string& form_id, const json& event) override {
    if (form_id != kForm) return std::nullopt;
    const Subject s(event);
    std::string types;
    const json list = config_.value("insurance_types", json::array({"养老保险", "医疗保险", "失业保险", "工伤保险"}));
    for (const auto& t : list)
      if (t.is_string()) types += (types.empty() ? "" : "、") + t.get<std::string>();
    Fill fill;
    fill.values = {{"unit_name", s.face_text("name")},
                   {"uscc", s.face_text("uscc")},
                   {"legal_representative", s.face_text("legal_representative")},
                   {"unit_address", s.face_text("address")},
                   {"unit_type", unit_type(s)},
                   {"insurance_types", types},
                   {"handler_name", s.holder_name()},
                   {"handler_role", s.holder_role_label()}};
    fill.labels["legal_representative"] = s.face_label("legal_representative", "法定代表人");
    return fill;
  }

 private:
  json config_ = json::object();
};

}  // namespace

ZHAOYIN_PLUGIN(SocialInsurancePlugin)
