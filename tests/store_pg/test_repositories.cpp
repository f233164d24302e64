// Every repository's main operations on both drivers, through their own
// interfaces (some are private to their feature: included from its src/).
#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>
#include <thread>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/oidc/oidc_repository.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/extension_bindings.h>
#include <zhaoyin/store/token_repository.h>
#include "archive_repository.h"
#include "config_repository.h"
#include "login_repository.h"
#include "sign_repository.h"
#include "store_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

namespace {

store::Application sample_app(const std::string& client_id) {
  store::Application app;
  app.client_id = client_id;
  app.name = "湖北省税务局电子办税";
  app.department = "tax";
  app.scope = "province";
  app.province = "42";
  app.needs = {"login", "presentation", "signature"};
  app.channels = {"pc", "app"};
  app.matters = {"电子政务/税务/发票申领"};
  app.annual_volume = 5'000'000'000LL;  // beyond 32 bits on purpose
  app.peak_rate = 50;
  app.redirect_uris = {"https://rp.example/cb"};
  return app;
}

// A host context around the store under test (the login and signing
// repositories take one for the public URL).
std::shared_ptr<http::HostContext> context_for(StoreUnderTest& store) {
  auto ctx = std::make_shared<http::HostContext>();
  ctx->settings.public_url = "https://zhaoyin.example";
  ctx->db = std::shared_ptr<store::Database>(store.db.get(), [](store::Database*) {});
  return ctx;
}

Clock::time_point whole_seconds(Clock::time_point t) { return std::chrono::time_point_cast<std::chrono::seconds>(t); }

// The callback deliveries held for `subject` (callback_outbox.h): url, body, flow per row.
std::vector<std::vector<std::string>> held_rows(StoreUnderTest& store, const std::string& subject) {
  using namespace Poco::Data::Keywords;
  auto s = store.db->session();
  std::string id = subject;
  std::vector<std::string> urls, bodies, flows;
  s << "SELECT url, body, flow FROM callback_deliveries WHERE subject_id = ? ORDER BY created_at", into(urls),
      into(bodies), into(flows), use(id), now;
  std::vector<std::vector<std::string>> out;
  for (std::size_t i = 0; i < urls.size(); ++i) out.push_back({urls[i], bodies[i], flows[i]});
  return out;
}

}  // namespace

TEST_CASE("store_pg repositories: applications, secrets, status, 64-bit volumes", "[store_pg][repositories]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  store::ApplicationRepository apps(*store.db);
  apps.create(sample_app("tax-hubei"), "s3cret-1");
  apps.create(sample_app("bank-demo"), "s3cret-2");
  CHECK_THROWS_WITH(apps.create(sample_app("tax-hubei"), "x"), Catch::Contains("already exists"));
  auto found = apps.find("tax-hubei");
  REQUIRE(found);
  CHECK(found->name == "湖北省税务局电子办税");
  CHECK(found->annual_volume == 5'000'000'000LL);
  CHECK(found->matters == std::vector<std::string>{"电子政务/税务/发票申领"});
  CHECK(found->redirect_uris == std::vector<std::string>{"https://rp.example/cb"});
  CHECK(apps.list().size() == 2);
  CHECK(apps.list().front().client_id == "bank-demo");
  CHECK(apps.verify_secret("tax-hubei", "s3cret-1"));
  CHECK_FALSE(apps.verify_secret("tax-hubei", "s3cret-2"));
  CHECK(apps.set_status("tax-hubei", store::ApplicationStatus::Suspended));
  CHECK(apps.find("tax-hubei")->status == store::ApplicationStatus::Suspended);
  CHECK_FALSE(apps.set_status("nobody", store::ApplicationStatus::Revoked));
  CHECK(apps.set_secret("tax-hubei", "new-secret"));
  CHECK(apps.verify_secret("tax-hubei", "new-secret"));
  CHECK(apps.upsert(sample_app("tax-hubei"), "new-secret") == false);
  CHECK(apps.upsert(sample_app("fresh-one"), "s") == true);
  CHECK(apps.callback_key("tax-hubei"));
}

TEST_CASE("store_pg repositories: access tokens and extension bindings", "[store_pg][repositories]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  store::ApplicationRepository(*store.db).create(sample_app("tax-hubei"), "s");
  store::TokenRepository tokens(*store.db);
  const auto t0 = Clock::now();
  auto a = tokens.issue("tax-hubei", "presentation login", 600s, t0);
  auto b = tokens.issue("tax-hubei", "login", 10s, t0);
  REQUIRE(tokens.find_valid(a.token, t0 + 1s));
  CHECK(tokens.find_valid(a.token, t0 + 1s)->scope == "presentation login");
  CHECK_FALSE(tokens.find_valid(b.token, t0 + 20s));
  CHECK(tokens.purge_expired(t0 + 20s) == 1);
  CHECK(tokens.revoke(a.token));
  CHECK_FALSE(tokens.revoke(a.token));
  CHECK_FALSE(tokens.find_valid(a.token, t0 + 1s));
  tokens.issue("tax-hubei", "login", 600s, t0);
  CHECK(tokens.revoke_all("tax-hubei") == 1);
  // Rotating the secret, and revoking the client, delete its tokens in the
  // same transaction (suspension does not).
  store::ApplicationRepository apps(*store.db);
  auto before_rotation = tokens.issue("tax-hubei", "login", 600s);
  CHECK(apps.set_secret("tax-hubei", "rotated"));
  CHECK_FALSE(tokens.find_valid(before_rotation.token));
  auto kept = tokens.issue("tax-hubei", "login", 600s);
  CHECK(apps.set_status("tax-hubei", store::ApplicationStatus::Suspended));
  CHECK(tokens.find_valid(kept.token));
  CHECK(apps.set_status("tax-hubei", store::ApplicationStatus::Revoked));
  CHECK_FALSE(tokens.find_valid(kept.token));
  CHECK(apps.set_status("tax-hubei", store::ApplicationStatus::Active));

  store::ExtensionBindingRepository bindings(*store.db);
  bindings.set("tax-hubei", store::ExtensionKind::Plugin, {"tax", "audit"});
  bindings.set("tax-hubei", store::ExtensionKind::Script, {"tax/etax_hall.lua"});
  CHECK(bindings.names("tax-hubei", store::ExtensionKind::Plugin) == std::vector<std::string>{"tax", "audit"});
  bindings.set("tax-hubei", store::ExtensionKind::Plugin, {"audit"});
  CHECK(bindings.names("tax-hubei", store::ExtensionKind::Plugin) == std::vector<std::string>{"audit"});
  CHECK(bindings.list(store::ExtensionKind::Script).size() == 1);
}

TEST_CASE("store_pg repositories: login sessions, events and single-use transitions", "[store_pg][repositories]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  store::ApplicationRepository(*store.db).create(sample_app("tax-hubei"), "s");
  auto ctx = context_for(store);
  login::LoginRepository logins(*ctx);
  const auto t0 = whole_seconds(Clock::now());
  login::LoginSession session;
  session.id = "ls_1";
  session.client_id = "tax-hubei";
  session.status = "pending";
  session.ticket = "tk_1";
  session.nonce = "n1";
  session.request.matter = "电子政务/税务/发票申领";
  session.request.callback_url = "https://rp.example/hook";
  session.created_at = t0;
  session.expires_at = t0 + 120s;
  logins.insert(session);

  auto found = logins.find_by_ticket("tk_1");
  REQUIRE(found);
  CHECK(found->id == "ls_1");
  CHECK(found->request.matter == session.request.matter);
  CHECK(found->expires_at == t0 + 120s);
  CHECK(found->events.size() == 1);

  CHECK(logins.transition("ls_1", {"pending"}, "scanned", t0 + 1s, login::Deadline::BeforeExpiry));
  // The same transition again finds no pending row: refused.
  CHECK_FALSE(logins.transition("ls_1", {"pending"}, "scanned", t0 + 2s, login::Deadline::BeforeExpiry));
  CHECK(logins.transition("ls_1", {"scanned"}, "confirmed", t0 + 3s, login::Deadline::BeforeExpiry,
                          std::string(R"({"uscc":"91420100MA4K0000X1"})")));
  found = logins.find("ls_1");
  REQUIRE(found);
  CHECK(found->status == "confirmed");
  CHECK(found->events.size() == 3);
  // Each applied transition held its callback in its own transaction, the refused one none.
  REQUIRE(logins.held_callback());
  const auto held = held_rows(store, "ls_1");
  REQUIRE(held.size() == 2);
  CHECK(held[1] == std::vector<std::string>{"https://rp.example/hook", "", "login"});
  CHECK(found->subject["uscc"] == "91420100MA4K0000X1");

  // Two connections race to confirm a fresh session: exactly one wins.
  session.id = "ls_2";
  session.ticket = "tk_2";
  logins.insert(session);
  std::atomic<int> wins{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 4; ++i)
    racers.emplace_back([&] {
      if (logins.transition("ls_2", {"pending"}, "confirmed", t0 + 1s, login::Deadline::BeforeExpiry)) ++wins;
    });
  for (auto& t : racers) t.join();
  CHECK(wins == 1);
  CHECK(held_rows(store, "ls_2").size() == 1);  // the losers' rolled back with their change

  session.id = "ls_3";
  session.ticket = "tk_3";
  logins.insert(session);
  CHECK(logins.overdue_with_callback(t0 + 1000s, 10) == std::vector<std::string>{"ls_3"});
}

TEST_CASE("store_pg repositories: presentation archives, nonce replay refused", "[store_pg][repositories]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  store::ApplicationRepository(*store.db).create(sample_app("tax-hubei"), "s");
  presentation::ArchiveRepository archives(*store.db);
  presentation::Archive a;
  a.id = presentation::random_id("arc_");
  a.client_id = "tax-hubei";
  a.license_serial = "LIC-0001";
  a.uscc = "91420100MA4K0000X1";
  a.code = "ZY1.code";
  a.subject = {{"name", "武汉照印科技有限公司"}};
  a.chain = nlohmann::json::array({"-----BEGIN CERTIFICATE-----"});
  a.verified_at = 1'800'000'000;
  a.public_token = "pub_1";
  archives.record("00ff", a);

  auto again = a;
  again.id = presentation::random_id("arc_");
  again.public_token = "pub_2";
  CHECK_THROWS_AS(archives.record("00ff", again), presentation::CodeAlreadyUsed);
  CHECK_FALSE(archives.find(again.id));

  auto found = archives.find(a.id);
  REQUIRE(found);
  CHECK(found->subject["name"] == "武汉照印科技有限公司");
  CHECK_FALSE(found->matter);
  CHECK_FALSE(found->display_token);
  CHECK(found->verified_at == 1'800'000'000);
  CHECK(archives.set_display_token(a.id, std::string("disp_1")));
  CHECK(archives.find_by_token("disp_1"));
  CHECK(archives.find_by_token("pub_1"));
  CHECK(archives.set_display_token(a.id, std::nullopt));
  CHECK_FALSE(archives.find_by_token("disp_1"));

  // Concurrent presentations of one code (group commit): exactly one archive.
  std::atomic<int> accepted{0}, replayed{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 6; ++i)
    racers.emplace_back([&, i] {
      auto copy = a;
      copy.id = presentation::random_id("arc_");
      copy.public_token = "race_" + std::to_string(i);
      try {
        archives.record("abcd", copy);
        ++accepted;
      } catch (const presentation::CodeAlreadyUsed&) {
        ++replayed;
      }
    });
  for (auto& t : racers) t.join();
  CHECK(accepted == 1);
  CHECK(replayed == 5);
}

TEST_CASE("store_pg repositories: sign tasks with byte-exact documents, seal usage", "[store_pg][repositories]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  store::ApplicationRepository(*store.db).create(sample_app("tax-hubei"), "s");
  auto ctx = context_for(store);
  signing::SignRepository tasks(*ctx);
  const auto t0 = whole_seconds(Clock::now());
  signing::Bytes original;
  for (int i = 0; i < 200'000; ++i) original.push_back(static_cast<std::uint8_t>((i * 131) ^ (i >> 8)));
  signing::SignTask task;
  task.id = "st_1";
  task.client_id = "tax-hubei";
  task.ticket = "tk_s1";
  task.nonce = "n";
  task.status = "pending";
  task.request.document_kind = "pdf";
  task.request.document_name = "合同.pdf";
  task.request.seal_types = {"company"};
  task.created_at = t0;
  task.expires_at = t0 + 600s;
  tasks.insert(task, original);

  CHECK(tasks.original("st_1") == original);
  CHECK_FALSE(tasks.current_document("st_1"));
  CHECK_FALSE(tasks.prepared_document("st_1"));
  auto found = tasks.find_by_ticket("tk_s1");
  REQUIRE(found);
  CHECK(found->request.document_name == "合同.pdf");

  CHECK(tasks.transition("st_1", {"pending"}, "scanned", t0 + 1s, signing::Deadline::BeforeExpiry));
  CHECK_FALSE(tasks.held_callback());  // this task has no callback URL
  CHECK_FALSE(tasks.transition("st_1", {"pending"}, "scanned", t0 + 1s, signing::Deadline::BeforeExpiry));
  CHECK(held_rows(store, "st_1").empty());
  found = tasks.find("st_1");
  REQUIRE(found);

  signing::Preparation prep;
  prep.id = "prep_1";
  prep.es_id = "ES-1";
  prep.seal_type = "company";
  signing::Bytes prepared(original.rbegin(), original.rend());
  CHECK(tasks.save_preparation("st_1", found->version, prep, prepared, t0 + 2s));
  CHECK_FALSE(tasks.save_preparation("st_1", found->version, prep, prepared, t0 + 2s));  // stale version
  CHECK(tasks.prepared_document("st_1") == prepared);

  found = tasks.find("st_1");
  signing::SealUsage usage;
  usage.es_id = "ES-1";
  usage.seal_type = "company";
  usage.uscc = "91420100MA4K0000X1";
  usage.client_id = "tax-hubei";
  usage.task_id = "st_1";
  usage.document_name = "合同.pdf";
  usage.document_sm3 = "00";
  usage.signed_at = t0 + 3s;
  signing::Bytes signed_doc = original;
  signed_doc.push_back(0);
  CHECK(tasks.record_signature(*found, "signed", signed_doc, usage, t0 + 3s));
  CHECK_FALSE(tasks.record_signature(*found, "signed", signed_doc, usage, t0 + 3s));  // same version again
  CHECK(tasks.current_document("st_1") == signed_doc);
  auto used = tasks.usage("ES-1", "tax-hubei");
  REQUIRE(used.size() == 1);
  CHECK(used[0].task_id == "st_1");
  CHECK(used[0].signed_at == t0 + 3s);

  // With a callback URL, each status change (a signature that completes the task too) holds its callback.
  task.id = "st_2";
  task.ticket = "tk_s2";
  task.request.callback_url = "https://rp.example/sign-hook";
  tasks.insert(task, original);
  CHECK(tasks.transition("st_2", {"pending"}, "scanned", t0 + 1s, signing::Deadline::BeforeExpiry));
  CHECK(tasks.held_callback());
  found = tasks.find("st_2");
  REQUIRE(found);
  usage.task_id = "st_2";
  CHECK(tasks.record_signature(*found, "signed", signed_doc, usage, t0 + 3s));
  CHECK(tasks.held_callback());
  const auto held = held_rows(store, "st_2");
  REQUIRE(held.size() == 2);
  CHECK(held[1] == std::vector<std::string>{"https://rp.example/sign-hook", "", "sign task"});
}

TEST_CASE("store_pg repositories: OIDC authorizations, codes single-use, tokens", "[store_pg][repositories]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  store::ApplicationRepository(*store.db).create(sample_app("tax-hubei"), "s");
  oidc::OidcRepository repo(*store.db);
  const auto t0 = whole_seconds(Clock::now());
  oidc::Authorization auth;
  auth.id = oidc::OidcRepository::random_handle();
  auth.client_id = "tax-hubei";
  auth.redirect_uri = "https://rp.example/cb";
  auth.scope = "openid";
  auth.code_challenge = "challenge";
  auth.login_session_id = "ls_1";
  auth.browser_hash = "bh";
  auth.created_at = t0;
  auth.expires_at = t0 + 600s;
  repo.save_authorization(auth);
  REQUIRE(repo.find_authorization(auth.id));
  CHECK_FALSE(repo.find_authorization(auth.id)->completed());
  CHECK(repo.complete_authorization(auth.id, t0 + 1s));
  CHECK_FALSE(repo.complete_authorization(auth.id, t0 + 2s));

  oidc::CodeGrant grant;
  grant.authorization_id = auth.id;
  grant.client_id = "tax-hubei";
  grant.redirect_uri = auth.redirect_uri;
  grant.code_challenge = "challenge";
  grant.scope = "openid";
  grant.claims = {{"sub", "91420100MA4K0000X1"}};
  grant.auth_time = t0;
  grant.issued_at = t0;
  grant.expires_at = t0 + 60s;
  const std::string code = repo.issue_code(grant);
  REQUIRE(repo.find_code(code));
  CHECK(repo.find_code(code)->claims["sub"] == "91420100MA4K0000X1");

  // Two token requests with one code: exactly one consumes it.
  std::atomic<int> consumed{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 4; ++i)
    racers.emplace_back([&] {
      if (repo.consume_code(code, t0 + 1s)) ++consumed;
    });
  for (auto& t : racers) t.join();
  CHECK(consumed == 1);
  CHECK(repo.find_code(code)->used);

  oidc::TokenGrant token_grant;
  token_grant.client_id = "tax-hubei";
  token_grant.scope = "openid";
  token_grant.claims = grant.claims;
  token_grant.issued_at = t0;
  token_grant.expires_at = t0 + 600s;
  const std::string token = repo.issue_access_token(code, token_grant);
  REQUIRE(repo.find_access_token(token, t0 + 1s));
  CHECK(repo.revoke_tokens_of_code(code) == 1);
  CHECK_FALSE(repo.find_access_token(token, t0 + 1s));
  CHECK(repo.purge_expired(t0 + 100000s) >= 1);
}

TEST_CASE("store_pg repositories: plugin configuration", "[store_pg][repositories]") {
  FOR_EACH_DRIVER(driver);
  StoreUnderTest store(driver);
  plugins::PluginConfigRepository config(*store.db);
  CHECK(config.get("tax") == nlohmann::json::object());
  config.put("tax", {{"endpoint", "https://tax.example"}, {"retries", 3}});
  config.put("tax", {{"endpoint", "https://tax2.example"}});
  CHECK(config.get("tax")["endpoint"] == "https://tax2.example");
}
