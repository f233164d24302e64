#pragma once
// The calendar the relying parties count in: China Standard Time (UTC+8, no
// daylight saving), so a "day" and a "year" of usage start at midnight in
// Beijing, whatever the host's own time zone.
#include <chrono>
#include <cstdint>
#include <string>

namespace zhaoyin::quota::calendar {

// Days since 1970-01-01 in UTC+8 for the instant `t`.
std::int64_t day_number(std::chrono::system_clock::time_point t);

// "YYYY-MM-DD" for a day number.
std::string day_text(std::int64_t day_number);

// The UTC+8 calendar year of a day number.
int year_of(std::int64_t day_number);

// "YYYY-01-01" and "YYYY-12-31": a year's days as a range of day texts (they
// sort as strings, so the store can select a year with >= and <=).
std::string first_day_of(int year);
std::string last_day_of(int year);

// Seconds since the epoch (the rate window's key).
std::int64_t epoch_second(std::chrono::system_clock::time_point t);

}  // namespace zhaoyin::quota::calendar
