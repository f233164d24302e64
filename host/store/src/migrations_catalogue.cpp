#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
//
// matters_catalogue is the 授权事项目录 the operator runs (host/access,
// matters_catalogue.h): one row per matter 领域/行业/事项. code is the stable
// key; path (domain/industry/matter) is unique and never changes (licences
// and approved applications carry it); label is what people see and what
// "rename" changes. Rows are never deleted: status retired hides one from new
// applications. source says who contributed it (starter, operator, import,
// plugin:<id>, script:<name>). Times are epoch seconds.
Migration catalogue_migration() {
  return {19,
          "the matters catalogue (授权事项目录)",
          {
              "CREATE TABLE matters_catalogue ("
              " code VARCHAR(64) PRIMARY KEY,"
              " path VARCHAR(512) NOT NULL UNIQUE,"
              " domain VARCHAR(16) NOT NULL,"
              " industry VARCHAR(200) NOT NULL,"
              " matter VARCHAR(200) NOT NULL,"
              " label VARCHAR(400) NOT NULL,"
              " status VARCHAR(16) NOT NULL CHECK (status IN ('active', 'retired')),"
              " source VARCHAR(300) NOT NULL,"
              " created_at BIGINT NOT NULL,"
              " updated_at BIGINT NOT NULL)",
          }};
}

}  // namespace zhaoyin::store
