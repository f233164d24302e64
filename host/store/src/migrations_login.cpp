#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
Migration login_migration() {
  return {4,
          "login sessions",
          {
              "CREATE TABLE login_placeholder (id INTEGER PRIMARY KEY)",
          }};
}

}  // namespace zhaoyin::store
