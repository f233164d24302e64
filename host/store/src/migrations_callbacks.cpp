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

// The transactional outbox: a flow's state change and its callback are one
// commit. The change's own transaction inserts the delivery with an empty body
// and subject_id naming the session or task, due a little later; once the
// change is committed the host fills in the body and makes it due at once
// (callback_outbox.h). Should the host stop in between, the row comes due by
// itself and the dispatcher renders the body from the subject's state then.
Migration callbacks_outbox_migration() {
  return {15,
          "callback outbox: the subject of a held delivery",
          {
              "ALTER TABLE callback_deliveries ADD COLUMN subject_id VARCHAR(64)",
          }};
}

// W3C Trace Context: the span of the request that queued a delivery, so the
// callback's `traceparent` continues the relying party's trace however late,
// and from whichever host, it is delivered (host/http/.../trace_context.h).
Migration callbacks_trace_migration() {
  return {17,
          "callback deliveries: the trace of the request that caused them",
          {
              "ALTER TABLE callback_deliveries ADD COLUMN trace_parent VARCHAR(55)",
          }};
}

}  // namespace zhaoyin::store
