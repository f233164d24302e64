#include "calendar.h"

#include <cstdio>

namespace zhaoyin::quota::calendar {

namespace {

constexpr std::int64_t kUtcOffsetSeconds = 8 * 3600;  // Asia/Shanghai has no daylight saving
constexpr std::int64_t kSecondsPerDay = 86400;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::chrono::year_month_day civil(std::int64_t day_number) {
  return std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(day_number)));
}

}  // namespace

std::int64_t epoch_second(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return floor_div(ms, 1000);
}

std::int64_t day_number(std::chrono::system_clock::time_point t) {
  return floor_div(epoch_second(t) + kUtcOffsetSeconds, kSecondsPerDay);
}

std::string day_text(std::int64_t day_number) {
  const auto ymd = civil(day_number);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

int year_of(std::int64_t day_number) { return static_cast<int>(civil(day_number).year()); }

std::string first_day_of(int year) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-01-01", year);
  return buf;
}

std::string last_day_of(int year) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-12-31", year);
  return buf;
}

}  // namespace zhaoyin::quota::calendar
