// 不动产登记 (real estate registration) department plugin.
//
// Form: 不动产登记申请 with the enterprise as 权利人. Rules:
//   - only the legal representative, or a holder PRECISELY authorised for a
//     不动产 matter, may act: a full (全业务) authorisation is not enough for a
//     transfer of property — at login and presentation for a 不动产 matter (or
//     none), and when the form is filled;
//   - a sign task must be signed with both the company seal (公章) and the
//     legal representative's seal (法定代表人章).
#include <string>

#include "../common/subject.hpp"

namespace {

using zhaoyin::plugins::field;
using zhaoyin::plugins::json;
using zhaoyin::plugins::Subject;
using zhaoyin::sdk::Decision;
using zhaoyin::sdk::Fill;

constexpr const char* kRealEstateRoot = "电子政务/不动产";
constexpr const char* kForm = "real_estate.registration_application";

class RealEstatePlugin final : public zhaoyin::sdk::Plugin {
 public:
  zhaoyin::sdk::Info info() const override { return {"real_estate", "不动产登记", "1.0.0", "不动产登记"}; }

  json matters() const override {
    return json::array({
        {{"path", "电子政务/不动产/转移登记"}, {"name", "转移登记"}, {"label", "不动产登记 · 转移登记"}},
        {{"path", "电子政务/不动产/抵押登记"}, {"name", "抵押登记"}, {"label", "不动产登记 · 抵押登记"}},
        {{"path", "电子政务/不动产/首次登记"}, {"name", "首次登记"}, {"label", "不动产登记 · 首次登记"}},
    });
  }

  json forms() const override {
    return json::array({{{"id", kForm},
                         {"title", "不动产登记申请"},
                         {"fields", json::array({
                                        {{"key", "registration_type"},
                                         {"label", "登记类型"},
                                         {"type", "select"},
                                         {"required", true},
                                         {"options", json::array({"转移登记", "抵押登记", "首次登记", "变更登记"})}},
                                        field("right_holder", "权利人"),
                                        field("right_holder_id_type", "证件种类"),
                                        field("right_holder_id", "证件号", true, "text", zhaoyin::plugins::kUsccPattern),
                                        field("right_holder_address", "通讯地址"),
                                        field("legal_representative", "法定代表人"),
                                        field("agent_name", "代理人", false),
                                        field("property_location", "坐落", true),
                                        field("certificate_number", "不动产权证书号", false),
                                    })}}});
  }

  json config_schema() const override {
    return json::array({
        {{"key", "default_registration_type"}, {"label", "默认登记类型"}, {"type", "string"}, {"default", "转移登记"}},
    });
  }

  void configure(const json& config) override {
    const std::string type = zhaoyin::plugins::config_text(config, "default_registration_type", "转移登记");
    if (type != "转移登记" && type != "抵押登记" && type != "首次登记" && type != "变更登记")
      throw std::invalid_argument("default_registration_type must be 转移登记, 抵押登记, 首次登记 or 变更登记");
    config_ = config;
  }

  Decision on_flow(const json& event) override {
    const Subject s(event);
    const std::string point = zhaoyin::plugins::point_of(event);
    const std::string matter = zhaoyin::plugins::matter_of(event);
    const bool our_matter = matter.empty() || Subject::under(matter, kRealEstateRoot);
    const bool may_act = s.is_legal_representative() || s.precisely_authorised_under(kRealEstateRoot);
    if (s.present() && !may_act &&
        ((zhaoyin::plugins::is_holder_flow(point) && our_matter) ||
         (point == "form_prefill" && zhaoyin::plugins::form_of(event) == kForm)))
      return Decision::refuse("不动产登记仅限法定代表人或获不动产登记精准授权的人员办理，" + s.who() +
                              (s.authorisation_scope() == "full" ? "为全业务授权，须另行取得不动产登记精准授权"
                                                                  : "未获不动产登记授权"));
    if (point == "sign_task_created" && our_matter) return Decision::require_seals({"company", "legal_rep"});
    return Decision::allow();
  }

  std::optional<Fill> fill_form(const std::string& form_id, const json& event) override {
    if (form_id != kForm) return std::nullopt;
    const Subject s(event);
    Fill fill;
    fill.values = {{"registration_type", zhaoyin::plugins::config_text(config_, "default_registration_type", "转移登记")},
                   {"right_holder", s.face_text("name")},
                   {"right_holder_id_type", "统一社会信用代码"},
                   {"right_holder_id", s.face_text("uscc")},
                   {"right_holder_address", s.face_text("address")},
                   {"legal_representative", s.face_text("legal_representative")},
                   // The holder acts as 代理人 unless the legal representative applies in person.
                   {"agent_name", s.is_legal_representative() ? "" : s.holder_name()},
                   {"property_location", ""},
                   {"certificate_number", ""}};
    fill.labels["legal_representative"] = s.face_label("legal_representative", "法定代表人");
    return fill;
  }

 private:
  json config_ = json::object();
};

}  // namespace

ZHAOYIN_PLUGIN(RealEstatePlugin)
