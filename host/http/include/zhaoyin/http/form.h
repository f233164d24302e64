#pragma once
// application/x-www-form-urlencoded (HTML 4.01 §17.13.4, as RFC 6749 uses it).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace zhaoyin::http {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Decodes '+' as a space and %XX escapes; throws std::invalid_argument on a bad escape.
std::string form_decode(std::string_view s);
// Splits a body or query string into decoded name/value pairs, in order
// (empty pieces are skipped); throws std::invalid_argument on a bad escape.
FormFields parse_form(std::string_view body);
// Percent-encodes for a form body (unreserved characters kept, space as %20).
std::string form_encode(std::string_view s);

}  // namespace zhaoyin::http
