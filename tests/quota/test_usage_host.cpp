// The usage limits on a real zhaoyin-host: every verification route refuses
// beyond the declared peak rate (429 with Retry-After; the OpenID Connect
// authorization endpoint redirects with temporarily_unavailable), refusals are
// counted in /metrics, and the annual volume holds across a restart because
// the host writes its counts to the store.
#include <catch2/catch.hpp>
#include <zhaoyin/quota/usage_gate.h>

#include "quota_host.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

void check_rate_limited(const HttpResult& r) {
  INFO(r.body);
  CHECK(r.status == 429);
  CHECK(error_code(r) == "rate_limited");
  CHECK(r.header("Retry-After") == "1");
  CHECK(r.body.find("验证峰值") != std::string::npos);
}

std::string authorize_path(const std::string& client_id) {
  return "/oidc/authorize?client_id=" + client_id +
         "&redirect_uri=https%3A%2F%2Frp.example%2Fcallback&response_type=code&scope=openid&state=s1"
         "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
}

}  // namespace

TEST_CASE("peak rate 1: every verification route answers 429 rate_limited with Retry-After") {
  QuotaHost host({quota_app("peak-one", 1, 0)});

  check_rate_limited(until_rate_limited([&] { return host.post("/api/v1/login-sessions", "peak-one", {}); }));
  check_rate_limited(until_rate_limited([&] {
    return host.post("/api/v1/presentations", "peak-one", {{"code", host.code_of("91420100YULA38GUXF-1")}});
  }));
  check_rate_limited(until_rate_limited([&] { return host.post("/api/v1/sign-tasks", "peak-one", {}); }));

  // The authorization endpoint answers the browser with a redirect to the client.
  std::string location;
  for (int i = 0; i < 50 && location.find("temporarily_unavailable") == std::string::npos; ++i) {
    const auto r = host.get(authorize_path("peak-one"));
    REQUIRE(r.status == 302);
    location = r.header("Location");
  }
  INFO(location);
  CHECK(location.rfind("https://rp.example/callback?", 0) == 0);
  CHECK(location.find("error=temporarily_unavailable") != std::string::npos);
  CHECK(location.find("rate_limited") != std::string::npos);
  CHECK(location.find("state=s1") != std::string::npos);

  const auto metrics = host.get("/metrics");
  CHECK(metrics.body.find("zhaoyin_usage_refused_total{code=\"rate_limited\"}") != std::string::npos);
}

TEST_CASE("annual volume 3: the 4th request is refused with 403 annual_volume_exceeded, also after a restart") {
  QuotaHost host({quota_app("three-a-year", 0, 3)});
  for (int i = 0; i < 3; ++i) {
    const auto r = host.present("three-a-year", host.code_of("91420100YULA38GUXF-1"));
    INFO(r.body);
    CHECK(r.status == 201);
  }
  const auto fourth = host.present("three-a-year", host.code_of("91420100YULA38GUXF-1"));
  INFO(fourth.body);
  CHECK(fourth.status == 403);
  CHECK(error_code(fourth) == "annual_volume_exceeded");
  CHECK(fourth.body.find("年验证量") != std::string::npos);
  CHECK_FALSE(fourth.response.has("Retry-After"));
  // Every need draws on the same volume.
  CHECK(error_code(host.post("/api/v1/login-sessions", "three-a-year", {})) == "annual_volume_exceeded");

  // The host writes its counts when it stops; the store has them.
  REQUIRE(host.stop() == 0);
  {
    store::DatabaseSettings settings;
    settings.data_dir = host.data_dir();
    auto db = std::make_shared<store::Database>(settings);
    quota::UsageGate reader(db, quota::make_local_rate_window());
    CHECK(reader.year_total("three-a-year") == 3);
    std::int64_t refused = 0;
    for (const auto& d : reader.daily("three-a-year", 2)) refused += d.refused;
    CHECK(refused == 2);
  }

  // A restarted host reads this year's count from the store.
  host.start();
  CHECK(error_code(host.present("three-a-year", host.code_of("91420100YULA38GUXF-1"))) == "annual_volume_exceeded");
}
