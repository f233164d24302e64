#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
//
// 附件2 电子营业执照应用场景清单 enforced per matter: what each approved matter
// of an application may be used for, copied from the approved access form's
// scenario rows (host/access scenarios.h) when it is approved. A JSON object
// matter path → [login | presentation | signature | other]; '{}' (every
// application from before this migration) means no row: each matter allows
// the application's needs.
Migration matter_functions_migration() {
  return {23,
          "applications: functions approved per matter (附件2 scenario register)",
          {
              "ALTER TABLE applications ADD COLUMN matter_functions TEXT NOT NULL DEFAULT '{}'",
          }};
}

}  // namespace zhaoyin::store
