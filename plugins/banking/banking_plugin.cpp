// 银行 (banking, 金融) department plugin.
//
// Form: 对公账户开户申请 (corporate account opening). Rules:
//   - the legal representative in person, or a holder authorised for 对公开户
//     (full, or precise under 电子商务/银行) — at login and presentation for a
//     banking matter (or none), and when the form is filled;
//   - the bank verifies licenses nationwide: an application bound to this
//     plugin must have national scope (config enforce_national_scope);
//   - the reserved seal impressions (预留印鉴) sign every sign task: the
//     finance seal (财务专用章) and the legal representative's seal (法定代表人章).
#include <string>

#include "../common/subject.hpp"

namespace {

using zhaoyin::plugins::field;
using zhaoyin::plugins::json;
using zhaoyin::plugins::Subject;
using zhaoyin::sdk::Decision;
using zhaoyin::sdk::Fill;

constexpr const char* kBankingRoot = "电子商务/银行";
constexpr const char* kForm = "banking.account_opening";

class BankingPlugin final : public zhaoyin::sdk::Plugin {
 public:
  zhaoyin::sdk::Info info() const override { return {"banking", "银行", "1.0.0", "金融"}; }

  json matters() const override {
    return json::array({
        {{"path", "电子商务/银行/对公开户"}, {"name", "对公开户"}, {"label", "金融 · 对公账户开户"}},
        {{"path", "电子商务/银行/预留印鉴变更"}, {"name", "预留印鉴变更"}, {"label", "金融 · 预留印鉴变更"}},
    });
  }

  json forms() const override {
    return json::array({{{"id", kForm},
                         {"title", "对公账户开户申请"},
                         {"fields", json::array({
                                        field("account_name", "账户名称"),
                                        field("uscc", "统一社会信用代码", true, "text", zhaoyin::plugins::kUsccPattern),
                                        {{"key", "account_type"},
                                         {"label", "账户种类"},
                                         {"type", "select"},
                                         {"required", true},
                                         {"options", json::array({"基本存款账户", "一般存款账户", "专用存款账户"})}},
                                        field("legal_representative", "法定代表人"),
                                        field("registered_address", "注册地址"),
                                        field("business_scope", "经营范围", true, "textarea"),
                                        field("registered_capital", "注册资本", false),
                                        field("applicant_name", "办理人"),
                                        field("applicant_role", "办理人身份"),
                                        field("reserved_seals", "预留印鉴"),
                                    })}}});
  }

  json config_schema() const override {
    return json::array({
        {{"key", "default_account_type"}, {"label", "默认账户种类"}, {"type", "string"}, {"default", "基本存款账户"}},
        {{"key", "enforce_national_scope"},
         {"label", "要求全国核验范围"},
         {"type", "boolean"},
         {"default", true}},
    });
  }

  void configure(const json& config) override { config_ = config; }

  Decision on_flow(const json& event) override {
    const Subject s(event);
    const std::string point = zhaoyin::plugins::point_of(event);
    const std::string matter = zhaoyin::plugins::matter_of(event);
    if (zhaoyin::plugins::config_flag(config_, "enforce_national_scope", true) &&
        zhaoyin::sdk::text_at(zhaoyin::sdk::object_at(event, "application"), "scope") == "province")
      return Decision::refuse("银行对公业务须按全国范围核验营业执照，本应用为本省范围");
    const bool our_matter = matter.empty() || Subject::under(matter, kBankingRoot);
    if (s.present() && !s.may_act_for(kBankingRoot) &&
        ((zhaoyin::plugins::is_holder_flow(point) && our_matter) ||
         (point == "form_prefill" && zhaoyin::plugins::form_of(event) == kForm)))
      return Decision::refuse("对公开户须由法定代表人本人或获对公开户授权的代理人办理，" + s.who() + "未获授权");
    if (point == "sign_task_created" && our_matter) return Decision::require_seals({"finance", "legal_rep"});
    return Decision::allow();
  }

  std::optional<Fill> fill_form(const std::string& form_id, const json& event) override {
    if (form_id != kForm) return std::nullopt;
    const Subject s(event);
    Fill fill;
    fill.values = {{"account_name", s.face_text("name")},
                   {"uscc", s.face_text("uscc")},
                   {"account_type", zhaoyin::plugins::config_text(config_, "default_account_type", "基本存款账户")},
                   {"legal_representative", s.face_text("legal_representative")},
                   {"registered_address", s.face_text("address")},
                   {"business_scope", s.face_text("business_scope")},
                   {"registered_capital", s.face_text("registered_capital")},
                   {"applicant_name", s.holder_name()},
                   {"applicant_role", s.is_legal_representative() ? s.holder_role_label() + "（本人）"
                                                                   : s.holder_role_label() + "（代理人）"},
                   {"reserved_seals", "财务专用章 + 法定代表人章"}};
    fill.labels["legal_representative"] = s.face_label("legal_representative", "法定代表人");
    fill.labels["registered_address"] = s.face_label("address", "注册地址");
    return fill;
  }

 private:
  json config_ = json::object();
};

}  // namespace

ZHAOYIN_PLUGIN(BankingPlugin)
