#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
Migration oidc_migration() {
  return {6,
          "OpenID Connect",
          {
              "CREATE TABLE oidc_placeholder (id INTEGER PRIMARY KEY)",
          }};
}

}  // namespace zhaoyin::store
