// Guessing client secrets: the failure ledger and the credential guard
// (attempt_throttle.h) on fixed time points, the source address of a request
// (client_source.h), POST /oauth/token answering 429 too_many_attempts with
// Retry-After to a guesser while a clean address still gets its token, and
// tokens ending when their client's secret is rotated or the client revoked.
// Assertions are on codes and counts only; delays are far longer than any
// test run, so no outcome depends on how fast the machine is.
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <bound_session.h>
#include <catch2/catch.hpp>
#include <zhaoyin/http/attempt_throttle.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/client_source.h>
#include <zhaoyin/http/form.h>
#include <zhaoyin/store/token_repository.h>
#include "host_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::http;
using zhaoyin::test::HttpResult;
using zhaoyin::test::TestHost;
using namespace std::chrono_literals;

namespace {

const char* const kForm = "application/x-www-form-urlencoded";

ThrottlePolicy policy(int free_failures, std::chrono::seconds base = 1s, std::chrono::seconds max = 900s,
                      std::chrono::seconds forget = 3600s) {
  return ThrottlePolicy{free_failures, base, max, forget};
}

// A guard whose delays (an hour and more) outlast any test run.
CredentialGuardPolicy tight_policy() {
  CredentialGuardPolicy p;
  p.per_source_account = policy(3, 3600s, 86400s, 86400s);
  p.per_source = policy(6, 3600s, 86400s, 86400s);
  p.per_account = policy(4, 3600s, 86400s, 86400s);
  p.clean_source_failures = 2;
  return p;
}

// POST /oauth/token from `source` (a 127.0.0.x address).
HttpResult token_from(const TestHost& host, const std::string& source, const std::string& id,
                      const std::string& secret) {
  auto session = test::session_from(source, host.server->port());
  Poco::Net::HTTPRequest request("POST", "/oauth/token", Poco::Net::HTTPMessage::HTTP_1_1);
  request.setHost("127.0.0.1", host.server->port());
  const std::string body =
      "grant_type=client_credentials&client_id=" + form_encode(id) + "&client_secret=" + form_encode(secret);
  request.setContentType(kForm);
  request.setContentLength64(static_cast<long long>(body.size()));
  session->sendRequest(request) << body;
  HttpResult result;
  std::istream& in = session->receiveResponse(result.response);
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  result.body = out.str();
  result.status = static_cast<int>(result.response.getStatus());
  return result;
}

std::string error_code(const HttpResult& r) {
  try {
    return r.json()["error"]["code"].get<std::string>();
  } catch (const std::exception&) {
    return "<not an error body: " + r.body + ">";
  }
}

// GET /test/whoami: 200 with a valid bearer token, 401 invalid_token otherwise.
class WhoAmI final : public Handler {
 public:
  explicit WhoAmI(std::shared_ptr<HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(Exchange& ex) override {
    const auto client = authenticate_bearer(ex, *ctx_);
    ex.send_json(200, {{"client_id", client.application.client_id}});
  }

 private:
  std::shared_ptr<HostContext> ctx_;
};

void whoami_route(Router& r, const std::shared_ptr<HostContext>& ctx) { r.add<WhoAmI>("GET", "/test/whoami", ctx); }

}  // namespace

TEST_CASE("throttle: free failures, then a delay that doubles up to the cap, forgotten after quiet", "[throttle]") {
  FailureLedger ledger(policy(3, 10s, 60s, 3600s));
  const auto t0 = FailureLedger::Clock::time_point(1000h);
  for (int i = 0; i < 3; ++i) {
    CHECK(ledger.wait_seconds("k", t0) == 0);
    ledger.record_failure("k", t0);
  }
  // Three failures: the next attempt waits 10 s after the latest one.
  CHECK(ledger.wait_seconds("k", t0) == 10);
  CHECK(ledger.wait_seconds("k", t0 + 4s) == 6);
  CHECK(ledger.wait_seconds("k", t0 + 10s) == 0);
  ledger.record_failure("k", t0 + 10s);  // 4 failures: 20 s
  CHECK(ledger.wait_seconds("k", t0 + 10s) == 20);
  ledger.record_failure("k", t0 + 30s);  // 5: 40 s
  CHECK(ledger.wait_seconds("k", t0 + 30s) == 40);
  ledger.record_failure("k", t0 + 70s);  // 6: 80 s, capped at 60
  CHECK(ledger.wait_seconds("k", t0 + 70s) == 60);
  for (int i = 0; i < 100; ++i) ledger.record_failure("k", t0 + 70s);  // never overflows
  CHECK(ledger.wait_seconds("k", t0 + 70s) == 60);
  CHECK(ledger.failures("k", t0 + 70s) == 106);
  // Other keys are untouched; an hour of quiet forgets the key.
  CHECK(ledger.wait_seconds("other", t0) == 0);
  CHECK(ledger.failures("k", t0 + 70s + 3600s) == 0);
  CHECK(ledger.wait_seconds("k", t0 + 70s + 3600s) == 0);
  ledger.clear("k");
  CHECK(ledger.size() == 0);
}

TEST_CASE("throttle: the ledger keeps a bounded number of keys, dropping forgotten ones first", "[throttle]") {
  FailureLedger ledger(policy(1, 100s, 100s, 1000s), 16);
  const auto t0 = FailureLedger::Clock::time_point(1000h);
  for (int i = 0; i < 15; ++i) ledger.record_failure("old-" + std::to_string(i), t0 - 5000s);
  ledger.record_failure("blocked", t0);  // one failure, one free: must wait 100 s
  CHECK(ledger.size() == 16);
  for (int i = 0; i < 10; ++i) ledger.record_failure("new-" + std::to_string(i), t0);
  CHECK(ledger.size() == 11);                        // the forgotten ones made room
  CHECK(ledger.wait_seconds("blocked", t0) == 100);  // the key that owes a delay is kept
  CHECK(ledger.wait_seconds("old-0", t0) == 0);
}

TEST_CASE("throttle: the guard holds back a guesser but never a clean source", "[throttle]") {
  CredentialGuard guard(tight_policy());
  const auto t = CredentialGuard::Clock::time_point(1000h);
  // A stranger guessing one account: three failures are free, then 429.
  for (int i = 0; i < 3; ++i) {
    CHECK(guard.check("10.0.0.1", "operator", t).allowed);
    guard.failed("10.0.0.1", "operator", t);
  }
  const auto refused = guard.check("10.0.0.1", "operator", t);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.retry_after_seconds == 3600);
  // The operator at another address is not affected.
  CHECK(guard.check("10.0.0.9", "operator", t).allowed);

  // A botnet: four fresh addresses fail once each, so the account is under
  // attack. An address that has failed twice (tainted) now waits; a clean
  // one (the operator's, even after one typo) does not.
  CredentialGuard g2(tight_policy());
  for (const char* bot : {"10.1.0.1", "10.1.0.2", "10.1.0.3", "10.1.0.4"}) g2.failed(bot, "reviewer", t);
  CHECK(g2.check("10.1.0.1", "reviewer", t).allowed);  // one failure: still clean
  g2.failed("10.1.0.1", "reviewer", t);
  CHECK_FALSE(g2.check("10.1.0.1", "reviewer", t).allowed);  // tainted: the account's delay applies
  CHECK(g2.check("10.1.0.1", "someone-else", t).allowed);    // ...to that account only
  CHECK(g2.check("10.2.0.1", "reviewer", t).allowed);        // a clean address
  g2.failed("10.2.0.9", "reviewer", t);                      // the operator mistypes once
  CHECK(g2.check("10.2.0.9", "reviewer", t).allowed);

  // A sprayer: one address, one failure on each of six accounts.
  CredentialGuard g3(tight_policy());
  for (int i = 0; i < 6; ++i) g3.failed("10.3.0.1", "user" + std::to_string(i), t);
  CHECK_FALSE(g3.check("10.3.0.1", "user-new", t).allowed);
  CHECK(g3.check("10.3.0.2", "user-new", t).allowed);

  // Success clears the (source, account) count only.
  CredentialGuard g4(tight_policy());
  for (int i = 0; i < 3; ++i) g4.failed("10.4.0.1", "a", t);
  CHECK_FALSE(g4.check("10.4.0.1", "a", t).allowed);
  g4.succeeded("10.4.0.1", "a");
  CHECK(g4.check("10.4.0.1", "a", t).allowed);
}

TEST_CASE("throttle: source keys and X-Forwarded-For only from trusted proxies", "[throttle]") {
  CHECK(source_key("127.0.0.2") == "127.0.0.2");
  CHECK(source_key("::ffff:10.1.2.3") == "10.1.2.3");
  CHECK(source_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == source_key("2001:db8:1:2::1"));  // one /64
  CHECK(source_key("2001:db8:1:2::1") != source_key("2001:db8:1:3::1"));
  CHECK(source_key("not an address").empty());
  CHECK(source_key("").empty());

  // /test/source answers the source the host sees.
  class Source final : public Handler {
   public:
    explicit Source(std::shared_ptr<HostContext> ctx) : ctx_(std::move(ctx)) {}
    void handle(Exchange& ex) override {
      ex.send_json(200, {{"source", client_source(ex, ctx_->settings.trusted_proxies)}});
    }

   private:
    std::shared_ptr<HostContext> ctx_;
  };
  TestHost host([](Router& r, const std::shared_ptr<HostContext>& ctx) { r.add<Source>("GET", "/test/source", ctx); });
  auto source_of = [&](std::vector<std::pair<std::string, std::string>> headers) {
    return host.get("/test/source", std::move(headers)).json()["source"].get<std::string>();
  };
  // Not trusted: the header is ignored, whatever it says.
  CHECK(source_of({{"X-Forwarded-For", "203.0.113.7"}}) == "127.0.0.1");
  host.ctx->settings.trusted_proxies = {"127.0.0.1"};
  CHECK(source_of({}) == "127.0.0.1");
  CHECK(source_of({{"X-Forwarded-For", "203.0.113.7"}}) == "203.0.113.7");
  // The right-most address that is not a trusted proxy: a client cannot put
  // itself in front of what the proxy appended.
  CHECK(source_of({{"X-Forwarded-For", "198.51.100.1, 203.0.113.7"}}) == "203.0.113.7");
  CHECK(source_of({{"X-Forwarded-For", "198.51.100.1, 203.0.113.7, 127.0.0.1"}}) == "203.0.113.7");
  CHECK(source_of({{"X-Forwarded-For", "garbage"}}) == "127.0.0.1");
}

TEST_CASE("oauth: a secret guesser gets 429 too_many_attempts while a clean address still gets its token", "[oauth][throttle]") {
  TestHost host;
  host.ctx->client_auth_guard = std::make_shared<CredentialGuard>(tight_policy());
  host.add_app("tax-hubei", "right-secret");

  for (int i = 1; i <= 3; ++i) {
    const auto r = token_from(host, "127.0.0.2", "tax-hubei", "guess-" + std::to_string(i));
    INFO("attempt " << i << ": " << r.body);
    CHECK(r.status == 401);
    CHECK(error_code(r) == "invalid_client");
  }
  // The fourth attempt is refused before the secret is checked — even the right one.
  for (const char* secret : {"guess-4", "right-secret"}) {
    const auto r = token_from(host, "127.0.0.2", "tax-hubei", secret);
    INFO(r.body);
    CHECK(r.status == 429);
    CHECK(error_code(r) == "too_many_attempts");
    CHECK(std::stoi(r.header("Retry-After")) >= 1);
  }
  // Unknown client ids are throttled the same way (no hint which ids exist).
  for (int i = 1; i <= 3; ++i) CHECK(token_from(host, "127.0.0.3", "no-such-app", "x").status == 401);
  CHECK(token_from(host, "127.0.0.3", "no-such-app", "x").status == 429);

  // The relying party's own server, another address, is not held back.
  const auto ok = token_from(host, "127.0.0.4", "tax-hubei", "right-secret");
  INFO(ok.body);
  CHECK(ok.status == 200);

  // The refusals are counted for the operator.
  const auto metrics = host.get("/metrics").body;
  CHECK(metrics.find("zhaoyin_auth_throttled_total{endpoint=\"oauth_token\"} 3") != std::string::npos);
}

TEST_CASE("oauth: rotating the secret or revoking the client ends the tokens issued before", "[oauth][tokens]") {
  TestHost host(whoami_route);
  host.add_app("tax-hubei", "first-secret");
  host.add_app("bystander", "other-secret");
  auto token_for = [&](const std::string& id, const std::string& secret) {
    const auto r = token_from(host, "127.0.0.1", id, secret);
    INFO(r.body);
    REQUIRE(r.status == 200);
    return r.json()["access_token"].get<std::string>();
  };
  auto whoami = [&](const std::string& token) {
    return host.get("/test/whoami", {{"Authorization", "Bearer " + token}});
  };
  const std::string old_token = token_for("tax-hubei", "first-secret");
  const std::string other_token = token_for("bystander", "other-secret");
  REQUIRE(whoami(old_token).status == 200);

  store::ApplicationRepository apps(*host.ctx->db);
  REQUIRE(apps.set_secret("tax-hubei", "second-secret"));
  const auto refused = whoami(old_token);
  CHECK(refused.status == 401);
  CHECK(error_code(refused) == "invalid_token");
  CHECK(token_from(host, "127.0.0.1", "tax-hubei", "first-secret").status == 401);
  const std::string new_token = token_for("tax-hubei", "second-secret");
  CHECK(whoami(new_token).status == 200);
  CHECK(whoami(other_token).status == 200);  // other clients keep theirs

  // Re-importing the same secret (every start of a sandbox host) keeps tokens;
  // importing a different one is a rotation.
  auto app = *apps.find("tax-hubei");
  CHECK_FALSE(apps.upsert(app, "second-secret"));
  CHECK(whoami(new_token).status == 200);
  CHECK_FALSE(apps.upsert(app, "third-secret"));
  CHECK(whoami(new_token).status == 401);

  // Revoking the client deletes its tokens (401, not just refused while revoked).
  const std::string last = token_for("tax-hubei", "third-secret");
  REQUIRE(apps.set_status("tax-hubei", store::ApplicationStatus::Revoked));
  CHECK(whoami(last).status == 401);
  CHECK_FALSE(store::TokenRepository(*host.ctx->db).find_valid(last));
  // Suspension is reversible: the token is refused while suspended, and works after resume.
  const std::string kept = token_for("bystander", "other-secret");
  REQUIRE(apps.set_status("bystander", store::ApplicationStatus::Suspended));
  CHECK(whoami(kept).status == 403);
  REQUIRE(apps.set_status("bystander", store::ApplicationStatus::Active));
  CHECK(whoami(kept).status == 200);
}
