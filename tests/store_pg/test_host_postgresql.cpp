// A real zhaoyin-host on PostgreSQL (store.driver=postgresql): presentations
// end to end against the sandbox, stored in PostgreSQL; two hosts sharing one
// database; and an outage: while the server is down every request that needs
// the store gets 503 store_unavailable (never a 500), and once it is back the
// pool reconnects by itself and requests succeed again.
#include <catch2/catch.hpp>
#include <postgres_server.h>
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

std::vector<std::string> on_postgresql(const PostgresServer& pg, const std::string& database) {
  return {"--set", "store.driver=postgresql", "--set", "store.postgresql=" + pg.connection_string(database)};
}

void expect(const HttpResult& r, int status, const std::string& code = "") {
  INFO(r.body);
  CHECK(r.status == status);
  if (!code.empty()) CHECK(error_code(r) == code);
}

}  // namespace

TEST_CASE("store_pg host: presentations end to end on PostgreSQL, shared by two hosts", "[store_pg][host]") {
  PostgresServer pg;
  TempDir dir_a("zhaoyin-pg-host-a"), dir_b("zhaoyin-pg-host-b");
  PresentationHost a(dir_a.path(), shared_sandbox(), on_postgresql(pg, PostgresServer::kDatabase));
  CHECK_THAT(a.log(), Catch::Contains("\"driver\":\"postgresql\""));
  CHECK_THAT(a.log(), Catch::Contains("postgresql://127.0.0.1:" + std::to_string(pg.port()) + "/zhaoyin"));
  CHECK(a.log().find(PostgresServer::kPassword) == std::string::npos);
  // The second host finds the schema in place and applies nothing.
  PresentationHost b(dir_b.path(), shared_sandbox(), on_postgresql(pg, PostgresServer::kDatabase));
  CHECK_THAT(b.log(), Catch::Contains("\"migrations_applied\":0"));

  const auto w = sandbox_wallet(shared_sandbox(), "91420100YULA38GUXF-1");
  const std::string code = fresh_code(w);
  const auto accepted = a.present("banking", code);
  INFO(accepted.body);
  REQUIRE(accepted.status == 201);
  const std::string archive_id = accepted.json()["archive_id"];

  // The same code at the other host: the nonce row in the shared store refuses it.
  expect(b.present("banking", code), 409, "code_already_used");
  // The archive written by one host is read by the other.
  const auto archive = b.api("GET", "/api/v1/archives/" + archive_id, "banking");
  expect(archive, 200);
  CHECK(archive.json()["face_info"] == accepted.json()["face_info"]);

  // And it really is in PostgreSQL.
  CHECK_THAT(pg.psql("SELECT id FROM presentation_archives", PostgresServer::kDatabase), Catch::Contains(archive_id));
  CHECK_THAT(pg.psql("SELECT COUNT(*) FROM presentation_nonces", PostgresServer::kDatabase), Catch::Contains("1"));
}

TEST_CASE("store_pg host: PostgreSQL down -> 503 store_unavailable — back -> 200 without a host restart",
          "[store_pg][host]") {
  PostgresServer pg;
  TempDir dir("zhaoyin-pg-outage");
  PresentationHost host(dir.path(), shared_sandbox(), on_postgresql(pg, PostgresServer::kDatabase));
  const auto w = sandbox_wallet(shared_sandbox(), "91420100YULA38GUXF-1");
  REQUIRE(host.present("banking", fresh_code(w)).status == 201);  // also caches the bearer token here
  const auto first = host.present("banking", fresh_code(w));
  REQUIRE(first.status == 201);
  const std::string archive_id = first.json()["archive_id"];

  pg.stop();
  // Every pooled connection is now dead; new ones are refused.
  for (int i = 0; i < 3; ++i) {
    expect(host.present("banking", fresh_code(w)), 503, "store_unavailable");
    expect(host.api("GET", "/api/v1/archives/" + archive_id, "banking"), 503, "store_unavailable");
  }
  const auto health = host.get("/healthz");
  CHECK(health.status == 503);
  CHECK(health.json()["store"] == "unavailable");
  CHECK(host.log().find("\"status\":500") == std::string::npos);

  pg.start();
  // No host restart: the pool drops the dead connections and opens new ones.
  const auto after = host.present("banking", fresh_code(w));
  expect(after, 201);
  expect(host.api("GET", "/api/v1/archives/" + archive_id, "banking"), 200);
  CHECK(host.get("/healthz").status == 200);

  SECTION("a crash-like stop (immediate) behaves the same") {
    pg.stop("immediate");
    expect(host.present("banking", fresh_code(w)), 503, "store_unavailable");
    pg.start();
    expect(host.present("banking", fresh_code(w)), 201);
  }
}
