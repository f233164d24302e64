#pragma once
// The access form as an HTML form posts it, and back: form_from_fields turns
// the posted fields into an AccessForm without ever throwing (what cannot be
// read becomes a field error shown next to its field), and form_view turns a
// form, its errors and the plugins' matters into the template's data.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/access/access_application.h>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/form.h>

namespace zhaoyin::admin {

// A posted access form: what was understood, what was typed into the numeric
// fields (shown back as typed when it could not be read), and the fields that
// could not be read at all.
struct PostedForm {
  access::AccessForm form;
  std::map<std::string, std::string> typed;  // system_port, annual_volume_wan, peak_rate, as typed
  std::vector<access::FieldError> errors;
};

PostedForm form_from_fields(const http::FormFields& fields);

// The body of an application/x-www-form-urlencoded POST with repeated names
// allowed (checkbox groups post one pair per ticked box). 415 for another
// Content-Type, 400 invalid_request for a malformed body.
http::FormFields read_form_fields(http::Exchange& ex);

// The first value of `name`, if posted.
std::optional<std::string> field_value(const http::FormFields& fields, const std::string& name);

// The data of template applications/form:
//   {"fields": {<member>: {"name","label","value","error","input_type","inputmode","hint",
//               "multiline","placeholder","options":[{"value","label","selected"}],
//               "choices":[{"value","label","checked"}]}},
//    "matters_tree": [{"label","path","field","checked","industries":[{"label","path","checked",
//                      "matters":[{"label","path","checked","retired"}]}]}],
//    "has_errors", "error_count", "other_errors"}
// Every key is present in every object, so a template lookup never falls
// through to an outer context. `matters` is the catalogue's offer
// ([{"path","name","source","retired"}], catalogue_pages.h; "plugin:<id>"
// sources name the department plugins on offer); retired entries show only
// where the form already chose them, marked 已停用, and chosen matters no
// longer offered stay in the tree so an edit never drops them silently.
nlohmann::json form_view(const access::AccessForm& form, const std::map<std::string, std::string>& typed,
                         const std::vector<access::FieldError>& errors, const nlohmann::json& matters);

// The filled form for reading: [{"title", "rows": [{"label","value"}]}] with
// enumeration keys shown as their Chinese labels.
nlohmann::json form_readonly_view(const access::AccessForm& form);

}  // namespace zhaoyin::admin
