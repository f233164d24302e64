#pragma once
// Time points as the sandbox's JSON writes them.
#include <chrono>
#include <string>

namespace zhaoyin::sandbox {

using TimePoint = std::chrono::system_clock::time_point;

std::string iso8601_utc(TimePoint t);  // 2026-11-23T10:00:00Z

constexpr std::chrono::hours days(int n) { return std::chrono::hours(24 * n); }

}  // namespace zhaoyin::sandbox
