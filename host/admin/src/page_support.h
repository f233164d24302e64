#pragma once
// Small helpers the admin page handlers share.
#include <cstdint>
#include <string>
#include <vector>
#include <zhaoyin/http/form.h>

namespace zhaoyin::admin {

// The value of the form field `name` ("" when absent).
std::string form_field(const http::FormFields& form, const std::string& name);
// Every value of `name`, in order (checkbox groups, repeated fields).
std::vector<std::string> form_fields(const http::FormFields& form, const std::string& name);

// "YYYY-MM-DD HH:MM:SS" in China Standard Time (UTC+8), the staff's clock.
std::string china_time(std::int64_t unix_seconds);

}  // namespace zhaoyin::admin
