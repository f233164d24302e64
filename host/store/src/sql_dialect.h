#pragma once
// What differs between SQLite and PostgreSQL in the SQL the host writes, kept
// in one place. The repositories and migrations write one portable dialect:
// '?' placeholders, BLOB columns, "id INTEGER PRIMARY KEY" for a generated
// key. For PostgreSQL the store rewrites them here:
//   - placeholders '?' become $1, $2, ... (libpq's prepared statements), for
//     every statement, at the moment Poco compiles it (postgresql_connector.cpp);
//   - in migrations, BLOB becomes BYTEA and "INTEGER PRIMARY KEY" becomes an
//     identity column (SQLite gives such a column rowid values by itself).
// Text inside quotes ('...', "...") and comments is never rewritten.
#include <string>

namespace zhaoyin::store::sql {

// "a = ? AND b = ?" -> "a = $1 AND b = $2".
std::string postgresql_placeholders(const std::string& statement);

// A migration statement in the portable dialect -> PostgreSQL DDL.
std::string postgresql_schema(const std::string& statement);

// A readable, password-free name for a libpq connection string (keyword=value
// or postgresql:// URI): "postgresql://host:port/dbname".
std::string postgresql_display_name(const std::string& connection_string);

// `message` (from the driver) with the connection string replaced by its
// display name and any "password=..." masked: some driver errors quote the
// whole connection string, and messages end up in logs.
std::string postgresql_redact(const std::string& message, const std::string& connection_string);

}  // namespace zhaoyin::store::sql
