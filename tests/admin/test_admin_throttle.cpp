// Guessing staff passwords on /admin/login, against a real zhaoyin-host on the
// sandbox with small limits: 3 free failures per (address, account), 6 per
// address, 4 per account, an address is tainted after 2 failures. Each client
// connects from its own loopback address (127.0.0.x), so one test plays the
// stranger, the sprayer, a botnet and the operator. The first delay is an
// hour: outcomes never depend on how fast the test runs.
#include <algorithm>
#include <catch2/catch.hpp>
#include <host_process.h>
#include <sandbox_fixture.h>

#include "admin_client.h"

using namespace zhaoyin::test;

namespace {

std::string sandbox_password(const std::string& username) {
  const auto staff = read_json(shared_sandbox() / "admin" / "staff.json");
  for (const auto& a : staff["accounts"])
    if (a["username"] == username) return a["password"];
  throw std::runtime_error("no sandbox account " + username);
}

struct ThrottledHost {
  TempDir dir{"zhaoyin-admin-throttle"};
  std::unique_ptr<HostProcess> host;
  ThrottledHost() {
    std::vector<std::string> args = {"--data", (dir.path() / "data").string(), "--sandbox", shared_sandbox().string()};
    for (const char* s : {"throttle.source_account.free_failures=3", "throttle.source.free_failures=6",
                          "throttle.account.free_failures=4", "throttle.clean_source_failures=2",
                          "throttle.base_delay_seconds=3600", "throttle.max_delay_seconds=7200",
                          "throttle.forget_after_seconds=7200"}) {
      args.push_back("--set");
      args.push_back(s);
    }
    host = std::make_unique<HostProcess>(dir.path(), args);
    if (!host->ready()) throw std::runtime_error("zhaoyin-host did not start:\n" + host->log());
  }
  AdminClient from(const std::string& source) const { return AdminClient(host->port(), source); }
};

ThrottledHost& throttled_host() {
  static ThrottledHost host;
  return host;
}

// The page as the visitor sees it, with the echoed username and the seconds
// to wait (which depend on when each request arrived) blanked out.
std::string without(const PageReply& r, const std::string& username) {
  std::string body = r.body;
  auto blank = [&](const std::string& what, const std::string& with) {
    if (what.empty()) return;
    for (auto at = body.find(what); at != std::string::npos; at = body.find(what, at + with.size()))
      body.replace(at, what.size(), with);
  };
  blank("value=\"" + username + "\"", "value=\"\"");
  blank(" " + r.retry_after + " ", " N ");
  return body;
}

// The headers, with the values that differ per request (or with the echoed
// username's length) left out.
std::vector<std::string> header_names(const PageReply& r) {
  std::vector<std::string> names;
  for (const auto& [name, value] : r.headers) {
    if (name == "X-Request-Id" || name == "Date") continue;
    const bool varies = name == "Retry-After" || name == "Content-Length";
    names.push_back(name + (varies ? "" : ": " + value));
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("an unknown account and a wrong password get the same answer, and are throttled alike", "[admin][throttle]") {
  auto& h = throttled_host();
  auto known = h.from("127.0.0.2");
  auto unknown = h.from("127.0.0.3");
  for (int i = 1; i <= 4; ++i) {
    const auto a = known.sign_in("applicant", "wrong-password");
    const auto b = unknown.sign_in("nobody-at-all", "wrong-password");
    INFO("attempt " << i);
    const int expected = i <= 3 ? 401 : 429;
    CHECK(a.status == expected);
    CHECK(b.status == expected);
    CHECK(a.error_code() == (i <= 3 ? "invalid_credentials" : "too_many_attempts"));
    CHECK(a.error_code() == b.error_code());
    CHECK(without(a, "applicant") == without(b, "nobody-at-all"));
    CHECK(header_names(a) == header_names(b));
    CHECK(a.set_cookies.empty());
    CHECK(b.set_cookies.empty());
    CHECK(a.retry_after.empty() == (i <= 3));
    CHECK(b.retry_after.empty() == (i <= 3));
  }
}

TEST_CASE("a stranger guessing the operator's password is throttled while the operator signs in from elsewhere", "[admin][throttle]") {
  auto& h = throttled_host();
  auto stranger = h.from("127.0.0.4");
  for (int i = 1; i <= 3; ++i) CHECK(stranger.sign_in("operator", "guess-" + std::to_string(i)).status == 401);
  for (const std::string& password : {std::string("guess-4"), sandbox_password("operator")}) {
    const auto r = stranger.sign_in("operator", password);
    CHECK(r.status == 429);
    CHECK(r.error_code() == "too_many_attempts");
    CHECK(std::stoi(r.retry_after) >= 1);
    CHECK(r.set_cookies.empty());
  }
  auto op = h.from("127.0.0.5");
  const auto in = op.sign_in("operator", sandbox_password("operator"));
  INFO(in.body);
  REQUIRE(in.status == 303);
  CHECK(op.get("/admin/audit").status == 200);
  // Still throttled for the stranger.
  CHECK(stranger.sign_in("operator", "guess-5").status == 429);
}

TEST_CASE("one address spraying many accounts is throttled across accounts", "[admin][throttle]") {
  auto& h = throttled_host();
  auto sprayer = h.from("127.0.0.6");
  for (int i = 1; i <= 6; ++i) CHECK(sprayer.sign_in("user-" + std::to_string(i), "Password1").status == 401);
  const auto r = sprayer.sign_in("user-7", "Password1");
  CHECK(r.status == 429);
  CHECK(r.error_code() == "too_many_attempts");
  // Others are not affected.
  CHECK(h.from("127.0.0.13").sign_in("user-7", "Password1").status == 401);
}

TEST_CASE("many addresses on one account: tainted ones wait, the owner at a clean address signs in", "[admin][throttle]") {
  auto& h = throttled_host();
  // A botnet: four addresses fail once each; the account is now under attack.
  for (const char* bot : {"127.0.0.7", "127.0.0.8", "127.0.0.9", "127.0.0.10"})
    CHECK(h.from(bot).sign_in("reviewer", "botnet-guess").status == 401);
  auto bot = h.from("127.0.0.7");
  CHECK(bot.sign_in("reviewer", "botnet-guess-2").status == 401);  // one failure: still clean
  const auto held = bot.sign_in("reviewer", "botnet-guess-3");      // two: tainted, the account's delay applies
  CHECK(held.status == 429);
  CHECK(held.error_code() == "too_many_attempts");
  // The reviewer at a clean address signs in, even after one typo.
  auto owner = h.from("127.0.0.11");
  CHECK(owner.sign_in("reviewer", "typo").status == 401);
  const auto in = owner.sign_in("reviewer", sandbox_password("reviewer"));
  INFO(in.body);
  CHECK(in.status == 303);
  CHECK(h.from("127.0.0.12").sign_in("reviewer", sandbox_password("reviewer")).status == 303);
}
