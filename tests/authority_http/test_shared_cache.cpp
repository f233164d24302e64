// The clustered deployment (docs/DEPLOY.md): the http connector's answers
// shared through Redis — what one host fetched another uses within the same
// freshness, verified again (a tampered entry is not believed), and with Redis
// down each host's own cache goes on; and two hosts sharing Redis both refuse
// a license revoked at the authority within max_freshness_seconds.
#include <catch2/catch.hpp>
#include <redis_server.h>
#include <zhaoyin/cluster/redis.h>
#include "authority_http_fixture.h"
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

const std::string kLegalRep = "91420100YULA38GUXF-1";

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("hosts share the authority's answers through Redis: verified again, never believed when tampered with, and Redis down leaves each its own cache") {
  ServedSandbox s;
  RedisServer redis;
  cluster::RedisSettings rs;
  rs.host = redis.host();
  rs.port = redis.port();
  rs.prefix = "authority-test:";
  const auto shared = cluster::make_redis_answer_cache(rs);
  const auto settings = [&] {
    auto c = connector_settings(s, s.url(), std::chrono::seconds(300), std::chrono::seconds(60));
    c.shared_cache = shared;
    return c;
  };
  const std::string serial = wallet_entry(s.dir(), kLegalRep)["cert_serial"];
  const std::string asked = "\"target\":\"/v1/holders/" + serial + "\"";

  authority::HttpAuthorityConnector a(settings());
  REQUIRE(a.find_holder(serial));
  CHECK(count_of(s.authority_log(), asked) == 1);

  // Host B: the answer A fetched, from Redis; the authority is not asked again.
  authority::HttpAuthorityConnector b(settings());
  const auto from_a = b.find_holder(serial);
  REQUIRE(from_a);
  CHECK(from_a->cert_serial == serial);
  CHECK(b.health().shared_hits == 1);
  CHECK(count_of(s.authority_log(), asked) == 1);

  // An entry changed in Redis does not verify: the next host asks the authority.
  const std::string key = "authority:" + s.url() + "/v1/holders/" + serial;
  const auto stored = shared->get(key);
  REQUIRE(stored);
  auto entry = nlohmann::json::parse(*stored);
  std::string body = entry["body"];
  body.insert(body.size() - 1, ",\"tampered\":true");
  entry["body"] = body;
  shared->put(key, entry.dump(), std::chrono::seconds(60));
  authority::HttpAuthorityConnector c(settings());
  REQUIRE(c.find_holder(serial));
  CHECK(c.health().shared_hits == 0);
  CHECK(count_of(s.authority_log(), asked) == 2);

  // Redis down: a host that has the answer uses its own cache, a new one asks
  // the authority; neither fails.
  redis.stop();
  REQUIRE(a.find_holder(serial));
  CHECK(count_of(s.authority_log(), asked) == 2);
  authority::HttpAuthorityConnector d(settings());
  REQUIRE(d.find_holder(serial));
  CHECK(d.health().state == "ok");
  CHECK(count_of(s.authority_log(), asked) == 3);
}

TEST_CASE("two hosts sharing Redis both refuse a license revoked at the authority within max_freshness_seconds") {
  ServedSandbox s;
  RedisServer redis;
  constexpr int kWindow = 3;  // authority.max_freshness_seconds
  const auto args = [&] {
    auto a = http_driver_args(s, 60);
    a.insert(a.end(), {"--set", "authority.max_freshness_seconds=" + std::to_string(kWindow), "--set",
                       "redis.host=" + redis.host(), "--set", "redis.port=" + std::to_string(redis.port())});
    return a;
  };
  TempDir work_a("zhaoyin-shared-cache-a");
  TempDir work_b("zhaoyin-shared-cache-b");
  PresentationHost a(work_a.path(), s.dir(), args());
  PresentationHost b(work_b.path(), s.dir(), args());
  const auto wallet = sandbox_wallet(s.dir(), kLegalRep);
  for (PresentationHost* host : {&a, &b}) {
    const auto r = host->present("banking", fresh_code(wallet));
    INFO(r.body);
    REQUIRE(r.status == 201);
  }
  CHECK(b.get("/metrics").body.find("zhaoyin_authority_shared_cache_hits_total") != std::string::npos);

  s.operator_command("revoke-license " + quote(s.dir().string()) + " " + wallet.license_serial() +
                     " --reason keyCompromise");
  const auto revoked_at = std::chrono::steady_clock::now();
  // Each host accepts the license at most until its cached CRL's freshness ends
  // (it was fetched before the command), then refuses it. Waited for by
  // polling, bounded by the window (plus a second for the requests themselves).
  const auto bound = revoked_at + std::chrono::seconds(kWindow + 1);
  for (PresentationHost* host : {&a, &b}) {
    HttpResult last;
    do {
      last = host->present("banking", fresh_code(wallet));
      if (last.status != 201) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (std::chrono::steady_clock::now() < bound);
    INFO(last.body);
    CHECK(last.status == 422);
    CHECK(error_code(last) == "license_revoked");
  }
}
