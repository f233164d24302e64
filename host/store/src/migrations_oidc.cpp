#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
// Codes and access tokens are stored only as SM3 hashes (like access_tokens);
// times are epoch seconds; claims are JSON text.
Migration oidc_migration() {
  return {6,
          "OpenID Connect",
          {
              // One /oidc/authorize request waiting for its QR login to finish.
              "CREATE TABLE oidc_authorizations ("
              " id VARCHAR(64) PRIMARY KEY,"
              " client_id VARCHAR(128) NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,"
              " redirect_uri TEXT NOT NULL,"
              " scope TEXT NOT NULL,"
              " state TEXT NOT NULL,"
              " nonce TEXT NOT NULL,"
              " code_challenge VARCHAR(128) NOT NULL,"
              " matter TEXT NOT NULL,"
              " login_session_id VARCHAR(64) NOT NULL,"
              " browser_hash VARCHAR(64) NOT NULL,"
              " completed_at BIGINT NOT NULL DEFAULT 0,"
              " created_at BIGINT NOT NULL,"
              " expires_at BIGINT NOT NULL)",
              "CREATE INDEX oidc_authorizations_expires ON oidc_authorizations (expires_at)",
              // Authorization codes: single use (used_at set once, atomically), short-lived.
              "CREATE TABLE oidc_codes ("
              " code_hash VARCHAR(64) PRIMARY KEY,"
              " authorization_id VARCHAR(64) NOT NULL,"
              " client_id VARCHAR(128) NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,"
              " redirect_uri TEXT NOT NULL,"
              " code_challenge VARCHAR(128) NOT NULL,"
              " nonce TEXT NOT NULL,"
              " scope TEXT NOT NULL,"
              " claims TEXT NOT NULL,"
              " auth_time BIGINT NOT NULL,"
              " issued_at BIGINT NOT NULL,"
              " expires_at BIGINT NOT NULL,"
              " used_at BIGINT NOT NULL DEFAULT 0)",
              "CREATE INDEX oidc_codes_expires ON oidc_codes (expires_at)",
              // Access tokens for /oidc/userinfo, revoked with the code they came from.
              "CREATE TABLE oidc_access_tokens ("
              " token_hash VARCHAR(64) PRIMARY KEY,"
              " code_hash VARCHAR(64) NOT NULL,"
              " client_id VARCHAR(128) NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,"
              " scope TEXT NOT NULL,"
              " claims TEXT NOT NULL,"
              " issued_at BIGINT NOT NULL,"
              " expires_at BIGINT NOT NULL)",
              "CREATE INDEX oidc_access_tokens_code ON oidc_access_tokens (code_hash)",
              "CREATE INDEX oidc_access_tokens_expires ON oidc_access_tokens (expires_at)",
          }};
}

// Single sign-on: the provider's session in a browser (host/oidc provider_sessions.h).
// id_hash is the SM3 of the cookie value; ended_at is set by a logout.
Migration oidc_sso_migration() {
  return {20,
          "OpenID Connect provider sessions (single sign-on)",
          {
              "CREATE TABLE oidc_provider_sessions ("
              " id_hash VARCHAR(64) PRIMARY KEY,"
              " license_serial VARCHAR(64) NOT NULL,"
              " uscc VARCHAR(32) NOT NULL,"
              " auth_time BIGINT NOT NULL,"
              " last_used_at BIGINT NOT NULL,"
              " expires_at BIGINT NOT NULL,"
              " ended_at BIGINT NOT NULL DEFAULT 0)",
              "CREATE INDEX oidc_provider_sessions_serial ON oidc_provider_sessions (license_serial)",
              "CREATE INDEX oidc_provider_sessions_expires ON oidc_provider_sessions (expires_at)",
          }};
}

// The ID-token signing key (ES256, PKCS#8 PEM), one row for every host on
// the store (host/oidc key_ring.cpp): before, each host made its own in its
// data folder, and behind nginx one host's ID tokens did not verify with
// another's JWKS.
Migration oidc_signing_key_migration() {
  return {29,
          "OpenID Connect signing key shared by every host",
          {
              "CREATE TABLE oidc_signing_keys ("
              " id INTEGER PRIMARY KEY,"
              " private_pem TEXT NOT NULL,"
              " created_at BIGINT NOT NULL)",
          }};
}

}  // namespace zhaoyin::store
