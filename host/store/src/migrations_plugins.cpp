#include "feature_migrations.h"

namespace zhaoyin::store {

// PLACEHOLDER until the plugins feature lands its schema: replace the statements,
// keep the version number. Once on main, change only by adding a migration.
Migration plugins_migration() {
  return {9,
          "department plugins: configuration",
          {
              "CREATE TABLE plugins_placeholder (id INTEGER PRIMARY KEY)",
          }};
}

}  // namespace zhaoyin::store
