#include "feature_migrations.h"

namespace zhaoyin::store {

// Released once it lands on main: change it only by adding a new migration.
//
// The printable copies (核验件) this host issued, by the SM3 digest of the
// PDF's exact bytes: the data interface's verify (docs/api/data.md) answers
// "genuine" for an archived PDF only when it is byte for byte one of these,
// then reads the archive's live status. Written when a copy is handed out
// (GET /api/v1/archives/{id}.pdf, GET /api/v1/data/licenses/{uscc}/copy.pdf).
Migration issued_copies_migration() {
  return {24,
          "issued license copies",
          {
              "CREATE TABLE issued_copies ("
              " digest VARCHAR(64) NOT NULL PRIMARY KEY,"
              " archive_id VARCHAR(64) NOT NULL,"
              " client_id VARCHAR(128) NOT NULL,"
              " issued_at BIGINT NOT NULL)",
          }};
}

}  // namespace zhaoyin::store
