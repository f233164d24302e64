#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
//
// presentation_nonces: one row per accepted presentation code. The primary key
// is what makes a code single-use: the row is inserted in the same transaction
// as the archive, so a replay fails on the constraint even across restarts and
// between concurrent requests.
//
// presentation_archives: what was verified (face info, holder, chain, checks,
// the signed code) for the application that made the verification. The
// public_token names the printed copy's verification page; display_token is
// set while the application publishes the license for display (亮照).
Migration presentation_migration() {
  return {5,
          "presentations and archives",
          {
              "CREATE TABLE presentation_nonces ("
              " license_serial TEXT NOT NULL,"
              " nonce TEXT NOT NULL,"
              " client_id TEXT NOT NULL,"
              " used_at BIGINT NOT NULL,"
              " PRIMARY KEY (license_serial, nonce))",
              "CREATE TABLE presentation_archives ("
              " id TEXT PRIMARY KEY,"
              " client_id TEXT NOT NULL,"
              " license_serial TEXT NOT NULL,"
              " uscc TEXT NOT NULL,"
              " matter TEXT,"
              " code TEXT NOT NULL,"
              " subject TEXT NOT NULL,"
              " chain TEXT NOT NULL,"
              " verified_at BIGINT NOT NULL,"
              " public_token TEXT NOT NULL UNIQUE,"
              " display_token TEXT UNIQUE)",
              "CREATE INDEX presentation_archives_client ON presentation_archives (client_id)",
          }};
}

}  // namespace zhaoyin::store
