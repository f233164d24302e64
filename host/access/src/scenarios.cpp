// 附件2 scenario rows on the access form (scenarios.h).
#include <zhaoyin/access/scenarios.h>

#include <algorithm>
#include <set>
#include <zhaoyin/access/form_labels.h>

namespace zhaoyin::access {

namespace {

constexpr std::size_t kMaxRows = 200;       // more than any catalogue offers one application
constexpr std::size_t kNameText = 100;      // 实施部门, 办事系统
constexpr std::size_t kRemarkText = 200;    // 备注, 其他 text

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::size_t char_count(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// One text member of a row object; false (and an error) on a wrong type.
bool read_text(const nlohmann::json& row, const char* key, std::string& out, std::vector<FieldError>& errors) {
  const auto it = row.find(key);
  if (it == row.end() || it->is_null()) return true;
  if (!it->is_string()) {
    errors.push_back({"scenarios", std::string("应用场景清单的 ") + key + " 应为文本"});
    return false;
  }
  out = it->get<std::string>();
  return true;
}

void check_row(const AccessForm& f, const ScenarioRow& row, std::vector<FieldError>& errors) {
  const std::string who = "应用事项“" + row.matter + "”";
  auto fail = [&](const std::string& message) { errors.push_back({"scenarios", who + message}); };
  if (trim(row.implementing_department).empty()) fail("请填写实施部门");
  else if (char_count(row.implementing_department) > kNameText) fail("的实施部门不能超过100个字");
  if (trim(row.business_system).empty()) fail("请填写办事系统");
  else if (char_count(row.business_system) > kNameText) fail("的办事系统不能超过100个字");
  if (row.functions.empty()) fail("请至少选择一项应用功能");
  std::set<std::string> seen;
  for (const auto& fn : row.functions) {
    if (!contains(enumeration("functions"), fn)) {
      fail("的应用功能含有无效的选项“" + fn + "”");
      continue;
    }
    if (!seen.insert(fn).second) fail("的应用功能“" + value_label("functions", fn) + "”重复");
    // A matter can do no more than the application as a whole was declared for.
    else if (!contains(f.needs, fn))
      fail("的应用功能“" + value_label("functions", fn) + "”不在本申请的应用需求（" +
           value_label("needs", fn) + "）之内");
  }
  if (contains(row.functions, "other") && trim(row.function_other).empty()) fail("选择“其他”应用功能时请说明");
  if (char_count(row.function_other) > kRemarkText) fail("的其他应用功能说明不能超过200个字");
  if (char_count(row.remark) > kRemarkText) fail("的备注不能超过200个字");
}

}  // namespace

nlohmann::json scenarios_to_json(const std::vector<ScenarioRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows)
    out.push_back({{"matter", r.matter},
                   {"implementing_department", r.implementing_department},
                   {"business_system", r.business_system},
                   {"functions", r.functions},
                   {"function_other", r.function_other},
                   {"remark", r.remark}});
  return out;
}

std::vector<ScenarioRow> scenarios_from_json(const nlohmann::json& j, std::vector<FieldError>& errors) {
  std::vector<ScenarioRow> rows;
  if (!j.is_array()) {
    errors.push_back({"scenarios", "应用场景清单应为列表"});
    return rows;
  }
  if (j.size() > kMaxRows) {
    errors.push_back({"scenarios", "应用场景清单不能超过200行"});
    return rows;
  }
  for (const auto& item : j) {
    if (!item.is_object()) {
      errors.push_back({"scenarios", "应用场景清单的每一行应为对象"});
      return {};
    }
    ScenarioRow row;
    bool ok = read_text(item, "matter", row.matter, errors) &&
              read_text(item, "implementing_department", row.implementing_department, errors) &&
              read_text(item, "business_system", row.business_system, errors) &&
              read_text(item, "function_other", row.function_other, errors) &&
              read_text(item, "remark", row.remark, errors);
    if (ok && item.contains("functions") && !item["functions"].is_null()) {
      const nlohmann::json& fns = item["functions"];
      bool strings = fns.is_array();
      for (std::size_t i = 0; strings && i < fns.size(); ++i) strings = fns[i].is_string();
      if (!strings) {
        errors.push_back({"scenarios", "应用场景清单的 functions 应为文本列表"});
        ok = false;
      } else {
        row.functions = fns.get<std::vector<std::string>>();
      }
    }
    if (!ok) return {};
    rows.push_back(std::move(row));
  }
  return rows;
}

void check_scenarios(const AccessForm& f, std::vector<FieldError>& errors) {
  if (f.scenarios.empty()) return;  // the default: every matter allows the needs
  std::set<std::string> seen;
  for (const auto& row : f.scenarios) {
    if (!contains(f.matters, row.matter)) {
      errors.push_back({"scenarios", "应用场景清单中的“" + row.matter + "”不是本申请选择的授权事项"});
      continue;
    }
    if (!seen.insert(row.matter).second) {
      errors.push_back({"scenarios", "应用事项“" + row.matter + "”在应用场景清单中出现了不止一行"});
      continue;
    }
    check_row(f, row, errors);
  }
  for (const auto& m : f.matters)
    if (!seen.count(m)) errors.push_back({"scenarios", "授权事项“" + m + "”在应用场景清单中缺少一行"});
}

ScenarioRow default_scenario(const AccessForm& f, const std::string& matter) {
  ScenarioRow row;
  row.matter = matter;
  row.implementing_department = f.org_name;
  row.business_system = f.system_name;
  for (const auto& need : f.needs)
    if (contains(enumeration("functions"), need)) row.functions.push_back(need);
  if (contains(row.functions, "other")) row.function_other = f.needs_other;
  return row;
}

const ScenarioRow* scenario_of(const AccessForm& f, const std::string& matter) {
  for (const auto& row : f.scenarios)
    if (row.matter == matter) return &row;
  return nullptr;
}

std::map<std::string, std::vector<std::string>> matter_functions(const AccessForm& f) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& row : f.scenarios) out[row.matter] = row.functions;
  return out;
}

std::string functions_text(const ScenarioRow& row) {
  std::string out;
  for (const auto& fn : row.functions) {
    out += (out.empty() ? "" : "、") + value_label("functions", fn);
    if (fn == "other" && !row.function_other.empty()) out += "（" + row.function_other + "）";
  }
  return out;
}

}  // namespace zhaoyin::access
