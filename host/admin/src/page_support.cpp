#include "page_support.h"

#include <ctime>

namespace zhaoyin::admin {

std::string form_field(const http::FormFields& form, const std::string& name) {
  for (const auto& [k, v] : form)
    if (k == name) return v;
  return {};
}

std::vector<std::string> form_fields(const http::FormFields& form, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : form)
    if (k == name) out.push_back(v);
  return out;
}

std::string china_time(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds + 8 * 3600);  // no daylight saving in China
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace zhaoyin::admin
