#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
//
// Revocations of static display codes (docs/PROTOCOL.md §6, "Display code"),
// signed by a license holder of the code's enterprise in the wallet. The host
// named in a code's URL is authoritative for its revocation, so these rows
// are the record. display_code_revocations: one code, by its display id
// within its enterprise (the key includes the USCC: a display id is chosen by
// a wallet, so another enterprise could pick the same one). display_code_cutoffs:
// "every code of this enterprise issued before issued_before" (legal
// representative only); it only ever moves forward. Times are epoch seconds.
Migration display_codes_migration() {
  return {22,
          "display code revocations",
          {
              "CREATE TABLE display_code_revocations ("
              " uscc VARCHAR(32) NOT NULL,"
              " display_id VARCHAR(32) NOT NULL,"
              " license_serial VARCHAR(64) NOT NULL,"
              " revoked_at BIGINT NOT NULL,"
              " revoked_by VARCHAR(64) NOT NULL,"
              " PRIMARY KEY (uscc, display_id))",
              "CREATE TABLE display_code_cutoffs ("
              " uscc VARCHAR(32) NOT NULL PRIMARY KEY,"
              " issued_before BIGINT NOT NULL,"
              " revoked_at BIGINT NOT NULL,"
              " revoked_by VARCHAR(64) NOT NULL)",
          }};
}

}  // namespace zhaoyin::store
