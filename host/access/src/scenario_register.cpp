// The 附件2 register across applications and its CSV (scenario_register.h).
#include <zhaoyin/access/scenario_register.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <zhaoyin/access/scenarios.h>

namespace zhaoyin::access {

namespace {

// ASCII case folding is enough: Chinese has no case, USCCs are upper case.
std::string folded(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool matches(const RegisterRow& r, const RegisterFilter& f) {
  const auto& s = r.scenario;
  if (!f.department.empty() && s.implementing_department != f.department) return false;
  if (!f.field.empty() && r.field != f.field) return false;
  if (!f.industry.empty() && r.industry != f.industry) return false;
  if (!f.function.empty() && std::find(s.functions.begin(), s.functions.end(), f.function) == s.functions.end())
    return false;
  if (!f.text.empty()) {
    const auto needle = folded(f.text);
    const std::string hay = folded(s.matter + "\n" + s.implementing_department + "\n" + s.business_system + "\n" +
                                   s.remark + "\n" + s.function_other + "\n" + r.org_name + "\n" + r.uscc);
    if (hay.find(needle) == std::string::npos) return false;
  }
  return true;
}

// RFC 4180 §2: a field in double quotes, an inner quote doubled.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A cell Excel would run as a formula (=, +, -, @ first) gets a leading
// apostrophe shown as text (OWASP "CSV injection"): the register holds what
// applicants typed.
std::string spreadsheet_safe(const std::string& s) {
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    return "'" + s;
  return s;
}

std::vector<std::string> distinct(const std::vector<RegisterRow>& rows, std::string (*of)(const RegisterRow&)) {
  std::set<std::string> values;
  for (const auto& r : rows)
    if (const auto v = of(r); !v.empty()) values.insert(v);
  return {values.begin(), values.end()};
}

}  // namespace

std::vector<RegisterRow> register_rows(const std::vector<AccessApplication>& applications, const RegisterFilter& filter) {
  std::vector<RegisterRow> all;
  for (const auto& a : applications) {
    if (a.status != Status::Active) continue;
    for (const auto& matter : a.form.matters) {
      RegisterRow r;
      r.application_id = a.id;
      r.client_id = a.client_id;
      r.org_name = a.form.org_name;
      r.uscc = a.form.uscc;
      r.field = a.form.field;
      r.industry = a.form.industry;
      r.channels = a.form.channels;
      r.department_plugin = a.form.department;
      if (const auto* row = scenario_of(a.form, matter)) {
        r.scenario = *row;
      } else {
        r.scenario = default_scenario(a.form, matter);
        r.defaulted = true;
      }
      if (matches(r, filter)) all.push_back(std::move(r));
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const RegisterRow& x, const RegisterRow& y) {
    return std::tie(x.scenario.implementing_department, x.scenario.matter, x.application_id) <
           std::tie(y.scenario.implementing_department, y.scenario.matter, y.application_id);
  });
  return all;
}

std::vector<std::string> register_departments(const std::vector<RegisterRow>& rows) {
  return distinct(rows, [](const RegisterRow& r) { return r.scenario.implementing_department; });
}

std::vector<std::string> register_industries(const std::vector<RegisterRow>& rows) {
  return distinct(rows, [](const RegisterRow& r) { return r.industry; });
}

std::string register_csv(const std::vector<RegisterRow>& rows) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte order mark
  auto line = [&out](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + quoted(spreadsheet_safe(cells[i]));
    out += "\r\n";
  };
  line({"序号", "应用事项名称", "实施部门", "办事系统", "应用功能", "备注"});
  std::size_t serial = 0;
  for (const auto& r : rows) {
    const auto& s = r.scenario;
    line({std::to_string(++serial), s.matter, s.implementing_department, s.business_system, functions_text(s),
          s.remark});
  }
  return out;
}

}  // namespace zhaoyin::access
