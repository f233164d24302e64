// 附件2 rows between the application form's HTML and access::AccessForm (scenario_form.h).
#include "scenario_form.h"

#include <Poco/URI.h>

#include <algorithm>
#include <optional>
#include <zhaoyin/access/form_labels.h>
#include <zhaoyin/access/scenarios.h>

namespace zhaoyin::admin {

namespace {

using access::ScenarioRow;
using nlohmann::json;

constexpr int kMaxPostedRows = 200;

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::optional<std::string> posted(const http::FormFields& fields, const std::string& name) {
  for (const auto& [k, v] : fields)
    if (k == name) return trim(v);
  return std::nullopt;
}

std::vector<std::string> ticked(const http::FormFields& fields, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : fields) {
    const auto value = trim(v);
    if (k == name && !value.empty() && std::find(out.begin(), out.end(), value) == out.end()) out.push_back(value);
  }
  return out;
}

bool chosen(const access::AccessForm& form, const std::string& matter) {
  return std::find(form.matters.begin(), form.matters.end(), matter) != form.matters.end();
}

}  // namespace

std::vector<ScenarioRow> scenarios_from_fields(const http::FormFields& fields, const access::AccessForm& form) {
  if (!posted(fields, "scenarios_shown")) return {};
  std::vector<ScenarioRow> rows;
  for (int i = 0; i < kMaxPostedRows; ++i) {
    const std::string prefix = "sc" + std::to_string(i) + ".";
    const auto matter = posted(fields, prefix + "matter");
    if (!matter) break;
    if (!chosen(form, *matter)) continue;  // unticked since the page was drawn
    ScenarioRow row;
    row.matter = *matter;
    row.implementing_department = posted(fields, prefix + "implementing_department").value_or("");
    row.business_system = posted(fields, prefix + "business_system").value_or("");
    row.functions = ticked(fields, prefix + "functions");
    row.function_other = posted(fields, prefix + "function_other").value_or("");
    row.remark = posted(fields, prefix + "remark").value_or("");
    rows.push_back(std::move(row));
  }
  // In the order of the chosen matters; a matter ticked in this post starts
  // with the default row, for the staff member to adjust.
  std::vector<ScenarioRow> ordered;
  for (const auto& m : form.matters) {
    const auto it = std::find_if(rows.begin(), rows.end(), [&](const ScenarioRow& r) { return r.matter == m; });
    ordered.push_back(it != rows.end() ? *it : access::default_scenario(form, m));
  }
  return ordered;
}

json scenarios_form_view(const access::AccessForm& form, const std::vector<access::FieldError>& errors) {
  json rows = json::array();
  int index = 0;
  for (const auto& m : form.matters) {
    const auto* existing = access::scenario_of(form, m);
    const ScenarioRow row = existing ? *existing : access::default_scenario(form, m);
    json functions = json::array();
    for (const auto& key : access::enumeration("functions"))
      functions.push_back({{"value", key},
                           {"label", access::value_label("functions", key)},
                           {"checked", std::find(row.functions.begin(), row.functions.end(), key) != row.functions.end()}});
    rows.push_back({{"index", index++},
                    {"matter", row.matter},
                    {"implementing_department", row.implementing_department},
                    {"business_system", row.business_system},
                    {"function_other", row.function_other},
                    {"remark", row.remark},
                    {"defaulted", existing == nullptr},
                    {"functions", functions}});
  }
  json messages = json::array();
  for (const auto& e : errors)
    if (e.field == "scenarios") messages.push_back({{"message", e.message}});
  return {{"rows", rows}, {"errors", messages}, {"has_errors", !messages.empty()}, {"any_rows", !rows.empty()}};
}

json scenarios_readonly_view(const access::AccessForm& form, const std::string& guide_base) {
  json rows = json::array();
  bool any_default = false;
  int serial = 0;
  for (const auto& m : form.matters) {
    const auto* existing = access::scenario_of(form, m);
    const ScenarioRow row = existing ? *existing : access::default_scenario(form, m);
    any_default = any_default || existing == nullptr;
    std::string query;
    Poco::URI::encode(m, "/?#&=+", query);
    rows.push_back({{"serial", ++serial},
                    {"matter", row.matter},
                    {"implementing_department", row.implementing_department},
                    {"business_system", row.business_system},
                    {"functions", access::functions_text(row)},
                    {"remark", row.remark},
                    {"defaulted", existing == nullptr},
                    {"guide_href", guide_base + "/guide?matter=" + query}});
  }
  return {{"rows", rows}, {"any_rows", !rows.empty()}, {"defaulted", any_default}};
}

}  // namespace zhaoyin::admin
