#include "feature_migrations.h"

namespace zhaoyin::store {

// Relying-party callbacks waiting for delivery (host/http callback_store.cpp),
// so that retries survive a restart and any host of a cluster can finish what
// another began. created_at is in microseconds (it orders one application's
// deliveries); due_at, lease_until and updated_at are unix milliseconds. A
// host holds a row while it delivers it (lease_until in the future). No
// foreign key to applications: a delivery of a deleted application is dropped
// when it comes up. Portable between SQLite and PostgreSQL. Once on main,
// change only by adding a migration.
Migration callbacks_migration() {
  return {14,
          "callback deliveries",
          {
              "CREATE TABLE callback_deliveries ("
              " id VARCHAR(64) PRIMARY KEY,"
              " flow VARCHAR(64) NOT NULL,"
              " client_id VARCHAR(128) NOT NULL,"
              " url TEXT NOT NULL,"
              " body TEXT NOT NULL,"
              " status VARCHAR(16) NOT NULL CHECK (status IN ('pending', 'failed')),"
              " attempts INTEGER NOT NULL DEFAULT 0,"
              " created_at BIGINT NOT NULL,"
              " due_at BIGINT NOT NULL,"
              " lease_until BIGINT NOT NULL DEFAULT 0,"
              " updated_at BIGINT NOT NULL,"
              " last_error TEXT)",
              "CREATE INDEX callback_deliveries_due ON callback_deliveries (flow, status, due_at)",
              "CREATE INDEX callback_deliveries_client ON callback_deliveries (flow, client_id, status, due_at)",
          }};
}

}  // namespace zhaoyin::store
