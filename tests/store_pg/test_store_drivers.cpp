// The store itself on both drivers: opening, migrations (also two hosts at
// once), the types the repositories bind, single-use races on two
// connections, and group commit's per-writer savepoints.
#include <Poco/Data/DataException.h>
#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>
#include <zhaoyin/store/migrations.h>
#include "sql_dialect.h"
#include "store_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using namespace Poco::Data::Keywords;
using store::Database;
using store::StoreError;

namespace {

// A scratch table in the portable dialect, created the way migrations are.
void create_scratch(Database& db) {
  std::string ddl =
      "CREATE TABLE scratch (id VARCHAR(64) PRIMARY KEY, n BIGINT, doc BLOB, note TEXT,"
      " status VARCHAR(16) NOT NULL DEFAULT 'pending')";
  if (db.postgresql()) ddl = store::sql::postgresql_schema(ddl);
  auto s = db.session();
  s << ddl, now;
}

int count_rows(Database& db, const std::string& table) {
  auto s = db.session();
  int n = -1;
  s << "SELECT COUNT(*) FROM " + table, into(n), now;
  return n;
}

}  // namespace

TEST_CASE("store_pg: opening a PostgreSQL store, and the refusals", "[store_pg]") {
  TempDir dir;
  store::DatabaseSettings s;
  s.driver = "postgresql";
  s.data_dir = dir.path() / "unused";
  SECTION("no connection string") {
    CHECK_THROWS_WITH(Database(s), Catch::Contains("needs store.postgresql"));
  }
  SECTION("a server that does not answer: a clear error without the password") {
    const int port = free_loopback_port();
    s.postgresql = "host=127.0.0.1 port=" + std::to_string(port) + " dbname=nowhere user=zy password=s3cret-pw";
    try {
      Database db(s);
      FAIL("opened a store on a closed port");
    } catch (const StoreError& e) {
      const std::string what = e.what();
      CHECK_THAT(what, Catch::Contains("cannot open the store postgresql://127.0.0.1:" + std::to_string(port) +
                                       "/nowhere"));
      CHECK(what.find("s3cret-pw") == std::string::npos);
    }
  }
  SECTION("a reachable server: file() names host, port and database, never the password") {
    s.postgresql = shared_postgres().create_database(fresh_database_name());
    Database db(s);
    CHECK(db.postgresql());
    CHECK(db.file().string().rfind("postgresql://127.0.0.1:" + std::to_string(shared_postgres().port()) + "/", 0) == 0);
    CHECK(db.file().string().find(PostgresServer::kPassword) == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.path() / "unused"));  // no data folder for PostgreSQL
  }
  SECTION("the server goes away: StoreError without the password, and back by itself") {
    PostgresServer own;
    s.postgresql = own.connection_string();
    Database db(s);
    db.migrate();
    own.stop();
    try {
      db.check();
      FAIL("the store answered with the server down");
    } catch (const StoreError& e) {
      CHECK(std::string(e.what()).find(PostgresServer::kPassword) == std::string::npos);
    }
    CHECK_THROWS_AS(db.session(), StoreError);
    own.start();
    db.check();  // the pool reconnected without being told
    CHECK(db.schema_version() == Database::latest_version());
  }
}

TEST_CASE("store_pg: migrate from empty, schema_version, idempotent re-run and reopen", "[store_pg]") {
  FOR_EACH_DRIVER(driver);
  TempDir dir;
  const auto settings = empty_store(driver, dir);
  const auto total = store::migrations().size();
  {
    Database db(settings);
    CHECK(db.schema_version() == 0);
    CHECK(db.migrate() == total);
    CHECK(db.schema_version() == Database::latest_version());
    CHECK(db.migrate() == 0);
    db.check();
  }
  Database again(settings);
  CHECK(again.migrate() == 0);
  CHECK(again.schema_version() == Database::latest_version());
  CHECK(count_rows(again, "schema_migrations") == static_cast<int>(total));
}

TEST_CASE("store_pg: a schema newer than the host is refused", "[store_pg]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  {
    auto s = store.db->session();
    s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)", now;
  }
  CHECK_THROWS_WITH(store.db->migrate(), Catch::Contains("newer than this host knows"));
}

TEST_CASE("store_pg: two hosts migrating the same empty store at once apply each migration once",
          "[store_pg]") {
  FOR_EACH_DRIVER(driver);
  TempDir dir;
  const auto settings = empty_store(driver, dir);
  for (int round = 0; round < 3; ++round) {
    if (round > 0 && driver == "sqlite") break;  // one round shows it; SQLite serialises writers anyway
    auto fresh = settings;
    if (driver == "postgresql") fresh.postgresql = shared_postgres().create_database(fresh_database_name());
    else fresh.file_name = "round" + std::to_string(round) + ".db";
    Database a(fresh), b(fresh);
    std::atomic<int> ready{0};
    std::size_t applied_a = 0, applied_b = 0;
    std::string error_a, error_b;
    auto run = [&](Database& db, std::size_t& applied, std::string& error) {
      ++ready;
      while (ready < 2) std::this_thread::yield();
      try {
        applied = db.migrate();
      } catch (const std::exception& e) {
        error = e.what();
      }
    };
    std::thread ta(run, std::ref(a), std::ref(applied_a), std::ref(error_a));
    std::thread tb(run, std::ref(b), std::ref(applied_b), std::ref(error_b));
    ta.join();
    tb.join();
    CHECK(error_a == "");
    CHECK(error_b == "");
    CHECK(applied_a + applied_b == store::migrations().size());
    CHECK(a.schema_version() == Database::latest_version());
    CHECK(count_rows(b, "schema_migrations") == static_cast<int>(store::migrations().size()));
  }
}

TEST_CASE("store_pg: BLOBs byte-exact, 64-bit integers, NULLs, COUNT(*) into int", "[store_pg]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  Database& db = *store.db;
  create_scratch(db);

  std::string bytes;
  for (int round = 0; round < 64; ++round)
    for (int b = 0; b < 256; ++b) bytes += static_cast<char>(b);  // every byte value, NUL and quotes included
  Poco::Data::BLOB blob(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::string id = "row-1";
  Poco::Int64 big = (Poco::Int64{1} << 40) + 7;
  Poco::Nullable<std::string> no_note;  // NULL
  {
    auto s = db.session();
    s << "INSERT INTO scratch (id, n, doc, note) VALUES (?, ?, ?, ?)", use(id), use(big), use(blob), use(no_note),
        now;
  }
  auto s = db.session();
  Poco::Int64 n = 0;
  Poco::Data::BLOB back;
  Poco::Nullable<std::string> note = std::string("preset");
  s << "SELECT n, doc, note FROM scratch WHERE id = ?", into(n), into(back), into(note), use(id), now;
  CHECK(n == big);
  REQUIRE(back.size() == bytes.size());
  CHECK(std::string(reinterpret_cast<const char*>(back.rawContent()), back.size()) == bytes);
  CHECK(note.isNull());

  Poco::Int64 negative = -(Poco::Int64{1} << 50);
  std::string id2 = "row-2";
  s << "INSERT INTO scratch (id, n) VALUES (?, ?)", use(id2), use(negative), now;
  Poco::Int64 read_negative = 0;
  s << "SELECT n FROM scratch WHERE id = ?", into(read_negative), use(id2), now;
  CHECK(read_negative == negative);

  int count = -1;
  s << "SELECT COUNT(*) FROM scratch", into(count), now;
  CHECK(count == 2);

  // RecordSet (used by the repositories' find_*): NULL is empty, numbers convert.
  Poco::Data::Statement select(s);
  select << "SELECT id, n, note, doc FROM scratch WHERE id = ?", use(id2);
  select.execute();
  Poco::Data::RecordSet rs(select);
  REQUIRE(rs.rowCount() == 1);
  CHECK(rs.value(0, 0).convert<std::string>() == "row-2");
  CHECK(rs.value(1, 0).convert<Poco::Int64>() == negative);
  CHECK(rs.value(2, 0).isEmpty());
  CHECK(rs.value(3, 0).isEmpty());

  // Statement::execute() reports affected rows (conditional updates rely on it).
  Poco::Data::Statement update(s);
  std::string done = "done", pending = "pending";
  update << "UPDATE scratch SET status = ? WHERE status = ?", use(done), use(pending);
  CHECK(update.execute() == 2);
  Poco::Data::Statement remove(s);
  remove << "DELETE FROM scratch WHERE id = ?", use(id2);
  CHECK(remove.execute() == 1);

  // On PostgreSQL, writes without rows go in one round trip (PQexecParams,
  // postgresql_connector.cpp); a write that returns rows keeps the prepared
  // path, and a failed write says why, with its SQLSTATE.
  std::string id3 = "row-3", returned;
  s << "INSERT INTO scratch (id, n) VALUES (?, 3) RETURNING id", use(id3), into(returned), now;
  CHECK(returned == "row-3");
  try {
    s << "INSERT INTO scratch (id, n) VALUES (?, 4)", use(id3), now;
    FAIL("a second row with the same primary key was inserted");
  } catch (const Poco::Data::DataException& e) {
    if (driver == "postgresql") CHECK_THAT(e.displayText(), Catch::Contains("23505"));
  }
}

TEST_CASE("store_pg: single-use rows hold under two connections racing (READ COMMITTED on PostgreSQL)",
          "[store_pg]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  Database& db = *store.db;
  create_scratch(db);
  constexpr int kRows = 40;
  for (int i = 0; i < kRows; ++i) {
    auto s = db.session();
    std::string id = "task-" + std::to_string(i);
    s << "INSERT INTO scratch (id, n) VALUES (?, 0)", use(id), now;
  }

  SECTION("conditional UPDATE ... WHERE status = ?: exactly one winner per row") {
    std::atomic<int> ready{0};
    std::vector<int> wins(2, 0), errors(2, 0);
    auto racer = [&](int who) {
      auto s = db.session();  // each racer on its own connection, in its own transactions
      ++ready;
      while (ready < 2) std::this_thread::yield();
      for (int i = 0; i < kRows; ++i) {
        try {
          std::string id = "task-" + std::to_string(i), to = "used", from = "pending";
          s.begin();
          Poco::Data::Statement claim(s);
          claim << "UPDATE scratch SET status = ?, n = n + 1 WHERE id = ? AND status = ?", use(to), use(id), use(from);
          const std::size_t affected = claim.execute();
          s.commit();
          if (affected == 1) ++wins[who];
        } catch (const Poco::Exception&) {
          ++errors[who];
          if (s.isTransaction()) s.rollback();
        }
      }
    };
    std::thread a(racer, 0), b(racer, 1);
    a.join();
    b.join();
    CHECK(wins[0] + wins[1] == kRows);
    CHECK(errors[0] + errors[1] == 0);
    auto s = db.session();
    int applied_twice = -1;
    s << "SELECT COUNT(*) FROM scratch WHERE n <> 1", into(applied_twice), now;
    CHECK(applied_twice == 0);
  }

  SECTION("primary-key INSERT (presentation nonces): the second insert of a key is refused") {
    std::atomic<int> ready{0};
    std::vector<int> inserted(2, 0), refused(2, 0);
    auto racer = [&](int who) {
      auto s = db.session();
      ++ready;
      while (ready < 2) std::this_thread::yield();
      for (int i = 0; i < kRows; ++i) {
        std::string id = "nonce-" + std::to_string(i);
        try {
          s << "INSERT INTO scratch (id, n) VALUES (?, 1)", use(id), now;
          ++inserted[who];
        } catch (const Poco::Exception&) {
          ++refused[who];
        }
      }
    };
    std::thread a(racer, 0), b(racer, 1);
    a.join();
    b.join();
    CHECK(inserted[0] + inserted[1] == kRows);
    CHECK(refused[0] + refused[1] == kRows);
  }
}

TEST_CASE("store_pg: group commit rolls back only the failing writer's savepoint", "[store_pg]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  Database& db = *store.db;
  create_scratch(db);
  {
    auto s = db.session();
    s << "INSERT INTO scratch (id, n) VALUES ('taken', 0)", now;
  }
  constexpr int kWriters = 24;
  std::vector<std::string> outcome(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      try {
        db.write_together([&](Poco::Data::Session& s) {
          std::string own = "w-" + std::to_string(i);
          s << "INSERT INTO scratch (id, n) VALUES (?, ?)", use(own), bind(Poco::Int64{i}), now;
          // Every third writer then hits the primary key: its own row must go too,
          // and on PostgreSQL the batch's transaction must survive the error.
          if (i % 3 == 0) s << "INSERT INTO scratch (id, n) VALUES ('taken', 1)", now;
          // Every fifth gives up by itself.
          if (i % 5 == 1) throw std::runtime_error("changed my mind");
        });
        outcome[i] = "ok";
      } catch (const std::runtime_error& e) {
        outcome[i] = std::string(e.what()) == "changed my mind" ? "gave up" : "failed";
      } catch (const Poco::Exception&) {
        outcome[i] = "failed";
      }
    });
  }
  for (auto& t : writers) t.join();
  auto s = db.session();
  for (int i = 0; i < kWriters; ++i) {
    INFO("writer " << i);
    std::string own = "w-" + std::to_string(i);
    int present = -1;
    s << "SELECT COUNT(*) FROM scratch WHERE id = ?", into(present), use(own), now;
    if (i % 3 == 0) {
      CHECK(outcome[i] == "failed");
      CHECK(present == 0);
    } else if (i % 5 == 1) {
      CHECK(outcome[i] == "gave up");
      CHECK(present == 0);
    } else {
      CHECK(outcome[i] == "ok");
      CHECK(present == 1);
    }
  }
  Poco::Int64 taken_n = -1;
  s << "SELECT n FROM scratch WHERE id = 'taken'", into(taken_n), now;
  CHECK(taken_n == 0);
}

TEST_CASE("store_pg: group commit alone - a lone writer that fails leaves nothing and the next one commits",
          "[store_pg]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  Database& db = *store.db;
  create_scratch(db);
  // One writer at a time: every batch holds one work, which runs without a
  // savepoint (group_commit.cpp); its failure must roll back its first insert.
  CHECK_THROWS_AS(db.write_together([](Poco::Data::Session& s) {
    s << "INSERT INTO scratch (id, n) VALUES ('first', 1)", now;
    s << "INSERT INTO scratch (id, n) VALUES ('first', 2)", now;  // the primary key refuses it
  }),
                  Poco::Exception);
  CHECK(count_rows(db, "scratch") == 0);
  CHECK_THROWS_WITH(db.write_together([](Poco::Data::Session& s) {
    s << "INSERT INTO scratch (id, n) VALUES ('second', 1)", now;
    throw std::runtime_error("changed my mind");
  }),
                    "changed my mind");
  CHECK(count_rows(db, "scratch") == 0);
  db.write_together([](Poco::Data::Session& s) { s << "INSERT INTO scratch (id, n) VALUES ('third', 3)", now; });
  CHECK(count_rows(db, "scratch") == 1);
}
