// POST /oauth/token (RFC 6749 §4.4 client credentials) and authenticate_bearer.
#include <catch2/catch.hpp>
#include <thread>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/form.h>
#include <zhaoyin/store/token_repository.h>
#include <zhaoyin/trust/bytes.h>
#include "host_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::http;
using zhaoyin::test::HttpResult;
using zhaoyin::test::TestHost;

namespace {

const char* const kForm = "application/x-www-form-urlencoded";

// GET /test/whoami: who the bearer token says the caller is.
class WhoAmI final : public Handler {
 public:
  explicit WhoAmI(std::shared_ptr<HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(Exchange& ex) override {
    const auto client = authenticate_bearer(ex, *ctx_);
    ex.send_json(200, {{"client_id", client.application.client_id}, {"scope", client.token.scope}});
  }

 private:
  std::shared_ptr<HostContext> ctx_;
};

// GET /test/sign-only: needs the "signature" scope.
class SignOnly final : public Handler {
 public:
  explicit SignOnly(std::shared_ptr<HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(Exchange& ex) override {
    require_scope(authenticate_bearer(ex, *ctx_), "signature");
    ex.send_json(200, {{"ok", true}});
  }

 private:
  std::shared_ptr<HostContext> ctx_;
};

void bearer_routes(Router& r, const std::shared_ptr<HostContext>& ctx) {
  r.add<WhoAmI>("GET", "/test/whoami", ctx);
  r.add<SignOnly>("GET", "/test/sign-only", ctx);
}

std::string basic(const std::string& id, const std::string& secret) {
  return "Basic " + trust::base64_encode(trust::to_bytes(form_encode(id) + ":" + form_encode(secret)));
}

void check_error(const HttpResult& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  const auto j = r.json();
  REQUIRE(j.contains("error"));
  CHECK(j["error"]["code"] == code);
  CHECK(j["error"]["message"].is_string());
}

HttpResult token_with_form(const TestHost& host, const std::string& id, const std::string& secret,
                           const std::string& extra = "") {
  return host.post("/oauth/token",
                   "grant_type=client_credentials&client_id=" + form_encode(id) + "&client_secret=" +
                       form_encode(secret) + extra,
                   kForm);
}

}  // namespace

TEST_CASE("oauth: client credentials with HTTP Basic", "[oauth]") {
  TestHost host(bearer_routes);
  host.add_app("tax-hubei", "s3cret: with spaces & symbols");
  const auto r = host.post("/oauth/token", "grant_type=client_credentials", kForm,
                           {{"Authorization", basic("tax-hubei", "s3cret: with spaces & symbols")}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.header("Cache-Control") == "no-store");
  CHECK(r.header("Pragma") == "no-cache");
  const auto j = r.json();
  CHECK(j["token_type"] == "Bearer");
  CHECK(j["expires_in"] == 3600);
  CHECK(j["scope"] == "login presentation");
  const std::string token = j["access_token"];
  CHECK(token.size() == 43);
  CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);

  const auto who = host.get("/test/whoami", {{"Authorization", "Bearer " + token}});
  REQUIRE(who.status == 200);
  CHECK(who.json()["client_id"] == "tax-hubei");
}

TEST_CASE("oauth: client credentials with form fields, scope and TTL from settings", "[oauth]") {
  HostSettings settings;
  settings.token_ttl = std::chrono::seconds(120);
  TestHost host(bearer_routes, settings);
  host.add_app("bank-demo", "pw");
  const auto r = token_with_form(host, "bank-demo", "pw", "&scope=presentation");
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.json()["expires_in"] == 120);
  CHECK(r.json()["scope"] == "presentation");
  const auto who = host.get("/test/whoami", {{"Authorization", "Bearer " + r.json()["access_token"].get<std::string>()}});
  CHECK(who.json()["scope"] == "presentation");
}

TEST_CASE("oauth: wrong secret and unknown client are 401 invalid_client", "[oauth]") {
  TestHost host;
  host.add_app("tax-hubei", "right");
  host.add_app("other", "other-secret");
  for (const auto& r : {token_with_form(host, "tax-hubei", "wrong"),
                        token_with_form(host, "tax-hubei", "other-secret"),  // another app's secret
                        token_with_form(host, "nobody", "right"),
                        host.post("/oauth/token", "grant_type=client_credentials", kForm,
                                  {{"Authorization", basic("tax-hubei", "wrong")}}),
                        host.post("/oauth/token", "grant_type=client_credentials", kForm,
                                  {{"Authorization", "Basic not-base64!"}}),
                        host.post("/oauth/token", "grant_type=client_credentials", kForm),  // no credentials
                        host.post("/oauth/token", "grant_type=client_credentials", kForm,
                                  {{"Authorization", "Bearer something"}})}) {
    check_error(r, 401, "invalid_client");
    CHECK(r.header("WWW-Authenticate") == "Basic realm=\"zhaoyin\"");
    CHECK_FALSE(r.json().contains("access_token"));
  }
  // Nothing was issued.
  const auto metrics = host.get("/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("zhaoyin_oauth_tokens_issued_total 0\n"));
}

TEST_CASE("oauth: grant_type and parameter refusals", "[oauth]") {
  TestHost host;
  host.add_app("app", "pw");
  check_error(host.post("/oauth/token", "grant_type=password&client_id=app&client_secret=pw", kForm), 400,
              "unsupported_grant_type");
  check_error(host.post("/oauth/token", "grant_type=authorization_code", kForm,
                        {{"Authorization", basic("app", "pw")}}),
              400, "unsupported_grant_type");
  check_error(host.post("/oauth/token", "client_id=app&client_secret=pw", kForm), 400, "invalid_request");
  check_error(host.post("/oauth/token", "grant_type=&client_id=app&client_secret=pw", kForm), 400, "invalid_request");
  check_error(host.post("/oauth/token", "grant_type=client_credentials&client_id=app", kForm), 400,
              "invalid_request");
  check_error(host.post("/oauth/token", "grant_type=client_credentials&client_secret=pw", kForm), 400,
              "invalid_request");
  check_error(host.post("/oauth/token",
                        "grant_type=client_credentials&grant_type=client_credentials&client_id=app&client_secret=pw",
                        kForm),
              400, "invalid_request");  // repeated parameter
  check_error(host.post("/oauth/token", "grant_type=client_credentials&client_secret=pw", kForm,
                        {{"Authorization", basic("app", "pw")}}),
              400, "invalid_request");  // two authentication methods
  check_error(host.post("/oauth/token", "grant_type=client_credentials&client_id=other", kForm,
                        {{"Authorization", basic("app", "pw")}}),
              400, "invalid_request");  // client_id disagrees with Basic
  check_error(host.post("/oauth/token", "grant_type=client_credentials&client_id=app&client_secret=%zz", kForm), 400,
              "invalid_request");
  check_error(host.post("/oauth/token", R"({"grant_type":"client_credentials"})", "application/json"), 415,
              "unsupported_media_type");
  check_error(token_with_form(host, "app", "pw", "&scope=signature"), 400, "invalid_scope");  // not approved
  check_error(token_with_form(host, "app", "pw", "&scope=+"), 400, "invalid_scope");
}

TEST_CASE("oauth: suspended and revoked applications get no token", "[oauth]") {
  TestHost host;
  host.add_app("paused", "pw", store::ApplicationStatus::Suspended);
  host.add_app("gone", "pw", store::ApplicationStatus::Revoked);
  check_error(token_with_form(host, "paused", "pw"), 403, "client_suspended");
  check_error(token_with_form(host, "gone", "pw"), 401, "invalid_client");
  // The status is only revealed to a client that knows the secret.
  check_error(token_with_form(host, "paused", "wrong"), 401, "invalid_client");
}

TEST_CASE("oauth: tokens of different applications are not mixed up", "[oauth]") {
  TestHost host(bearer_routes);
  host.add_app("app-a", "secret-a");
  host.add_app("app-b", "secret-b");
  const auto a = token_with_form(host, "app-a", "secret-a");
  const auto b = token_with_form(host, "app-b", "secret-b");
  REQUIRE(a.status == 200);
  REQUIRE(b.status == 200);
  const std::string ta = a.json()["access_token"];
  const std::string tb = b.json()["access_token"];
  CHECK(ta != tb);
  CHECK(host.get("/test/whoami", {{"Authorization", "Bearer " + ta}}).json()["client_id"] == "app-a");
  CHECK(host.get("/test/whoami", {{"Authorization", "Bearer " + tb}}).json()["client_id"] == "app-b");
  // A second token for A does not replace or disturb B's.
  const std::string ta2 = token_with_form(host, "app-a", "secret-a").json()["access_token"];
  CHECK(host.get("/test/whoami", {{"Authorization", "Bearer " + ta2}}).json()["client_id"] == "app-a");
  CHECK(host.get("/test/whoami", {{"Authorization", "Bearer " + tb}}).json()["client_id"] == "app-b");
  const auto metrics = host.get("/metrics").body;
  CHECK_THAT(metrics, Catch::Contains("zhaoyin_oauth_tokens_issued_total 3\n"));
}

TEST_CASE("bearer: missing, malformed, unknown and expired tokens are 401 invalid_token", "[oauth][bearer]") {
  TestHost host(bearer_routes);
  host.add_app("app", "pw");
  store::TokenRepository tokens(*host.ctx->db);
  const auto past = std::chrono::system_clock::now() - std::chrono::hours(2);
  const auto expired = tokens.issue("app", "login", std::chrono::seconds(3600), past);  // expired an hour ago

  const auto none = host.get("/test/whoami");
  check_error(none, 401, "invalid_token");
  CHECK_THAT(none.header("WWW-Authenticate"), Catch::StartsWith("Bearer realm=\"zhaoyin\""));
  for (const auto& r : {host.get("/test/whoami", {{"Authorization", "Bearer " + expired.token}}),
                        host.get("/test/whoami", {{"Authorization", "Bearer not-a-real-token"}}),
                        host.get("/test/whoami", {{"Authorization", "Bearer"}}),
                        host.get("/test/whoami", {{"Authorization", basic("app", "pw")}})}) {
    check_error(r, 401, "invalid_token");
    CHECK_THAT(r.header("WWW-Authenticate"), Catch::Contains("error=\"invalid_token\""));
  }
}

TEST_CASE("bearer: suspension and revocation take effect on tokens already issued", "[oauth][bearer]") {
  TestHost host(bearer_routes);
  host.add_app("app", "pw");
  const std::string token = token_with_form(host, "app", "pw").json()["access_token"];
  const std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + token}};
  CHECK(host.get("/test/whoami", auth).status == 200);
  store::ApplicationRepository apps(*host.ctx->db);
  apps.set_status("app", store::ApplicationStatus::Suspended);
  check_error(host.get("/test/whoami", auth), 403, "client_suspended");
  apps.set_status("app", store::ApplicationStatus::Revoked);
  check_error(host.get("/test/whoami", auth), 401, "invalid_token");
}

TEST_CASE("bearer: a token without the needed scope is 403 insufficient_scope", "[oauth][bearer]") {
  TestHost host(bearer_routes);
  host.add_app("app", "pw");  // needs login + presentation, not signature
  const std::string token = token_with_form(host, "app", "pw").json()["access_token"];
  check_error(host.get("/test/sign-only", {{"Authorization", "Bearer " + token}}), 403, "insufficient_scope");
}

TEST_CASE("oauth: concurrent token requests from several applications all succeed", "[oauth][concurrency]") {
  TestHost host(bearer_routes);
  const int apps = 4;
  const int per_app = 10;
  for (int i = 0; i < apps; ++i) host.add_app("app-" + std::to_string(i), "secret-" + std::to_string(i));
  std::vector<std::vector<std::string>> tokens(apps);
  std::vector<std::vector<int>> statuses(apps);
  std::vector<std::thread> threads;
  for (int i = 0; i < apps; ++i) {
    threads.emplace_back([&, i] {
      for (int n = 0; n < per_app; ++n) {
        const auto r = token_with_form(host, "app-" + std::to_string(i), "secret-" + std::to_string(i));
        statuses[i].push_back(r.status);
        if (r.status == 200) tokens[i].push_back(r.json()["access_token"]);
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < apps; ++i) {
    CHECK(statuses[i] == std::vector<int>(per_app, 200));
    for (const auto& token : tokens[i]) {
      CHECK(host.get("/test/whoami", {{"Authorization", "Bearer " + token}}).json()["client_id"] ==
            "app-" + std::to_string(i));
    }
  }
  CHECK_THAT(host.get("/metrics").body, Catch::Contains("zhaoyin_oauth_tokens_issued_total 40\n"));
}

namespace {

HttpResult introspect(const TestHost& host, const std::string& id, const std::string& secret, const std::string& token) {
  return host.post("/oauth/introspect", "token=" + form_encode(token), kForm, {{"Authorization", basic(id, secret)}});
}

}  // namespace

TEST_CASE("introspection (RFC 7662): an application's own live token is active, with its scope and times", "[oauth]") {
  TestHost host(bearer_routes);
  host.add_app("app", "pw");
  const auto issued = token_with_form(host, "app", "pw").json();
  const std::string token = issued["access_token"];
  const auto r = introspect(host, "app", "pw", token);
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.header("Cache-Control") == "no-store");
  const auto j = r.json();
  CHECK(j["active"] == true);
  CHECK(j["client_id"] == "app");
  CHECK(j["scope"] == issued["scope"]);
  CHECK(j["token_type"] == "Bearer");
  CHECK(j["exp"].get<long long>() - j["iat"].get<long long>() == 3600);
  // §2.1: the form fields authenticate as well as HTTP Basic.
  const auto form = host.post("/oauth/introspect", "token=" + token + "&client_id=app&client_secret=pw", kForm);
  CHECK(form.json()["active"] == true);
}

TEST_CASE("introspection: rotating the secret or revoking the application ends its tokens — introspection says inactive",
          "[oauth]") {
  TestHost host(bearer_routes);
  host.add_app("app", "old-secret");
  const std::string token = token_with_form(host, "app", "old-secret").json()["access_token"];
  REQUIRE(introspect(host, "app", "old-secret", token).json()["active"] == true);
  store::ApplicationRepository apps(*host.ctx->db);
  REQUIRE(apps.set_secret("app", "new-secret"));
  check_error(introspect(host, "app", "old-secret", token), 401, "invalid_client");  // the old secret is gone too
  const auto after = introspect(host, "app", "new-secret", token);
  REQUIRE(after.status == 200);
  CHECK(after.json() == nlohmann::json{{"active", false}});
  check_error(host.get("/test/whoami", {{"Authorization", "Bearer " + token}}), 401, "invalid_token");

  const std::string second = token_with_form(host, "app", "new-secret").json()["access_token"];
  apps.set_status("app", store::ApplicationStatus::Revoked);
  check_error(introspect(host, "app", "new-secret", second), 401, "invalid_client");  // a revoked client may not ask
}

TEST_CASE("introspection: another application's, unknown and expired tokens are inactive — refusals", "[oauth]") {
  TestHost host(bearer_routes);
  host.add_app("app-a", "secret-a");
  host.add_app("app-b", "secret-b");
  const std::string tb = token_with_form(host, "app-b", "secret-b").json()["access_token"];
  const auto past = std::chrono::system_clock::now() - std::chrono::hours(2);
  const auto expired = store::TokenRepository(*host.ctx->db).issue("app-a", "login", std::chrono::seconds(3600), past);
  for (const std::string& token : {tb, expired.token, std::string("not-a-real-token")}) {
    const auto r = introspect(host, "app-a", "secret-a", token);
    REQUIRE(r.status == 200);
    CHECK(r.json() == nlohmann::json{{"active", false}});  // nothing about B's token reaches A
  }
  CHECK(introspect(host, "app-b", "secret-b", tb).json()["active"] == true);

  check_error(host.post("/oauth/introspect", "token=" + tb, kForm), 401, "invalid_client");  // no credentials
  check_error(introspect(host, "app-a", "wrong", tb), 401, "invalid_client");
  check_error(introspect(host, "nobody", "x", tb), 401, "invalid_client");
  check_error(host.post("/oauth/introspect", "", kForm, {{"Authorization", basic("app-a", "secret-a")}}), 400,
              "invalid_request");  // no token
  check_error(host.post("/oauth/introspect", "token=a&token=b", kForm, {{"Authorization", basic("app-a", "secret-a")}}),
              400, "invalid_request");
  check_error(host.post("/oauth/introspect", "token=" + tb + "&client_secret=secret-a", kForm,
                        {{"Authorization", basic("app-a", "secret-a")}}),
              400, "invalid_request");  // two authentication methods
  host.add_app("paused", "pw", store::ApplicationStatus::Suspended);
  check_error(introspect(host, "paused", "pw", tb), 403, "client_suspended");
}

TEST_CASE("introspection: failed client authentications are throttled together with /oauth/token", "[oauth]") {
  TestHost host(bearer_routes);
  host.add_app("app", "pw");
  const std::string token = token_with_form(host, "app", "pw").json()["access_token"];
  int throttled = 0;
  for (int i = 0; i < 40 && throttled == 0; ++i) {
    const auto r = i % 2 ? introspect(host, "app", "guess-" + std::to_string(i), token)
                         : token_with_form(host, "app", "guess-" + std::to_string(i));
    if (r.status == 429) {
      ++throttled;
      CHECK(r.json()["error"]["code"] == "too_many_attempts");
      CHECK_FALSE(r.header("Retry-After").empty());
    } else {
      CHECK(r.status == 401);
    }
  }
  CHECK(throttled == 1);
  // Throttled even with the right secret: the guard answers before the secret is checked.
  CHECK(introspect(host, "app", "pw", token).status == 429);
  CHECK_THAT(host.get("/metrics").body, Catch::Contains("zhaoyin_auth_throttled_total{endpoint="));
}
