#include "feature_migrations.h"

namespace zhaoyin::store {

// PLACEHOLDER until the signing feature lands its schema: replace the statements,
// keep the version number. Once on main, change only by adding a migration.
Migration signing_migration() {
  return {8,
          "sign tasks, seal signatures and seal usage",
          {
              "CREATE TABLE signing_placeholder (id INTEGER PRIMARY KEY)",
          }};
}

}  // namespace zhaoyin::store
