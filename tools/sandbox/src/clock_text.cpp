#include "clock_text.h"

#include <ctime>

namespace zhaoyin::sandbox {

namespace {

std::tm utc_parts(TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return parts;
}

}  // namespace

std::string iso8601_utc(TimePoint t) {
  const std::tm parts = utc_parts(t);
  char buffer[32];
  return std::string(buffer, std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts));
}


}  // namespace zhaoyin::sandbox
