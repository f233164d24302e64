#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
//
// login_sessions holds one QR login each (host/login); login_events is its
// append-only log of state changes. Times are epoch seconds; `subject` is the
// VerifiedSubject JSON of a confirmed login. The single-use answer is the
// conditional UPDATE ... WHERE status IN ('pending','scanned') on this table.
Migration login_migration() {
  return {4,
          "login sessions",
          {
              "CREATE TABLE login_sessions ("
              " id VARCHAR(64) PRIMARY KEY,"
              " client_id VARCHAR(128) NOT NULL REFERENCES applications(client_id),"
              " ticket VARCHAR(64) NOT NULL UNIQUE,"
              " nonce VARCHAR(64) NOT NULL,"
              " status VARCHAR(16) NOT NULL,"
              " matter TEXT,"
              " correlation_id TEXT,"
              " channel VARCHAR(32),"
              " ttl_seconds BIGINT NOT NULL,"
              " callback_url TEXT,"
              " return_url TEXT,"
              " created_at BIGINT NOT NULL,"
              " expires_at BIGINT NOT NULL,"
              " updated_at BIGINT NOT NULL,"
              " subject TEXT,"
              " authenticated_at BIGINT)",
              "CREATE INDEX login_sessions_client ON login_sessions (client_id, created_at)",
              "CREATE TABLE login_events ("
              " session_id VARCHAR(64) NOT NULL REFERENCES login_sessions(id) ON DELETE CASCADE,"
              " seq INTEGER NOT NULL,"
              " status VARCHAR(16) NOT NULL,"
              " at BIGINT NOT NULL,"
              " PRIMARY KEY (session_id, seq))",
          }};
}

// Renewing an expired session (POST /login/{id}/renew) needs a credential and
// is bounded: page_token_hash is the SM3 of the secret only the hosted page
// (and the creator) got; renewals counts the renewals that led to this
// session; renewed_to names the one session this expired one was renewed
// into (set once, by a conditional UPDATE, so one session renews once).
Migration login_renewal_migration() {
  return {13,
          "login sessions: page token, bounded renewals",
          {
              "ALTER TABLE login_sessions ADD COLUMN page_token_hash VARCHAR(64)",
              "ALTER TABLE login_sessions ADD COLUMN renewals INTEGER NOT NULL DEFAULT 0",
              "ALTER TABLE login_sessions ADD COLUMN renewed_to VARCHAR(64)",
          }};
}

// Same-device logins (docs/protocol/login.md, "Same-device flow"): the wallet
// returns the holder to the relying party's app with a single-use token.
Migration login_same_device_migration() {
  return {21,
          "login sessions: same-device flow and its return token",
          {
              "ALTER TABLE login_sessions ADD COLUMN same_device INTEGER NOT NULL DEFAULT 0",
              "ALTER TABLE login_sessions ADD COLUMN return_token_hash VARCHAR(64) NOT NULL DEFAULT ''",
              "ALTER TABLE login_sessions ADD COLUMN return_used_at BIGINT NOT NULL DEFAULT 0",
          }};
}

}  // namespace zhaoyin::store
