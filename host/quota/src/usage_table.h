#pragma once
// The usage_daily table (migration 12): one row per application and day with
// the admitted and refused requests and the busiest second. Rows are written by
// adding to them, never by replacing them, so several hosts can write the same
// row (they share the store) without losing each other's counts.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>
#include <zhaoyin/quota/usage_gate.h>

namespace zhaoyin::store {
class Database;
}

namespace zhaoyin::quota {

// Counts to add to one row.
struct DayIncrement {
  std::int64_t admitted = 0;
  std::int64_t refused = 0;
  std::int64_t peak_per_second = 0;  // kept if above the row's

  void add(const DayIncrement& other);  // sums the counts, keeps the larger peak
};

using DayKey = std::pair<std::string, std::string>;  // (client_id, YYYY-MM-DD)
using DayIncrements = std::map<DayKey, DayIncrement>;

class UsageTable {
 public:
  explicit UsageTable(store::Database& db) : db_(db) {}

  // Adds every increment in one transaction (all or nothing). Throws on a
  // store failure.
  void add(const DayIncrements& increments);

  // The admitted count of `client_id` from day `first` to day `last` (inclusive).
  std::int64_t admitted_between(const std::string& client_id, const std::string& first, const std::string& last);

  // The rows of `client_id` from `first` to `last`, by day.
  std::map<std::string, DayUsage> rows_between(const std::string& client_id, const std::string& first,
                                               const std::string& last);

 private:
  store::Database& db_;
};

}  // namespace zhaoyin::quota
