#include "builtin_forms.h"

#include <functional>

namespace zhaoyin::presentation {

namespace {

// A field of the generic form and where its value comes from in the verified
// subject JSON ({"face_info": ..., "holder": ...}).
struct GenericField {
  flow::FormField field;
  std::function<std::string(const nlohmann::json& subject)> value;
  const char* kind_label_field = nullptr;  // face field whose kind-specific label replaces the label
};

std::string face(const nlohmann::json& s, const char* key) {
  const auto& f = s.value("face_info", nlohmann::json::object());
  return f.contains(key) && f[key].is_string() ? f[key].get<std::string>() : std::string();
}
std::string holder(const nlohmann::json& s, const char* key) {
  const auto& h = s.value("holder", nlohmann::json::object());
  return h.contains(key) && h[key].is_string() ? h[key].get<std::string>() : std::string();
}

flow::FormField text(const char* key, const char* label, bool required = true) {
  flow::FormField f;
  f.key = key;
  f.label = label;
  f.required = required;
  return f;
}

const std::vector<GenericField>& generic_fields() {
  static const std::vector<GenericField> fields = {
      {text("uscc", "统一社会信用代码"), [](const auto& s) { return face(s, "uscc"); }},
      {text("name", "名称"), [](const auto& s) { return face(s, "name"); }},
      {text("type", "类型"), [](const auto& s) { return face(s, "type"); }},
      {text("legal_representative", "法定代表人"), [](const auto& s) { return face(s, "legal_representative"); },
       "legal_representative"},
      {text("registered_capital", "注册资本", false), [](const auto& s) { return face(s, "registered_capital"); },
       "registered_capital"},
      {text("established", "成立日期"), [](const auto& s) { return face(s, "established"); }, "established"},
      {text("term", "营业期限"),
       [](const auto& s) {
         const std::string to = face(s, "term_to_text").empty() ? face(s, "term_to") : face(s, "term_to_text");
         return face(s, "term_from") + " 至 " + to;
       }},
      {text("address", "住所"), [](const auto& s) { return face(s, "address"); }, "address"},
      {text("business_scope", "经营范围"), [](const auto& s) { return face(s, "business_scope"); }},
      {text("registration_authority", "登记机关"), [](const auto& s) { return face(s, "registration_authority"); }},
      {text("approval_date", "核准日期"), [](const auto& s) { return face(s, "approval_date"); }},
      {text("status", "登记状态"), [](const auto& s) { return face(s, "status_label"); }},
      {text("handler_name", "经办人"), [](const auto& s) { return holder(s, "name"); }},
      {text("handler_role", "经办人角色"), [](const auto& s) { return holder(s, "role_label"); }},
  };
  return fields;
}

class GenericForm final : public flow::Extension {
 public:
  std::string source() const override { return "builtin"; }

  std::vector<flow::FormDefinition> forms() const override {
    flow::FormDefinition form{"generic", "通用照面信息", "", "builtin", {}};
    for (const auto& f : generic_fields()) form.fields.push_back(f.field);
    return {form};
  }

  bool fill_form(const flow::FlowEvent& event, flow::FormFill& fill) override {
    if (fill.form.id != "generic") return false;
    const auto& labels =
        event.subject.value("face_info", nlohmann::json::object()).value("labels", nlohmann::json::object());
    for (const auto& f : generic_fields()) {
      fill.values[f.field.key] = f.value(event.subject);
      if (!f.kind_label_field) continue;
      const auto it = labels.find(f.kind_label_field);
      if (it != labels.end() && it->is_string() && it->get<std::string>() != f.field.label)
        fill.labels[f.field.key] = *it;
    }
    return true;
  }
};

class BuiltinSource final : public flow::ExtensionSource {
 public:
  std::vector<std::shared_ptr<flow::Extension>> active_for(const std::string&) override { return {generic_}; }
  std::vector<std::shared_ptr<flow::Extension>> all() override { return {generic_}; }

 private:
  std::shared_ptr<flow::Extension> generic_ = std::make_shared<GenericForm>();
};

}  // namespace

std::shared_ptr<flow::ExtensionSource> builtin_forms() { return std::make_shared<BuiltinSource>(); }

}  // namespace zhaoyin::presentation
