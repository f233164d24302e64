#include "feature_migrations.h"

namespace zhaoyin::store {

// Verifications per application and day (host/quota): what the operator's
// usage charts show and what the annual volume is checked against. The day is
// the UTC+8 calendar day as "YYYY-MM-DD" (text sorts by date, so a year is a
// range). Hosts add to a row (INSERT ... ON CONFLICT DO UPDATE), never replace
// it. No foreign key to applications: the counts outlive a deleted client.
// Portable between SQLite and PostgreSQL. Once on main, change only by adding
// a migration.
Migration usage_migration() {
  return {12,
          "verifications per application and day",
          {
              "CREATE TABLE usage_daily ("
              " client_id VARCHAR(128) NOT NULL,"
              " day VARCHAR(10) NOT NULL,"
              " admitted BIGINT NOT NULL DEFAULT 0,"
              " refused BIGINT NOT NULL DEFAULT 0,"
              " peak_per_second BIGINT NOT NULL DEFAULT 0,"
              " PRIMARY KEY (client_id, day))",
          }};
}

}  // namespace zhaoyin::store
