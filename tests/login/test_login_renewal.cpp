// Issue 17 item 4: renewing an expired login (POST /login/{id}/renew, the
// hosted page's "new QR code") needs the owning application's bearer token or
// the session's page token, is admitted like any new session (rate, annual
// volume), and is bounded by login.max_renewals. Two hosts per test process,
// each on a sandbox copy: one with login.max_renewals = 2; one where banking
// may start 1 verification a second and social_insurance 2 a year, with
// callbacks to the tests' receiver on 127.0.0.1 allowed, where a renewal the
// limits refuse is shown to have changed nothing (no session renewed, no
// callback sent).
#include <catch2/catch.hpp>
#include <optional>
#include <set>
#include <thread>

#include "callback_receiver.h"
#include "login_env.h"

using namespace zhaoyin::test;

namespace {

LoginEnv& renewal_env() {
  static TempDir dir("zhaoyin-login-renewal");
  static std::unique_ptr<LoginEnv> env(
      std::make_unique<LoginEnv>(copy_sandbox(dir), std::vector<std::string>{"--set", "login.max_renewals=2"}));
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

// A host whose banking application may start 1 verification a second and
// whose social_insurance application 2 a year, with callbacks to 127.0.0.1 allowed
// (the tests' receivers), so that a renewal the limits refuse can be shown to
// have changed nothing: no session renewed, no callback sent.
LoginEnv& limited_env() {
  static TempDir dir("zhaoyin-login-renewal-limits");
  static std::unique_ptr<LoginEnv> env([] {
    const auto copy = copy_sandbox(dir);
    auto doc = read_json(copy / "sandbox.json");
    for (auto& app : doc["applications"]) {
      if (app["department"] == "banking") app["peak_rate"] = 1;
      if (app["department"] == "social_insurance") app["annual_volume"] = 2;
    }
    write_json(copy / "sandbox.json", doc);
    return std::make_unique<LoginEnv>(copy, std::vector<std::string>{"--set", "callbacks.allow_http=true", "--set",
                                                                    "callbacks.allow=127.0.0.1/32"});
  }());
  return *env;
}

// Creates a session, again while the peak rate refuses it (429): at most one
// is admitted per second.
json create_admitted(LoginEnv& env, const std::string& department, const json& body) {
  std::string last;
  for (int i = 0; i < 600; ++i) {
    const auto r = env.create(department, body);
    if (r.status == 201) return r.as_json();
    INFO(r.body);
    REQUIRE(r.status == 429);
    last = r.body;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the next second admits one
  }
  FAIL("the peak rate never admitted a session: " << last);
  return {};
}

std::string session_of(const ReceivedCall& call) { return json::parse(call.body)["session"]["id"].get<std::string>(); }

// Waits (generously, never asserted on time) until a callback about session
// `id` has been accepted, and returns every callback accepted so far.
std::vector<ReceivedCall> callbacks_until(CallbackReceiver& receiver, const std::string& id) {
  for (std::size_t n = 1;; ++n) {
    REQUIRE(receiver.wait_accepted(n));
    const auto calls = receiver.accepted();
    if (std::any_of(calls.begin(), calls.end(), [&](const ReceivedCall& c) { return session_of(c) == id; })) return calls;
  }
}

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

  // One character changed (never to itself: a token starting with 'A' made
  // this the right token, 1 run in 64).
  const std::string right = token_in(s["page_url"]);
  const auto wrong = renew(env, id, page_token(std::string(1, right[0] == 'A' ? 'B' : 'A') + right.substr(1)));
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

TEST_CASE("renewal beyond the peak rate: 429 rate_limited, the session not renewed, no callback") {
  auto& env = limited_env();
  CallbackReceiver receiver;
  const json with_callback = {{"ttl", 10}, {"callback_url", receiver.url()}};
  // Expired sessions to renew (three, in case the second turns between the
  // request that fills it and the renewal; see below).
  std::vector<json> pool;
  std::set<std::string> known;  // every session the test was told about
  for (int i = 0; i < 3; ++i) {
    pool.push_back(create_admitted(env, "banking", with_callback));
    known.insert(pool.back()["id"].get<std::string>());
  }
  for (const auto& s : pool) wait_expired(env, s["id"]);

  // A creation fills the second (peak rate 1: it counts, admitted or not);
  // the renewal right after it lands in the same second and is refused. Only
  // if the second turned between the two requests is it admitted: then the
  // next expired session is tried.
  std::optional<Reply> refused;
  json target;
  for (const auto& s : pool) {
    (void)env.create("banking", {{"ttl", 10}});  // no callback_url: its expiry is not reported
    const auto r = renew(env, s["id"], page_token(token_in(s["page_url"])));
    if (r.status == 429) {
      refused = r;
      target = s;
      break;
    }
    REQUIRE(r.status == 201);
    known.insert(r.as_json()["id"].get<std::string>());
  }
  REQUIRE(refused);
  INFO(refused->body);
  CHECK(refused->code() == "rate_limited");
  CHECK(refused->headers.count("Retry-After") == 1);
  if (refused->headers.count("Retry-After")) CHECK(refused->headers.at("Retry-After") == "1");

  // Nothing changed: the session is still expired and still renewable once —
  // not 409 already_renewed — with the full count of renewals left.
  CHECK(env.session("banking", target["id"])["status"] == "expired");
  Reply ok;
  for (int i = 0; i < 600; ++i) {
    ok = renew(env, target["id"], page_token(token_in(target["page_url"])));
    if (ok.status != 429) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the next second admits one
  }
  INFO(ok.body);
  REQUIRE(ok.status == 201);
  const auto renewed = ok.as_json();
  CHECK(renewed["renewals_left"] == 2);  // login.max_renewals 3, this is the first
  const std::string renewed_id = renewed["id"];
  known.insert(renewed_id);
  CHECK(renew(env, target["id"], page_token(token_in(target["page_url"]))).code() == "already_renewed");

  // No callback about any session but those the test knows: the callbacks
  // report changes, so a session the refused renewal had made would have been
  // reported when it expired, before the one renewed above.
  wait_expired(env, renewed_id);
  for (const auto& call : callbacks_until(receiver, renewed_id)) {
    INFO(call.body);
    CHECK(known.count(session_of(call)) == 1);
  }
}

TEST_CASE("renewal beyond the annual volume: 403 annual_volume_exceeded, the session not renewed, no callback") {
  auto& env = limited_env();
  CallbackReceiver receiver;
  // social_insurance may do 2 verifications this year: the session and one renewal.
  const auto s = env.create_ok("social_insurance", {{"ttl", 10}, {"callback_url", receiver.url()}});
  wait_expired(env, s["id"]);
  const auto first = renew(env, s["id"], page_token(token_in(s["page_url"])));
  REQUIRE(first.status == 201);
  const auto j1 = first.as_json();
  wait_expired(env, j1["id"]);

  const auto refused = renew(env, j1["id"], page_token(j1["page_token"]));
  INFO(refused.body);
  CHECK(refused.status == 403);
  CHECK(refused.code() == "annual_volume_exceeded");
  // Nothing changed: still expired, and not renewed — a renewed session would
  // now answer 409 already_renewed, which is checked before the volume.
  CHECK(env.session("social_insurance", j1["id"])["status"] == "expired");
  const auto again = renew(env, j1["id"], bearer(env.token("social_insurance")));
  CHECK(again.status == 403);
  CHECK(again.code() == "annual_volume_exceeded");
  // The callbacks are the two expiries, nothing about a third session.
  const auto calls = callbacks_until(receiver, j1["id"]);
  REQUIRE(calls.size() == 2);
  CHECK(session_of(calls[0]) == s["id"]);
  CHECK(session_of(calls[1]) == j1["id"]);
  for (const auto& c : calls) CHECK(json::parse(c.body)["session"]["status"] == "expired");
  // Creating is refused alike.
  CHECK(env.create("social_insurance").code() == "annual_volume_exceeded");
}
