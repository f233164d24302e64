#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
//
// Seal watches (docs/api/signing.md, "Seal changes"): a relying party that
// recorded an enterprise's seal — a bank's 预留印鉴 — asks to be called back
// when the authority replaces or revokes it. seal_watches: one row per
// application and seal, with the URL to call and when the watch began (a
// change recorded before that is not reported). seal_feed_cursor: one row,
// the last seq of the authority's seal-change feed whose callbacks have been
// queued; hosts sharing a store advance it with a conditional UPDATE in the
// same transaction as the callbacks, so each change is reported once by one
// host. Times are epoch seconds.
Migration seal_watch_migration() {
  return {25,
          "seal watches and the seal-change feed cursor",
          {
              "CREATE TABLE seal_watches ("
              " client_id VARCHAR(64) NOT NULL,"
              " es_id VARCHAR(64) NOT NULL,"
              " uscc VARCHAR(32) NOT NULL,"
              " callback_url VARCHAR(2000) NOT NULL,"
              " login_session VARCHAR(64) NOT NULL,"
              " created_at BIGINT NOT NULL,"
              " PRIMARY KEY (client_id, es_id))",
              "CREATE INDEX seal_watches_by_seal ON seal_watches (es_id)",
              "CREATE TABLE seal_feed_cursor ("
              " id INTEGER NOT NULL PRIMARY KEY,"
              " next_seq BIGINT NOT NULL,"
              " updated_at BIGINT NOT NULL)",
              "INSERT INTO seal_feed_cursor (id, next_seq, updated_at) VALUES (1, 0, 0)",
          }};
}

}  // namespace zhaoyin::store
