// The store: migrations, secrets, applications and tokens.
#include <Poco/Data/Session.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>
#include <test_support.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/database.h>
#include <zhaoyin/store/extension_bindings.h>
#include <zhaoyin/store/migrations.h>
#include <zhaoyin/store/secrets.h>
#include <zhaoyin/store/token_repository.h>

using namespace zhaoyin;
using namespace zhaoyin::store;
using namespace Poco::Data::Keywords;
using zhaoyin::test::TempDir;

namespace {

DatabaseSettings settings_in(const TempDir& dir) {
  DatabaseSettings s;
  s.data_dir = dir.path() / "data";
  return s;
}

Application sample_app(const std::string& client_id) {
  Application app;
  app.client_id = client_id;
  app.name = "湖北省税务局电子办税";
  app.department = "tax";
  app.scope = "province";
  app.province = "42";
  app.needs = {"login", "signature"};
  app.channels = {"pc", "app"};
  app.matters = {"电子政务/税务/发票申领", "电子政务/税务/纳税申报"};
  app.annual_volume = 100000;
  app.peak_rate = 50;
  return app;
}

}  // namespace

TEST_CASE("store: opening creates the data folder and a WAL SQLite file", "[store]") {
  TempDir dir;
  Database db(settings_in(dir));
  CHECK(std::filesystem::is_directory(dir.path() / "data"));
  CHECK(std::filesystem::status(dir.path() / "data").permissions() == std::filesystem::perms::owner_all);
  CHECK(std::filesystem::exists(db.file()));
  auto s = db.session();
  std::string mode;
  s << "PRAGMA journal_mode", into(mode), now;
  CHECK(mode == "wal");
  int fk = 0;
  s << "PRAGMA foreign_keys", into(fk), now;
  CHECK(fk == 1);
}

TEST_CASE("store: every pooled SQLite connection enforces foreign keys, new or handed out again", "[store]") {
  TempDir dir;
  Database db(settings_in(dir));
  for (int round = 0; round < 2; ++round) {  // round 1 gets the connections of round 0 back from the pool
    std::vector<Poco::Data::Session> held;
    for (int i = 0; i < 3; ++i) {
      held.push_back(db.session());
      int fk = 0;
      held.back() << "PRAGMA foreign_keys", into(fk), now;
      CHECK(fk == 1);
    }
  }
}

TEST_CASE("store: migrations apply once and are a no-op on re-run and reopen", "[store]") {
  TempDir dir;
  const auto total = migrations().size();
  REQUIRE(total >= 2);
  {
    Database db(settings_in(dir));
    CHECK(db.schema_version() == 0);
    CHECK(db.migrate() == total);
    CHECK(db.schema_version() == Database::latest_version());
    CHECK(db.migrate() == 0);
  }
  Database again(settings_in(dir));
  CHECK(again.migrate() == 0);
  CHECK(again.schema_version() == Database::latest_version());
  auto s = again.session();
  int rows = 0;
  s << "SELECT COUNT(*) FROM schema_migrations", into(rows), now;
  CHECK(rows == static_cast<int>(total));
  again.check();
}

TEST_CASE("store: migration versions are ordered without gaps", "[store]") {
  int expected = 1;
  for (const auto& m : migrations()) {
    CHECK(m.version == expected++);
    CHECK_FALSE(m.name.empty());
    CHECK_FALSE(m.statements.empty());
  }
}

TEST_CASE("store: a schema newer than the host is refused", "[store]") {
  TempDir dir;
  Database db(settings_in(dir));
  db.migrate();
  {
    auto s = db.session();
    s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)", now;
  }
  CHECK_THROWS_AS(db.migrate(), StoreError);
}

TEST_CASE("store: refusals when opening", "[store]") {
  TempDir dir;
  SECTION("an unsupported driver") {
    auto s = settings_in(dir);
    s.driver = "oracle";
    CHECK_THROWS_WITH(Database(s), Catch::Contains("not supported"));
  }
  SECTION("a data folder that cannot be created") {
    zhaoyin::test::write_file(dir.path() / "file", "x");
    auto s = settings_in(dir);
    s.data_dir = dir.path() / "file" / "sub";
    CHECK_THROWS_WITH(Database(s), Catch::Contains("cannot create the data folder"));
  }
  SECTION("a closed store") {
    Database db(settings_in(dir));
    db.close();
    CHECK_THROWS_AS(db.session(), StoreError);
  }
}

TEST_CASE("secrets: salted SM3 hashes verify only the right secret", "[store][secrets]") {
  const std::string h1 = hash_secret("correct horse");
  const std::string h2 = hash_secret("correct horse");
  CHECK(h1.rfind("sm3$", 0) == 0);
  CHECK(h1 != h2);  // fresh salt each time
  CHECK(h1.find("correct horse") == std::string::npos);
  CHECK(verify_secret("correct horse", h1));
  CHECK(verify_secret("correct horse", h2));
  CHECK_FALSE(verify_secret("correct hors", h1));
  CHECK_FALSE(verify_secret("", h1));
  CHECK_FALSE(verify_secret("correct horse", "sm3$zz$00"));
  CHECK_FALSE(verify_secret("correct horse", "md5$00$00"));
  CHECK_FALSE(verify_secret("correct horse", ""));
  CHECK(token_hash("abc").size() == 64);
  CHECK(token_hash("abc") == token_hash("abc"));
  CHECK(token_hash("abc") != token_hash("abd"));
}

TEST_CASE("applications: create, find, list, secrets and status", "[store][applications]") {
  TempDir dir;
  Database db(settings_in(dir));
  db.migrate();
  ApplicationRepository repo(db);

  repo.create(sample_app("tax-hubei"), "s3cret-1");
  repo.create(sample_app("bank-demo"), "s3cret-2");
  CHECK_THROWS_WITH(repo.create(sample_app("tax-hubei"), "other"), Catch::Contains("already exists"));

  const auto found = repo.find("tax-hubei");
  REQUIRE(found);
  CHECK(found->name == "湖北省税务局电子办税");
  CHECK(found->needs == std::vector<std::string>{"login", "signature"});
  CHECK(found->channels == std::vector<std::string>{"pc", "app"});
  CHECK(found->matters.size() == 2);
  CHECK(found->annual_volume == 100000);
  CHECK(found->peak_rate == 50);
  CHECK(found->status == ApplicationStatus::Active);
  CHECK(found->created_at.time_since_epoch().count() > 0);
  CHECK_FALSE(repo.find("nobody"));

  const auto all = repo.list();
  REQUIRE(all.size() == 2);
  CHECK(all[0].client_id == "bank-demo");

  // The secret is never stored in clear.
  {
    auto s = db.session();
    std::string stored;
    s << "SELECT secret_hash FROM applications WHERE client_id = 'tax-hubei'", into(stored), now;
    CHECK(stored.find("s3cret-1") == std::string::npos);
  }
  CHECK(repo.verify_secret("tax-hubei", "s3cret-1"));
  CHECK_FALSE(repo.verify_secret("tax-hubei", "s3cret-2"));  // another app's secret
  CHECK_FALSE(repo.verify_secret("nobody", "s3cret-1"));

  CHECK(repo.set_status("tax-hubei", ApplicationStatus::Suspended));
  CHECK(repo.find("tax-hubei")->status == ApplicationStatus::Suspended);
  CHECK_FALSE(repo.set_status("nobody", ApplicationStatus::Revoked));

  CHECK(repo.set_secret("tax-hubei", "rotated"));
  CHECK_FALSE(repo.verify_secret("tax-hubei", "s3cret-1"));
  CHECK(repo.verify_secret("tax-hubei", "rotated"));
}

TEST_CASE("applications: upsert inserts, then updates but keeps status", "[store][applications]") {
  TempDir dir;
  Database db(settings_in(dir));
  db.migrate();
  ApplicationRepository repo(db);
  auto app = sample_app("demo");
  CHECK(repo.upsert(app, "one"));
  repo.set_status("demo", ApplicationStatus::Suspended);
  app.name = "renamed";
  app.peak_rate = 7;
  CHECK_FALSE(repo.upsert(app, "two"));
  const auto found = repo.find("demo");
  REQUIRE(found);
  CHECK(found->name == "renamed");
  CHECK(found->peak_rate == 7);
  CHECK(found->status == ApplicationStatus::Suspended);
  CHECK(repo.verify_secret("demo", "two"));
  CHECK_FALSE(repo.verify_secret("demo", "one"));
  CHECK(repo.list().size() == 1);
}

// Transactions that read before they write used to fail at once with
// "database is locked" when another connection committed in between (SQLite's
// deferred BEGIN; the busy timeout does not apply to a stale snapshot). Every
// writer now takes the write lock first and waits its turn: many threads that
// read-then-write the same rows all succeed, however they interleave.
TEST_CASE("store: concurrent read-then-write transactions wait for one another, none fails", "[store][races]") {
  TempDir dir;
  Database db(settings_in(dir));
  db.migrate();
  ApplicationRepository apps(db);
  ExtensionBindingRepository bindings(db);
  apps.create(sample_app("shared"), "secret");
  constexpr int kThreads = 6;
  constexpr int kRounds = 40;
  std::atomic<int> failures{0};
  std::atomic<int> done{0};
  std::string first_failure;
  std::mutex failure_mutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        try {
          auto app = sample_app("shared");
          app.peak_rate = t * 1000 + r;
          apps.upsert(app, "secret");  // reads (exists?) then writes
          apps.upsert(sample_app("app-" + std::to_string(t) + "-" + std::to_string(r)), "secret");
          bindings.set("shared", ExtensionKind::Plugin, {"tax", "plugin-" + std::to_string(t)});  // reads then writes
          ++done;
        } catch (const std::exception& e) {
          if (failures++ == 0) {
            std::lock_guard lock(failure_mutex);
            first_failure = e.what();
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  INFO(first_failure);
  CHECK(failures == 0);
  CHECK(done == kThreads * kRounds);
  CHECK(apps.list().size() == 1 + kThreads * kRounds);
  CHECK(bindings.names("shared", ExtensionKind::Plugin).size() == 2);
}

TEST_CASE("applications: invalid input is refused and changes nothing", "[store][applications]") {
  TempDir dir;
  Database db(settings_in(dir));
  db.migrate();
  ApplicationRepository repo(db);
  CHECK_THROWS_AS(repo.create(sample_app(""), "x"), StoreError);
  CHECK_THROWS_AS(repo.create(sample_app("has space"), "x"), StoreError);
  CHECK_THROWS_AS(repo.create(sample_app("ok"), ""), StoreError);
  auto nameless = sample_app("nameless");
  nameless.name.clear();
  CHECK_THROWS_AS(repo.create(nameless, "x"), StoreError);
  CHECK(repo.list().empty());
}

TEST_CASE("tokens: stored as a hash, found while valid, refused once expired", "[store][tokens]") {
  TempDir dir;
  Database db(settings_in(dir));
  db.migrate();
  ApplicationRepository apps(db);
  apps.create(sample_app("a"), "sa");
  apps.create(sample_app("b"), "sb");
  TokenRepository tokens(db);

  const auto t0 = std::chrono::system_clock::now();
  const auto ta = tokens.issue("a", "login", std::chrono::seconds(3600), t0);
  const auto tb = tokens.issue("b", "signature", std::chrono::seconds(60), t0);
  CHECK(ta.token.size() == 43);  // 32 bytes, base64url without padding
  CHECK(ta.token != tb.token);

  {
    auto s = db.session();
    int clear = -1;
    std::string token = ta.token;
    s << "SELECT COUNT(*) FROM access_tokens WHERE token_hash = ?", into(clear), use(token), now;
    CHECK(clear == 0);  // only the hash is stored
  }

  const auto found_a = tokens.find_valid(ta.token, t0);
  REQUIRE(found_a);
  CHECK(found_a->client_id == "a");
  CHECK(found_a->scope == "login");
  const auto found_b = tokens.find_valid(tb.token, t0);
  REQUIRE(found_b);
  CHECK(found_b->client_id == "b");  // tokens are not mixed up

  // Expiry: valid up to, not at, expires_at.
  CHECK(tokens.find_valid(tb.token, t0 + std::chrono::seconds(59)));
  CHECK_FALSE(tokens.find_valid(tb.token, t0 + std::chrono::seconds(60)));
  CHECK_FALSE(tokens.find_valid(tb.token, t0 + std::chrono::hours(1)));
  CHECK(tokens.find_valid(ta.token, t0 + std::chrono::seconds(3599)));

  CHECK_FALSE(tokens.find_valid("not-a-token", t0));
  CHECK_FALSE(tokens.find_valid("", t0));

  CHECK(tokens.purge_expired(t0 + std::chrono::seconds(120)) == 1);
  CHECK(tokens.revoke(ta.token));
  CHECK_FALSE(tokens.revoke(ta.token));
  CHECK_FALSE(tokens.find_valid(ta.token, t0));
}

TEST_CASE("tokens: only for existing applications, revoke_all, cascade on delete", "[store][tokens]") {
  TempDir dir;
  Database db(settings_in(dir));
  db.migrate();
  ApplicationRepository apps(db);
  apps.create(sample_app("a"), "sa");
  TokenRepository tokens(db);
  CHECK_THROWS_AS(tokens.issue("ghost", "login", std::chrono::seconds(60)), StoreError);  // foreign key
  const auto t1 = tokens.issue("a", "login", std::chrono::seconds(60));
  const auto t2 = tokens.issue("a", "login", std::chrono::seconds(60));
  CHECK(tokens.revoke_all("a") == 2);
  CHECK_FALSE(tokens.find_valid(t1.token));
  const auto t3 = tokens.issue("a", "login", std::chrono::seconds(60));
  {
    auto s = db.session();
    s << "DELETE FROM applications WHERE client_id = 'a'", now;
  }
  CHECK_FALSE(tokens.find_valid(t3.token));
  (void)t2;
}

TEST_CASE("store: writes made together commit together, and one failing write undoes only itself", "[store]") {
  TempDir dir;
  Database db(settings_in(dir));
  db.session() << "CREATE TABLE once (k TEXT PRIMARY KEY, v TEXT NOT NULL)", now;

  // Many writers at once, every key twice: exactly one of each pair succeeds
  // (whatever batch it lands in), the other gets the constraint error.
  constexpr int kKeys = 40;
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 2 * kKeys; ++i) {
    writers.emplace_back([&, i] {
      std::string k = "key-" + std::to_string(i % kKeys), v = "writer-" + std::to_string(i);
      try {
        db.write_together([&](Poco::Data::Session& s) {
          s << "INSERT INTO once (k, v) VALUES (?, ?)", use(k), use(v), now;
          std::string v2 = v + "-second-row";
          std::string k2 = k + "-shadow-" + std::to_string(i);
          s << "INSERT INTO once (k, v) VALUES (?, ?)", use(k2), use(v2), now;
        });
        ++ok;
      } catch (const Poco::Exception&) {
        ++refused;
      }
    });
  }
  for (auto& t : writers) t.join();
  CHECK(ok == kKeys);
  CHECK(refused == kKeys);
  int rows = 0, shadows = 0;
  auto s = db.session();
  s << "SELECT COUNT(*) FROM once WHERE k NOT LIKE '%-shadow-%'", into(rows), now;
  s << "SELECT COUNT(*) FROM once WHERE k LIKE '%-shadow-%'", into(shadows), now;
  CHECK(rows == kKeys);
  CHECK(shadows == kKeys);  // a refused write's second row was rolled back with it
}

TEST_CASE("store: an exception from the work reaches its caller and changes nothing", "[store]") {
  TempDir dir;
  Database db(settings_in(dir));
  db.session() << "CREATE TABLE t (k TEXT PRIMARY KEY)", now;
  CHECK_THROWS_WITH(db.write_together([](Poco::Data::Session& s) {
                      s << "INSERT INTO t (k) VALUES ('a')", now;
                      throw std::runtime_error("changed my mind");
                    }),
                    "changed my mind");
  int n = -1;
  db.session() << "SELECT COUNT(*) FROM t", into(n), now;
  CHECK(n == 0);
  db.close();
  CHECK_THROWS_AS(db.write_together([](Poco::Data::Session&) {}), StoreError);
}

TEST_CASE("extension bindings: a change is read at once on this host, and by another host once the cache ages",
          "[store][extensions]") {
  TempDir dir;
  Database db(settings_in(dir));
  db.migrate();
  ApplicationRepository(db).create(sample_app("bound"), "secret");
  ExtensionBindingRepository here(db);
  CHECK(here.names("bound", ExtensionKind::Plugin).empty());  // now cached, empty
  here.set("bound", ExtensionKind::Plugin, {"tax"});
  CHECK(here.names("bound", ExtensionKind::Plugin) == std::vector<std::string>{"tax"});
  CHECK(here.names("bound", ExtensionKind::Script).empty());
  here.set("bound", ExtensionKind::Script, {"a.lua", "b.lua"});
  CHECK(here.names("bound", ExtensionKind::Script) == std::vector<std::string>{"a.lua", "b.lua"});
  CHECK(here.names("bound", ExtensionKind::Plugin) == std::vector<std::string>{"tax"});

  // Another host on the same store: its cached copy is served for at most 1 s (docs/SECURITY.md).
  Database other_host(settings_in(dir));
  ExtensionBindingRepository there(other_host);
  CHECK(there.names("bound", ExtensionKind::Plugin) == std::vector<std::string>{"tax"});
  here.set("bound", ExtensionKind::Plugin, {});
  CHECK(here.names("bound", ExtensionKind::Plugin).empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(there.names("bound", ExtensionKind::Plugin).empty());
}

TEST_CASE("credentials: a revocation, rotation or suspension is seen at once on this host, and by another host "
          "once its copy ages",
          "[store][tokens]") {
  TempDir dir;
  auto settings = settings_in(dir);
  settings.credential_cache_ms = 300;
  Database here(settings);
  here.migrate();
  Database there(settings);  // another host on the same store
  ApplicationRepository apps_here(here), apps_there(there);
  TokenRepository tokens_here(here), tokens_there(there);
  apps_here.create(sample_app("rp"), "secret");
  const auto issued = tokens_here.issue("rp", "presentation", std::chrono::seconds(600));
  REQUIRE(tokens_here.find_valid(issued.token));
  REQUIRE(tokens_there.find_valid(issued.token));  // both hosts now hold a copy
  REQUIRE(apps_there.find("rp")->status == ApplicationStatus::Active);

  // This host: at once.
  REQUIRE(apps_here.set_status("rp", ApplicationStatus::Suspended));
  CHECK(apps_here.find("rp")->status == ApplicationStatus::Suspended);
  REQUIRE(tokens_here.revoke(issued.token));
  CHECK_FALSE(tokens_here.find_valid(issued.token));
  // The other host serves its copy until it is 300 ms old, then reads the store.
  std::this_thread::sleep_for(std::chrono::milliseconds(350));
  CHECK_FALSE(tokens_there.find_valid(issued.token));
  CHECK(apps_there.find("rp")->status == ApplicationStatus::Suspended);

  // A rotation deletes the client's tokens: refused at once here.
  REQUIRE(apps_here.set_status("rp", ApplicationStatus::Active));
  const auto second = tokens_here.issue("rp", "presentation", std::chrono::seconds(600));
  REQUIRE(tokens_here.find_valid(second.token));
  REQUIRE(apps_here.set_secret("rp", "rotated"));
  CHECK_FALSE(tokens_here.find_valid(second.token));

  // Expiry is checked on every use, cached or not.
  const auto now = std::chrono::system_clock::now();
  const auto short_lived = tokens_here.issue("rp", "presentation", std::chrono::seconds(60), now);
  REQUIRE(tokens_here.find_valid(short_lived.token, now));
  CHECK_FALSE(tokens_here.find_valid(short_lived.token, now + std::chrono::seconds(61)));

  // Misses are never kept: a token issued by the other host works here at once.
  const auto from_there = tokens_there.issue("rp", "presentation", std::chrono::seconds(600));
  CHECK_FALSE(tokens_here.find_valid(from_there.token + "x"));
  CHECK(tokens_here.find_valid(from_there.token));
}

TEST_CASE("credentials: with store.credential_cache_ms = 0 another host's revocation applies to the next read",
          "[store][tokens]") {
  TempDir dir;
  auto settings = settings_in(dir);
  settings.credential_cache_ms = 0;
  Database here(settings);
  here.migrate();
  Database there(settings);
  ApplicationRepository(here).create(sample_app("rp"), "secret");
  TokenRepository tokens_here(here), tokens_there(there);
  const auto issued = tokens_here.issue("rp", "presentation", std::chrono::seconds(600));
  REQUIRE(tokens_there.find_valid(issued.token));
  REQUIRE(ApplicationRepository(there).find("rp")->status == ApplicationStatus::Active);
  REQUIRE(ApplicationRepository(here).set_status("rp", ApplicationStatus::Suspended));
  REQUIRE(tokens_here.revoke(issued.token));
  CHECK_FALSE(tokens_there.find_valid(issued.token));
  CHECK(ApplicationRepository(there).find("rp")->status == ApplicationStatus::Suspended);
}
