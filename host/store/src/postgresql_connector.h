#pragma once
// The store's PostgreSQL sessions: Poco's PostgreSQL driver (libpq) with two
// additions the host needs, registered under its own connector name so the
// stock "PostgreSQL" connector stays untouched:
//   - every statement's '?' placeholders are rewritten to $1.. when it is
//     compiled (sql_dialect.h), so repositories write one dialect;
//   - a pooled connection the server has closed (restart, failover, idle kill)
//     is recognised as dead before it is handed out (a zero-wait look at the
//     socket), so the pool drops it and opens a new one instead of failing
//     the next request.
#include <string>

namespace zhaoyin::store {

inline constexpr const char* kPostgresqlConnector = "zhaoyin-postgresql";

// Registers the connector with Poco's SessionFactory (once per process).
void register_postgresql_connector();

}  // namespace zhaoyin::store
