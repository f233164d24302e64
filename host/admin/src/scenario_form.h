#pragma once
// 附件2 on the application form's page: the scenario rows as the HTML form
// posts them and as the templates show them (access/scenarios.h).
//
// Posted names: "scenarios_shown" (the page showed the section), then per row
// i: sc<i>.matter (hidden), sc<i>.implementing_department,
// sc<i>.business_system, sc<i>.functions (one per ticked box),
// sc<i>.function_other, sc<i>.remark.
#include <nlohmann/json.hpp>
#include <vector>
#include <zhaoyin/access/access_application.h>
#include <zhaoyin/http/form.h>

namespace zhaoyin::admin {

// The rows of a posted form whose matters are already read. A post without
// "scenarios_shown" (a client that never saw the section) has none: the
// default applies. Otherwise every chosen matter gets a row: the one posted
// for it, or — a matter ticked in this very post — access::default_scenario.
// Rows of matters no longer ticked are dropped.
std::vector<access::ScenarioRow> scenarios_from_fields(const http::FormFields& fields, const access::AccessForm& form);

// The form page's section: {"rows":[{"index","matter","implementing_department","business_system",
// "function_other","remark","defaulted","functions":[{"value","label","checked"}]}],
// "errors":[{"message"}], "has_errors", "any_rows"} — one row per chosen matter.
nlohmann::json scenarios_form_view(const access::AccessForm& form, const std::vector<access::FieldError>& errors);

// The detail page's table: {"rows":[{"serial","matter","implementing_department","business_system",
// "functions","remark","defaulted","guide_href"}], "any_rows", "defaulted"}; `guide_base` is the
// application's page path, the 办事指南 of a row is guide_base + "/guide?matter=…".
nlohmann::json scenarios_readonly_view(const access::AccessForm& form, const std::string& guide_base);

}  // namespace zhaoyin::admin
