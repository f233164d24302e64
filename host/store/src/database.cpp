#include <zhaoyin/store/database.h>

#include <Poco/Data/DataException.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <unistd.h>
#include <zhaoyin/store/migrations.h>
#include "group_commit.h"
#include "postgresql_connector.h"
#include "read_caches.h"
#include "sql_dialect.h"

namespace zhaoyin::store {

using namespace Poco::Data::Keywords;
namespace fs = std::filesystem;

namespace {

void register_connectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    register_postgresql_connector();
  });
}

// One key for every host sharing the database: migrations take this
// transaction-level advisory lock, so two hosts starting at once apply each
// migration once (the second waits, then finds it applied).
constexpr Poco::Int64 kMigrationLock = 0x7a68616f79696e;  // "zhaoyin"

// The table of applied migrations. Created when a SQLite file is opened, too:
// lock_for_write() takes SQLite's write lock with a write to it, which must
// work before the first migration.
void create_migrations_table(Poco::Data::Session& s) {
  s << "CREATE TABLE IF NOT EXISTS schema_migrations ("
       " version INTEGER NOT NULL PRIMARY KEY,"
       " name VARCHAR(200) NOT NULL,"
       " applied_at BIGINT NOT NULL)",
      now;
}

// SQLite's foreign_keys is a setting of each connection, kept for its life:
// set once when the pool opens a connection, rather than with a statement
// (prepared, run, finalised) every time a session is handed out.
class SqlitePool final : public Poco::Data::SessionPool {
 public:
  using SessionPool::SessionPool;

 protected:
  void customizeSession(Poco::Data::Session& s) override { s << "PRAGMA foreign_keys = ON", now; }
};

Poco::Int64 now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Database::Database(DatabaseSettings settings)
    : settings_(std::move(settings)),
      group_commit_(std::make_unique<GroupCommit>(*this)),
      read_caches_(std::make_unique<ReadCaches>(std::chrono::milliseconds(settings_.credential_cache_ms))) {
  if (settings_.max_sessions < 1) throw StoreError("store pool size must be at least 1");
  register_connectors();
  if (settings_.driver == "sqlite") open_sqlite();
  else if (settings_.driver == "postgresql") open_postgresql();
  else throw StoreError("store driver '" + settings_.driver + "' is not supported (supported: sqlite, postgresql)");
}

void Database::open_sqlite() {
  if (settings_.data_dir.empty()) throw StoreError("store data folder is not set");
  std::error_code ec;
  const bool existed = fs::exists(settings_.data_dir, ec);
  fs::create_directories(settings_.data_dir, ec);
  // The store holds secret hashes and tokens: a folder we create is the owner's only.
  if (!ec && !existed) fs::permissions(settings_.data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec || !fs::is_directory(settings_.data_dir))
    throw StoreError("cannot create the data folder " + settings_.data_dir.string() +
                     (ec ? ": " + ec.message() : std::string()));
  // SQLite writes the database, its WAL and its shared-memory file beside each
  // other: a folder this user may not write (e.g. a state folder owned by
  // another account) is named here, before the pool waits for a connection
  // that can never open.
  for (const auto& path : {settings_.data_dir, file()}) {
    if (path == file() && !fs::exists(path, ec)) continue;
    if (::access(path.c_str(), path == file() ? (R_OK | W_OK) : (R_OK | W_OK | X_OK)) != 0)
      throw StoreError("cannot open the store: " + path.string() + " is not readable and writable by this user (uid " +
                       std::to_string(::getuid()) + "): " + std::strerror(errno));
  }
  try {
    pool_ = std::make_unique<SqlitePool>("SQLite", file().string(), 1, settings_.max_sessions, 60);
    auto s = session();
    std::string mode;
    // WAL lets readers proceed while one writer commits; the mode is stored in the file.
    s << "PRAGMA journal_mode=WAL", into(mode), now;
    if (mode != "wal") throw StoreError("cannot switch " + file().string() + " to WAL mode (got '" + mode + "')");
    create_migrations_table(s);
  } catch (const Poco::Exception& e) {
    pool_.reset();
    throw StoreError("cannot open the store " + file().string() + ": " + redact(e.displayText()));
  }
}

void Database::open_postgresql() {
  if (settings_.postgresql.empty())
    throw StoreError("store.driver=postgresql needs store.postgresql (a libpq connection string)");
  try {
    pool_ = std::make_unique<Poco::Data::SessionPool>(kPostgresqlConnector, settings_.postgresql, 1,
                                                      settings_.max_sessions, 60);
    auto s = session();
    int one = 0;
    s << "SELECT 1", into(one), now;
  } catch (const StoreError& e) {
    pool_.reset();
    throw StoreError("cannot open the store " + file().string() + ": " + e.what());
  } catch (const Poco::Exception& e) {
    pool_.reset();
    throw StoreError("cannot open the store " + file().string() + ": " + redact(e.displayText()));
  }
}

std::string Database::redact(const std::string& message) const {
  return postgresql() ? sql::postgresql_redact(message, settings_.postgresql) : message;
}

Database::~Database() {
  try {
    close();
  } catch (...) {  // closing must never throw out of a destructor
  }
}

Poco::Data::Session Database::session() {
  if (!pool_) throw StoreError("the store is closed");
  try {
    if (postgresql()) {
      // A connection the server closed is dropped when it comes back to the
      // pool; asking again then reaches a fresh one (or fails: server down).
      for (int attempt = 0;; ++attempt) {
        Poco::Data::Session s(pool_->get());
        if (s.isGood() || attempt > settings_.max_sessions) return s;
      }
    }
    Poco::Data::Session s(pool_->get());
    s.setConnectionTimeout(static_cast<std::size_t>(settings_.busy_timeout_seconds));
    return s;  // foreign_keys is on: SqlitePool set it when it opened the connection
  } catch (const Poco::Exception& e) {
    throw StoreError("store unavailable: " + redact(e.displayText()));
  }
}

std::filesystem::path Database::file() const {
  if (postgresql()) return sql::postgresql_display_name(settings_.postgresql);
  return settings_.data_dir / settings_.file_name;
}

int Database::latest_version() {
  int latest = 0;
  for (const auto& m : migrations()) latest = std::max(latest, m.version);
  return latest;
}

int Database::schema_version() {
  auto s = session();
  int count = 0;
  try {
    s << "SELECT COUNT(*) FROM schema_migrations", into(count), now;
  } catch (const Poco::Data::DataException&) {
    return 0;  // no schema_migrations table yet: an empty database
  }
  int version = 0;
  if (count > 0) s << "SELECT MAX(version) FROM schema_migrations", into(version), now;
  return version;
}

std::size_t Database::migrate() {
  try {
    {
      auto s = session();
      Poco::Data::Transaction tx(s);
      if (postgresql()) lock_migrations(s);  // SQLite: CREATE is the first statement, a write
      create_migrations_table(s);
      tx.commit();
    }
    const int current = schema_version();
    if (current > latest_version())
      throw StoreError("the store " + file().string() + " has schema version " + std::to_string(current) +
                       ", newer than this host knows (" + std::to_string(latest_version()) + ")");
    std::size_t applied = 0;
    auto s = session();
    for (const auto& m : migrations()) {
      Poco::Data::Transaction tx(s);
      lock_migrations(s);
      // Checked inside the transaction (and, on PostgreSQL, under the lock), so
      // two hosts migrating at once apply it once.
      int present = 0;
      int version = m.version;
      s << "SELECT COUNT(*) FROM schema_migrations WHERE version = ?", into(present), use(version), now;
      if (present > 0) continue;  // the transaction rolls back (nothing to undo)
      for (const auto& statement : m.statements) {
        std::string sql = postgresql() ? sql::postgresql_schema(statement) : statement;
        s << sql, now;
      }
      std::string name = m.name;
      Poco::Int64 at = now_seconds();
      s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", use(version), use(name),
          use(at), now;
      tx.commit();
      ++applied;
    }
    return applied;
  } catch (const Poco::Exception& e) {
    throw StoreError("migrating the store " + file().string() + " failed: " + redact(e.displayText()));
  }
}

void Database::lock_for_write(Poco::Data::Session& s) {
  if (postgresql()) return;
  // A write that changes nothing still takes SQLite's write lock for the rest
  // of the transaction, waiting up to the busy timeout for it.
  s << "UPDATE schema_migrations SET version = version WHERE 1 = 0", now;
}

void Database::lock_migrations(Poco::Data::Session& s) {
  if (!postgresql()) {
    // SQLite: take the write lock first, so a second host waits (busy
    // timeout) instead of deadlocking on read-then-write.
    lock_for_write(s);
    return;
  }
  Poco::Int64 key = kMigrationLock;
  s << "SELECT pg_advisory_xact_lock(?)", use(key), now;
}

void Database::check() {
  try {
    auto s = session();
    int count = -1;
    s << "SELECT COUNT(*) FROM schema_migrations", into(count), now;
    if (count < 0) throw StoreError("the store did not answer");
  } catch (const Poco::Exception& e) {
    throw StoreError("store check failed: " + redact(e.displayText()));
  }
}

void Database::write_together(const std::function<void(Poco::Data::Session&)>& work) {
  group_commit_->write(work);
}

void Database::close() {
  if (group_commit_) group_commit_->stop();  // finishes queued writes while the pool is still open
  if (pool_) {
    pool_->shutdown();
    pool_.reset();
  }
}

}  // namespace zhaoyin::store
