#pragma once
// The host's store: Poco::Data sessions from a pool, opened from settings.
// SQLite is the embedded default (one file under the data folder, WAL mode,
// foreign keys on); PostgreSQL (driver "postgresql") lets several hosts share
// one store. The repositories and migrations write one portable dialect; what
// PostgreSQL needs differently is translated in sql_dialect.h.
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace Poco::Data {
class Session;
class SessionPool;
}  // namespace Poco::Data

namespace zhaoyin::store {

// Store failures the caller can act on (cannot open, schema too new, ...).
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DatabaseSettings {
  std::string driver = "sqlite";          // sqlite | postgresql
  std::filesystem::path data_dir = "var/data";
  std::string file_name = "zhaoyin.db";   // SQLite file inside data_dir
  int max_sessions = 16;                  // pooled connections
  int busy_timeout_seconds = 10;          // SQLite waits this long for a lock
  // How long a bearer token and an application read from the store are used
  // again without asking (store.credential_cache_ms): a change made on this
  // host is seen at once, one made by another host within this time; 0: ask
  // every time (docs/SECURITY.md, "Cached reads").
  int credential_cache_ms = 1000;
  // PostgreSQL: a libpq connection string (store.postgresql), e.g.
  // "host=127.0.0.1 port=5432 dbname=zhaoyin user=zhaoyin password=..."
  std::string postgresql;
};

class GroupCommit;
struct ReadCaches;

class Database {
 public:
  // Creates data_dir if missing, opens the pool and checks the connection.
  // Does not migrate: call migrate(). Throws StoreError with a clear message.
  explicit Database(DatabaseSettings settings);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // A pooled session with foreign keys enforced. Return it (let it go out of
  // scope) promptly; never keep one across requests.
  Poco::Data::Session session();

  // Runs `work` inside a transaction shared with the writes that arrive at the
  // same time (group commit: one fsync for all of them), in a savepoint of its
  // own. Returns once the change is durable; an exception from `work` undoes
  // only its own changes and is rethrown here. For short writes that must not
  // wait behind one another (single-use records); see group_commit.h.
  void write_together(const std::function<void(Poco::Data::Session&)>& work);

  // Call first inside a transaction that writes (right after Poco's
  // Transaction begins it). SQLite's BEGIN is DEFERRED: a transaction that
  // reads before it writes holds a snapshot, and if another connection commits
  // in between, its first write fails at once with "database is locked"
  // (SQLITE_BUSY_SNAPSHOT; the busy timeout does not apply). Taking the write
  // lock first makes a concurrent writer wait its turn (busy timeout) and then
  // read what the first one committed, so a lost race becomes the caller's
  // "changed meanwhile" answer (a 409), never an exception. PostgreSQL: nothing
  // to do (row locks and conditional updates cover it).
  void lock_for_write(Poco::Data::Session& s);

  // Applies every migration not applied yet, each in its own transaction.
  // Returns how many were applied (0 when the schema is current).
  std::size_t migrate();
  int schema_version();       // highest applied migration, 0 for an empty database
  static int latest_version();  // highest migration this build knows

  // Runs a real query; throws StoreError if the store does not answer.
  void check();

  const DatabaseSettings& settings() const { return settings_; }
  std::string driver() const { return settings_.driver; }
  bool postgresql() const { return settings_.driver == "postgresql"; }
  // SQLite: the database file. PostgreSQL: "postgresql://host:port/dbname"
  // (for logs and messages; never the password).
  std::filesystem::path file() const;

  // Closes every pooled connection; session() throws afterwards.
  void close();

  // This process's short-lived copies of hot reads (read_caches.h): extension
  // bindings, bearer tokens, applications. For the repositories.
  ReadCaches& read_caches() { return *read_caches_; }

 private:
  void open_sqlite();
  void open_postgresql();
  void lock_migrations(Poco::Data::Session& s);
  std::string redact(const std::string& message) const;  // no password in messages
  DatabaseSettings settings_;
  std::unique_ptr<Poco::Data::SessionPool> pool_;
  std::unique_ptr<GroupCommit> group_commit_;
  std::unique_ptr<ReadCaches> read_caches_;
};

}  // namespace zhaoyin::store
