#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
Migration presentation_migration() {
  return {5,
          "presentations and archives",
          {
              "CREATE TABLE presentation_placeholder (id INTEGER PRIMARY KEY)",
          }};
}

}  // namespace zhaoyin::store
