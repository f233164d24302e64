#include "usage_table.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Types.h>
#include <algorithm>
#include <zhaoyin/store/database.h>

namespace zhaoyin::quota {

using namespace Poco::Data::Keywords;

namespace {

// Portable between SQLite (3.24+) and PostgreSQL: ON CONFLICT ... DO UPDATE
// with excluded.*, and a CASE instead of GREATEST / two-argument MAX, which
// only one of them has.
const char* const kUpsert =
    "INSERT INTO usage_daily (client_id, day, admitted, refused, peak_per_second) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (client_id, day) DO UPDATE SET "
    "admitted = usage_daily.admitted + excluded.admitted, "
    "refused = usage_daily.refused + excluded.refused, "
    "peak_per_second = CASE WHEN excluded.peak_per_second > usage_daily.peak_per_second "
    "THEN excluded.peak_per_second ELSE usage_daily.peak_per_second END";

}  // namespace

void DayIncrement::add(const DayIncrement& other) {
  admitted += other.admitted;
  refused += other.refused;
  peak_per_second = std::max(peak_per_second, other.peak_per_second);
}

void UsageTable::add(const DayIncrements& increments) {
  if (increments.empty()) return;
  auto session = db_.session();
  Poco::Data::Transaction tx(session);
  db_.lock_for_write(session);
  for (const auto& [key, inc] : increments) {
    std::string client_id = key.first;
    std::string day = key.second;
    Poco::Int64 admitted = inc.admitted, refused = inc.refused, peak = inc.peak_per_second;
    session << kUpsert, use(client_id), use(day), use(admitted), use(refused), use(peak), now;
  }
  tx.commit();
}

std::int64_t UsageTable::admitted_between(const std::string& client_id, const std::string& first,
                                          const std::string& last) {
  auto session = db_.session();
  std::string id = client_id, from = first, to = last;
  // SUM over BIGINT is NUMERIC in PostgreSQL: cast it back so both drivers hand over an integer.
  Poco::Data::Statement select(session);
  select << "SELECT CAST(COALESCE(SUM(admitted), 0) AS BIGINT) FROM usage_daily "
            "WHERE client_id = ? AND day >= ? AND day <= ?",
      use(id), use(from), use(to);
  select.execute();
  Poco::Data::RecordSet rs(select);
  if (rs.rowCount() == 0 || rs.value(0, 0).isEmpty()) return 0;
  return rs.value(0, 0).convert<Poco::Int64>();
}

std::map<std::string, DayUsage> UsageTable::rows_between(const std::string& client_id, const std::string& first,
                                                         const std::string& last) {
  auto session = db_.session();
  std::string id = client_id, from = first, to = last;
  Poco::Data::Statement select(session);
  select << "SELECT day, admitted, refused, peak_per_second FROM usage_daily "
            "WHERE client_id = ? AND day >= ? AND day <= ? ORDER BY day",
      use(id), use(from), use(to);
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::map<std::string, DayUsage> rows;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    DayUsage u;
    u.day = rs.value(0, row).convert<std::string>();
    u.admitted = rs.value(1, row).convert<Poco::Int64>();
    u.refused = rs.value(2, row).convert<Poco::Int64>();
    u.peak_per_second = rs.value(3, row).convert<Poco::Int64>();
    rows[u.day] = u;
  }
  return rows;
}

}  // namespace zhaoyin::quota
