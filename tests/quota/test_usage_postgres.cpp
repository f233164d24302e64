// usage_daily on PostgreSQL: the same upsert (ON CONFLICT ... DO UPDATE with a
// CASE for the peak) adds up the counts of two gates — two hosts — sharing one
// PostgreSQL store, and the annual volume read back from it holds for both.
// Runs a private PostgreSQL cluster (tests/support/postgres_server.h).
#include <catch2/catch.hpp>
#include <postgres_server.h>

#include "usage_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using namespace std::chrono_literals;

TEST_CASE("PostgreSQL: two gates on one store add up their daily counts and share one annual volume") {
  PostgresServer pg;
  TempDir dir("zhaoyin-quota-pg");
  store::DatabaseSettings settings;
  settings.driver = "postgresql";
  settings.postgresql = pg.connection_string();
  settings.data_dir = dir.path() / "data";
  auto db = std::make_shared<store::Database>(settings);
  db->migrate();

  FakeClock clock;
  auto host_a = std::make_unique<quota::UsageGate>(db, quota::make_local_rate_window(), clock.clock(), 0ms);
  auto host_b = std::make_unique<quota::UsageGate>(db, quota::make_local_rate_window(), clock.clock(), 0ms);
  const auto app = limited_app("pg-shared", 0, 6);
  for (int i = 0; i < 3; ++i) CHECK(host_a->admit(app, "presentation").admitted);
  host_a->flush();
  clock.advance(1s);
  for (int i = 0; i < 2; ++i) CHECK(host_b->admit(app, "presentation").admitted);
  host_b->flush();
  REQUIRE(host_a->last_flush_error().empty());
  REQUIRE(host_b->last_flush_error().empty());
  host_a->flush();  // re-reads host B's two

  CHECK(host_a->admit(app, "login").admitted);  // the 6th
  CHECK(host_a->admit(app, "login").code == "annual_volume_exceeded");
  host_a->flush();
  host_b->flush();
  CHECK(host_b->admit(app, "login").code == "annual_volume_exceeded");
  host_b->flush();

  const auto today = host_a->daily("pg-shared", 30);
  REQUIRE(today.size() == 30);
  CHECK(today.back().admitted == 6);
  CHECK(today.back().refused == 2);
  CHECK(today.back().peak_per_second == 3);
  CHECK(host_b->year_total("pg-shared") == 6);
  host_a.reset();
  host_b.reset();
  db->close();
}
