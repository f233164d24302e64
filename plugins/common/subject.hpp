// What the four department plugins read from a flow event: the verified
// subject's face info and holder, and who may act for which matter. Header
// only, built against the SDK alone (zhaoyin/plugin.hpp).
#pragma once

#include <string>
#include <stdexcept>
#include <vector>

#include <zhaoyin/plugin.hpp>

namespace zhaoyin::plugins {

using sdk::json;

// A read-only view of event["subject"] (verification::VerifiedSubject::to_json()).
class Subject {
 public:
  explicit Subject(const json& event) : subject_(event.is_object() && event.contains("subject") ? event["subject"] : json()) {}

  bool present() const { return subject_.is_object(); }
  const json& face() const { return sdk::object_at(subject_, "face_info"); }
  const json& holder() const { return sdk::object_at(subject_, "holder"); }

  std::string face_text(const char* key) const { return sdk::text_at(face(), key); }
  // The face info's kind-specific label of a field (法定代表人 / 经营者 / 执行事务合伙人 / 负责人).
  std::string face_label(const char* key, const char* fallback) const {
    const std::string label = sdk::text_at(sdk::object_at(face(), "labels"), key);
    return label.empty() ? fallback : label;
  }

  std::string holder_name() const { return sdk::text_at(holder(), "name"); }
  std::string holder_role() const { return sdk::text_at(holder(), "role"); }
  std::string holder_role_label() const { return sdk::text_at(holder(), "role_label"); }
  bool is_legal_representative() const { return holder_role() == "legal_representative"; }

  std::string authorisation_scope() const {
    return sdk::text_at(sdk::object_at(holder(), "authorisation"), "scope");
  }
  // The matters of a precise authorisation ([] for full).
  std::vector<std::string> authorised_matters() const {
    std::vector<std::string> out;
    const auto& m = sdk::object_at(holder(), "authorisation");
    if (m.contains("matters") && m["matters"].is_array())
      for (const auto& v : m["matters"])
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
  }
  // A precise authorisation that names a matter at or under `root`.
  bool precisely_authorised_under(const std::string& root) const {
    if (authorisation_scope() != "precise") return false;
    for (const auto& m : authorised_matters())
      if (under(m, root) || under(root, m)) return true;
    return false;
  }
  // The legal representative, a full authorisation, or a precise one under `root`.
  bool may_act_for(const std::string& root) const {
    return is_legal_representative() || authorisation_scope() == "full" || precisely_authorised_under(root);
  }
  // "王强（办事人）"
  std::string who() const {
    const std::string role = holder_role_label();
    return holder_name() + (role.empty() ? "" : "（" + role + "）");
  }

  // Is `path` equal to `root` or below it ("电子政务/税务/发票申领" under "电子政务/税务")?
  static bool under(const std::string& path, const std::string& root) {
    return path == root || (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
                            path[root.size()] == '/');
  }

 private:
  json subject_;
};

inline std::string point_of(const json& event) { return sdk::text_at(event, "point"); }
inline std::string matter_of(const json& event) { return sdk::text_at(sdk::object_at(event, "detail"), "matter"); }
inline std::string form_of(const json& event) { return sdk::text_at(sdk::object_at(event, "detail"), "form_id"); }

// The flows where a holder acts: login and presentation.
inline bool is_holder_flow(const std::string& point) {
  return point == "login_confirmed" || point == "presentation_verified";
}

// A form field declaration.
inline json field(const char* key, const char* label, bool required = true, const char* type = "text",
                  const char* pattern = "") {
  json f = {{"key", key}, {"label", label}, {"type", type}, {"required", required}};
  if (*pattern) f["pattern"] = pattern;
  return f;
}

// GB 32100 统一社会信用代码 (18 characters, no I O Z S V).
inline constexpr const char* kUsccPattern = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$";

// A config value with its schema default already applied by the host.
inline std::string config_text(const json& config, const char* key, const std::string& fallback) {
  return config.is_object() && config.contains(key) && config[key].is_string() ? config[key].get<std::string>()
                                                                                : fallback;
}
inline bool config_flag(const json& config, const char* key, bool fallback) {
  return config.is_object() && config.contains(key) && config[key].is_boolean() ? config[key].get<bool>() : fallback;
}
inline long long config_int(const json& config, const char* key, long long fallback) {
  return config.is_object() && config.contains(key) && config[key].is_number_integer()
             ? config[key].get<long long>()
             : fallback;
}

}  // namespace zhaoyin::plugins
