#include "feature_migrations.h"

namespace zhaoyin::store {

// Staff accounts (host/admin): who may use the /admin pages, their browser
// sessions (only the SHA-256 of the cookie token is kept), and the audit log
// of every state-changing action. Times are Unix seconds. The audit id comes
// from the host (time-ordered text), so no AUTOINCREMENT is needed and the
// SQL stays portable between SQLite and PostgreSQL.
Migration admin_migration() {
  return {10,
          "staff accounts, sessions and the audit log",
          {
              "CREATE TABLE staff_accounts ("
              " username VARCHAR(64) PRIMARY KEY,"
              " display_name TEXT NOT NULL,"
              " role VARCHAR(16) NOT NULL CHECK (role IN ('applicant', 'reviewer', 'operator')),"
              " password_hash TEXT NOT NULL,"
              " failed_attempts INTEGER NOT NULL DEFAULT 0,"
              " locked_until BIGINT NOT NULL DEFAULT 0,"
              " created_at BIGINT NOT NULL,"
              " disabled INTEGER NOT NULL DEFAULT 0)",
              "CREATE TABLE staff_sessions ("
              " token_hash VARCHAR(64) PRIMARY KEY,"
              " username VARCHAR(64) NOT NULL REFERENCES staff_accounts(username) ON DELETE CASCADE,"
              " csrf_token VARCHAR(64) NOT NULL,"
              " created_at BIGINT NOT NULL,"
              " last_seen BIGINT NOT NULL,"
              " expires_at BIGINT NOT NULL)",
              "CREATE INDEX staff_sessions_by_user ON staff_sessions (username)",
              "CREATE TABLE audit_log ("
              " id VARCHAR(40) PRIMARY KEY,"
              " at BIGINT NOT NULL,"
              " actor VARCHAR(64) NOT NULL,"
              " action VARCHAR(64) NOT NULL,"
              " target TEXT NOT NULL,"
              " detail_json TEXT NOT NULL,"
              " request_id VARCHAR(64) NOT NULL)",
              "CREATE INDEX audit_log_by_time ON audit_log (at, id)",
          }};
}

}  // namespace zhaoyin::store
