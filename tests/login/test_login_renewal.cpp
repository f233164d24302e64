// Issue 17 item 4: renewing an expired login (POST /login/{id}/renew, the
// hosted page's "new QR code") needs the owning application's bearer token or
// the session's page token, is admitted like any new session (rate, annual
// volume), and is bounded by login.max_renewals. One host per test process, on
// a sandbox copy where social_insurance may do only 2 verifications a year,
// with login.max_renewals = 2.
#include <catch2/catch.hpp>

#include "login_env.h"

using namespace zhaoyin::test;

namespace {

LoginEnv& renewal_env() {
  static TempDir dir("zhaoyin-login-renewal");
  static std::unique_ptr<LoginEnv> env([] {
    const auto copy = copy_sandbox(dir);
    auto doc = read_json(copy / "sandbox.json");
    for (auto& app : doc["applications"])
      if (app["department"] == "social_insurance") app["annual_volume"] = 2;
    write_json(copy / "sandbox.json", doc);
    return std::make_unique<LoginEnv>(copy, std::vector<std::string>{"--set", "login.max_renewals=2"});
  }());
  return *env;
}

// Waits (by long-poll, no sleeping) until the session has expired.
void wait_expired(LoginEnv& env, const std::string& id) {
  const auto state = http("GET", env.url("/login/" + id + "/state?wait=30&last=pending")).as_json();
  REQUIRE(state["status"] == "expired");
}

std::string token_in(const std::string& page_url) {
  const auto at = page_url.find("#page_token=");
  return at == std::string::npos ? std::string() : page_url.substr(at + 12);
}

Reply renew(LoginEnv& env, const std::string& id, const std::map<std::string, std::string>& headers) {
  return http("POST", env.url("/login/" + id + "/renew"), "", headers);
}

std::map<std::string, std::string> page_token(const std::string& token) { return {{"X-Login-Page-Token", token}}; }

}  // namespace

TEST_CASE("renewal: the page token comes with the page URL at creation only") {
  auto& env = renewal_env();
  const auto s = env.create_ok("tax", {{"ttl", 10}});
  const std::string page_url = s["page_url"];
  const auto token = token_in(page_url);
  CHECK(token.size() >= 40);
  CHECK(page_url.rfind(env.url("/login/" + s["id"].get<std::string>() + "#page_token="), 0) == 0);
  // Read back (and in callbacks and events) the page URL carries no token: only its hash is stored.
  CHECK(env.session("tax", s["id"])["page_url"] == env.url("/login/" + s["id"].get<std::string>()));
  // Not expired yet: refused before anything else happens.
  CHECK(renew(env, s["id"], page_token(token)).code() == "not_expired");
}

TEST_CASE("renewal refusals: no credential 401, wrong page token 403, another application 403, bad bearer 401") {
  auto& env = renewal_env();
  const auto s = env.create_ok("tax", {{"ttl", 10}});
  const std::string id = s["id"];
  wait_expired(env, id);

  const auto none = renew(env, id, {});
  CHECK(none.status == 401);
  CHECK(none.code() == "credentials_required");
  CHECK(none.headers.count("WWW-Authenticate") == 1);

  const auto wrong = renew(env, id, page_token("A" + token_in(s["page_url"]).substr(1)));
  CHECK(wrong.status == 403);
  CHECK(wrong.code() == "invalid_page_token");
  // A token of another session is just as wrong.
  const auto other = env.create_ok("tax");
  CHECK(renew(env, id, page_token(token_in(other["page_url"]))).code() == "invalid_page_token");

  const auto foreign = renew(env, id, bearer(env.token("social_insurance")));
  CHECK(foreign.status == 403);
  CHECK(foreign.code() == "not_session_owner");

  const auto bad_bearer = renew(env, id, bearer("not-a-token"));
  CHECK(bad_bearer.status == 401);
  CHECK(bad_bearer.code() == "invalid_token");

  // None of them renewed it: the right page token still can, once.
  const auto ok = renew(env, id, page_token(token_in(s["page_url"])));
  REQUIRE(ok.status == 201);
  const auto again = renew(env, id, page_token(token_in(s["page_url"])));
  CHECK(again.status == 409);
  CHECK(again.code() == "already_renewed");
  CHECK(renew(env, id, bearer(env.token("tax"))).code() == "already_renewed");
}

TEST_CASE("renewal: by page token or bearer token, at most login.max_renewals times per login") {
  auto& env = renewal_env();
  const auto s = env.create_ok("tax", {{"ttl", 10}, {"matter", "电子政务/税务"}});
  wait_expired(env, s["id"]);

  // 1st renewal by the relying party's own bearer token.
  const auto first = renew(env, s["id"], bearer(env.token("tax")));
  REQUIRE(first.status == 201);
  const auto j1 = first.as_json();
  CHECK(j1["renewals_left"] == 1);
  CHECK(j1["page_url"] == env.url("/login/" + j1["id"].get<std::string>() + "#page_token=" + j1["page_token"].get<std::string>()));
  const auto got = env.session("tax", j1["id"]);
  CHECK(got["status"] == "pending");
  CHECK(got["matter"] == "电子政务/税务");
  // The old session's token does not open the new one.
  wait_expired(env, j1["id"]);
  CHECK(renew(env, j1["id"], page_token(token_in(s["page_url"]))).code() == "invalid_page_token");

  // 2nd renewal by the new session's page token.
  const auto second = renew(env, j1["id"], page_token(j1["page_token"]));
  REQUIRE(second.status == 201);
  const auto j2 = second.as_json();
  CHECK(j2["renewals_left"] == 0);
  wait_expired(env, j2["id"]);

  // A 3rd is beyond login.max_renewals = 2, whoever asks.
  const auto third = renew(env, j2["id"], page_token(j2["page_token"]));
  CHECK(third.status == 403);
  CHECK(third.code() == "renewal_limit_reached");
  CHECK(renew(env, j2["id"], bearer(env.token("tax"))).code() == "renewal_limit_reached");
}

TEST_CASE("renewal is admitted like a new session: the annual volume refuses it with 403 annual_volume_exceeded") {
  auto& env = renewal_env();
  // social_insurance may do 2 verifications this year: the session and one renewal.
  const auto s = env.create_ok("social_insurance", {{"ttl", 10}});
  wait_expired(env, s["id"]);
  const auto first = renew(env, s["id"], page_token(token_in(s["page_url"])));
  REQUIRE(first.status == 201);
  const auto j1 = first.as_json();
  wait_expired(env, j1["id"]);
  const auto refused = renew(env, j1["id"], page_token(j1["page_token"]));
  CHECK(refused.status == 403);
  CHECK(refused.code() == "annual_volume_exceeded");
  // Creating is refused alike.
  CHECK(env.create("social_insurance").code() == "annual_volume_exceeded");
}
