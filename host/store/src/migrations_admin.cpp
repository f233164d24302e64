#include "feature_migrations.h"

namespace zhaoyin::store {

// PLACEHOLDER: the owner of this feature replaces the statements (keep the version).
// Keep every statement portable between SQLite and PostgreSQL (see database.h).
// Once on main, change only by adding a migration.
Migration admin_migration() {
  return {10,
          "staff accounts, sessions and the audit log",
          {
              "CREATE TABLE staff_placeholder (id INTEGER PRIMARY KEY)",
          }};
}

}  // namespace zhaoyin::store
