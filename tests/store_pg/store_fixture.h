#pragma once
// The store under test, for either driver. Every test runs once per driver
// (Catch2 GENERATE over "sqlite" and "postgresql"): SQLite in a TempDir, and a
// fresh database on one private PostgreSQL server shared by the test process
// (started on first use, stopped when the process exits).
#include <atomic>
#include <memory>
#include <string>
#include <postgres_server.h>
#include <test_support.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::test {

inline PostgresServer& shared_postgres() {
  static PostgresServer server;
  return server;
}

// A database name no other test in this process uses.
inline std::string fresh_database_name() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
}

// Settings for one empty store of the given driver. `dir` holds the SQLite file.
inline store::DatabaseSettings empty_store(const std::string& driver, const TempDir& dir) {
  store::DatabaseSettings s;
  s.driver = driver;
  s.data_dir = dir.path() / "data";
  if (driver == "postgresql") s.postgresql = shared_postgres().create_database(fresh_database_name());
  return s;
}

// A migrated store, ready for the repositories.
struct StoreUnderTest {
  explicit StoreUnderTest(const std::string& driver)
      : settings(empty_store(driver, dir)), db(std::make_unique<store::Database>(settings)) {
    db->migrate();
  }
  TempDir dir;
  store::DatabaseSettings settings;
  std::unique_ptr<store::Database> db;
};

}  // namespace zhaoyin::test

// Runs the enclosing test once per driver and names the driver in failures.
#define FOR_EACH_DRIVER(var)                                                 \
  const std::string var = GENERATE(as<std::string>{}, "sqlite", "postgresql"); \
  INFO("driver: " << var)
