#pragma once
// The store's schema as an ordered list of migrations. A migration, once
// released, never changes: add a new one instead. Every statement is plain SQL
// that SQLite and PostgreSQL both accept (BIGINT epoch seconds for times,
// VARCHAR/TEXT for strings, JSON lists stored as TEXT).
#include <string>
#include <vector>

namespace zhaoyin::store {

struct Migration {
  int version = 0;                      // 1, 2, 3, ... with no gaps
  std::string name;                     // short description, recorded in schema_migrations
  std::vector<std::string> statements;  // one SQL statement each, run in order in one transaction
};

const std::vector<Migration>& migrations();

}  // namespace zhaoyin::store
