#include <zhaoyin/store/migrations.h>

#include "feature_migrations.h"

namespace zhaoyin::store {

// Append only. Keep each statement portable between SQLite and PostgreSQL.
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> list = {
      {1,
       "relying-party applications",
       {
           "CREATE TABLE applications ("
           " client_id VARCHAR(128) PRIMARY KEY,"
           " secret_hash VARCHAR(256) NOT NULL,"
           " name VARCHAR(256) NOT NULL,"
           " department VARCHAR(64) NOT NULL,"
           " scope VARCHAR(16) NOT NULL,"
           " province VARCHAR(8) NOT NULL,"
           " needs TEXT NOT NULL,"
           " channels TEXT NOT NULL,"
           " matters TEXT NOT NULL,"
           " annual_volume BIGINT NOT NULL,"
           " peak_rate BIGINT NOT NULL,"
           " status VARCHAR(16) NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),"
           " created_at BIGINT NOT NULL,"
           " updated_at BIGINT NOT NULL)",
       }},
      {2,
       "OAuth access tokens",
       {
           "CREATE TABLE access_tokens ("
           " token_hash VARCHAR(64) PRIMARY KEY,"
           " client_id VARCHAR(128) NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,"
           " scope TEXT NOT NULL,"
           " issued_at BIGINT NOT NULL,"
           " expires_at BIGINT NOT NULL)",
           "CREATE INDEX access_tokens_client ON access_tokens (client_id)",
           "CREATE INDEX access_tokens_expires ON access_tokens (expires_at)",
       }},
      {3,
       "applications: OIDC redirect URIs, callback signing key",
       {
           "ALTER TABLE applications ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]'",
           "ALTER TABLE applications ADD COLUMN callback_key VARCHAR(64) NOT NULL DEFAULT ''",
       }},
      login_migration(),         // 4, migrations_login.cpp
      presentation_migration(),  // 5, migrations_presentation.cpp
      oidc_migration(),          // 6, migrations_oidc.cpp
      {7,
       "plugins and scripts bound to applications",
       {
           "CREATE TABLE application_extensions ("
           " client_id VARCHAR(128) NOT NULL REFERENCES applications (client_id) ON DELETE CASCADE,"
           " kind VARCHAR(16) NOT NULL CHECK (kind IN ('plugin', 'script')),"
           " name VARCHAR(256) NOT NULL,"
           " position INTEGER NOT NULL,"
           " PRIMARY KEY (client_id, kind, name))",
       }},
      signing_migration(),       // 8, migrations_signing.cpp
      plugins_migration(),       // 9, migrations_plugins.cpp
      admin_migration(),         // 10, migrations_admin.cpp
      access_migration(),        // 11, migrations_access.cpp
      usage_migration(),         // 12, migrations_usage.cpp
      login_renewal_migration(),  // 13, migrations_login.cpp
      callbacks_migration(),     // 14, migrations_callbacks.cpp
      callbacks_outbox_migration(),  // 15, migrations_callbacks.cpp
      signing_inbox_migration(),     // 16, migrations_signing.cpp
      callbacks_trace_migration(),   // 17, migrations_callbacks.cpp
      signature_evidence_migration(),  // 18, migrations_evidence.cpp
      catalogue_migration(),         // 19, migrations_catalogue.cpp
      oidc_sso_migration(),          // 20, migrations_oidc.cpp
      login_same_device_migration(),  // 21, migrations_login.cpp
      display_codes_migration(),      // 22, migrations_display.cpp
      matter_functions_migration(),   // 23, migrations_scenarios.cpp
      issued_copies_migration(),      // 24, migrations_copies.cpp
      seal_watch_migration(),         // 25, migrations_seal_watch.cpp
      declared_systems_migration(),   // 26, migrations_access.cpp
      review_stages_migration(),      // 27, migrations_access.cpp
      data_purpose_migration(),       // 28, migrations_access.cpp
      oidc_signing_key_migration(),   // 29, migrations_oidc.cpp
  };
  return list;
}

}  // namespace zhaoyin::store
