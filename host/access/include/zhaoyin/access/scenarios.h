#pragma once
// 附件2 电子营业执照应用场景清单 on the access form: one ScenarioRow
// (access_application.h) per chosen matter — its JSON, its validation, the
// default row, and the functions each matter is approved for once the
// application is active (store::Application::matter_functions, enforced by
// verification/matter_functions.h).
//
// The default, for forms without rows (applications from before the
// register, JSON clients that leave "scenarios" out): every chosen matter
// allows the application's needs, as it did before.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <zhaoyin/access/access_application.h>

namespace zhaoyin::access {

// [{"matter","implementing_department","business_system","functions":[...],"function_other","remark"}]
nlohmann::json scenarios_to_json(const std::vector<ScenarioRow>& rows);
// Reads what scenarios_to_json wrote; wrong types become FieldErrors on "scenarios".
std::vector<ScenarioRow> scenarios_from_json(const nlohmann::json& j, std::vector<FieldError>& errors);

// The register's problems, appended to `errors` (field "scenarios", the
// message naming the matter). No rows at all is valid (the default). With
// rows: every chosen matter has exactly one, every row's matter is a chosen
// one, 实施部门 and 办事系统 are filled in, the functions are ≥1 known key and
// each lies within the form's needs, 其他 has its text.
void check_scenarios(const AccessForm& form, std::vector<FieldError>& errors);

// The row a matter starts with on the admin form: 实施部门 the organisation,
// 办事系统 the application system, 应用功能 the application's needs.
ScenarioRow default_scenario(const AccessForm& form, const std::string& matter);

// The form's row for exactly `matter`, or nullptr.
const ScenarioRow* scenario_of(const AccessForm& form, const std::string& matter);

// matter → functions of every row, for store::Application on approval
// (empty when the form has no rows: the default applies).
std::map<std::string, std::vector<std::string>> matter_functions(const AccessForm& form);

// 应用功能 as printed: "线上扫码登录、电子签名、其他（…）".
std::string functions_text(const ScenarioRow& row);

}  // namespace zhaoyin::access
