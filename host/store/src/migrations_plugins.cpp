#include "feature_migrations.h"

namespace zhaoyin::store {

// Department plugins' configuration values, one JSON object per plugin id,
// validated against the plugin's schema by the admin API before it is stored.
// Which plugins an application runs is application_extensions (migration 7).
// Once on main, change only by adding a migration.
Migration plugins_migration() {
  return {9,
          "department plugins: configuration",
          {
              "CREATE TABLE plugin_config ("
              " plugin_id TEXT PRIMARY KEY,"
              " config_json TEXT NOT NULL,"
              " updated_at TEXT NOT NULL)",
          }};
}

}  // namespace zhaoyin::store
