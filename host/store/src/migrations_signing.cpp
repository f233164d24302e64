#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
//
// sign_tasks holds one signing task each (host/signing): the request as JSON,
// the original document and the current one (the PDF with every signature so
// far, or for business data the last detached SES_Signature), the pending
// preparation of a wallet's two-step answer, and the signatures made (JSON).
// sign_task_events is its append-only log of state changes. seal_usage records
// every signature made with a seal (who, for which relying party, over which
// digest). Times are epoch seconds. The single-use steps are conditional
// UPDATEs on sign_tasks.status / sign_tasks.version.
Migration signing_migration() {
  return {8,
          "sign tasks, seal signatures and seal usage",
          {
              "CREATE TABLE sign_tasks ("
              " id VARCHAR(64) PRIMARY KEY,"
              " client_id VARCHAR(128) NOT NULL REFERENCES applications(client_id),"
              " ticket VARCHAR(64) NOT NULL UNIQUE,"
              " nonce VARCHAR(64) NOT NULL,"
              " status VARCHAR(24) NOT NULL,"
              " version INTEGER NOT NULL,"
              " request TEXT NOT NULL,"
              " callback_url TEXT,"
              " created_at BIGINT NOT NULL,"
              " expires_at BIGINT NOT NULL,"
              " updated_at BIGINT NOT NULL,"
              " original BLOB NOT NULL,"
              " current_document BLOB,"
              " signatures TEXT NOT NULL,"
              " preparation TEXT,"
              " prepared_document BLOB)",
              "CREATE INDEX sign_tasks_client ON sign_tasks (client_id, created_at)",
              "CREATE TABLE sign_task_events ("
              " task_id VARCHAR(64) NOT NULL REFERENCES sign_tasks(id) ON DELETE CASCADE,"
              " seq INTEGER NOT NULL,"
              " status VARCHAR(24) NOT NULL,"
              " at BIGINT NOT NULL,"
              " PRIMARY KEY (task_id, seq))",
              "CREATE TABLE seal_usage ("
              " id INTEGER PRIMARY KEY,"
              " es_id VARCHAR(64) NOT NULL,"
              " seal_type VARCHAR(32) NOT NULL,"
              " uscc VARCHAR(32) NOT NULL,"
              " holder_serial VARCHAR(64) NOT NULL,"
              " holder_name TEXT NOT NULL,"
              " client_id VARCHAR(128) NOT NULL,"
              " task_id VARCHAR(64) NOT NULL,"
              " document_name TEXT NOT NULL,"
              " document_sm3 VARCHAR(64) NOT NULL,"
              " signed_at BIGINT NOT NULL)",
              "CREATE INDEX seal_usage_seal ON seal_usage (es_id, client_id, signed_at)",
          }};
}

// Tasks bound to one holder (signer.license_serial) are listed in that
// holder's wallet inbox (待签章, POST /wallet/v1/inbox): the serial gets a
// column of its own so the inbox is an indexed query, not a scan of the
// request JSON. Tasks made before it have NULL (bound to nobody).
Migration signing_inbox_migration() {
  return {16,
          "sign tasks: the bound holder, for the wallet inbox",
          {
              "ALTER TABLE sign_tasks ADD COLUMN signer_serial VARCHAR(64)",
              "CREATE INDEX sign_tasks_signer ON sign_tasks (signer_serial, status, expires_at)",
          }};
}

}  // namespace zhaoyin::store
