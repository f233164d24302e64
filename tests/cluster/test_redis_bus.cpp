// The Redis event bus and rate window against a private redis-server: two
// buses stand for two hosts. Outages are real (the server is stopped and
// started again on the same port).
#include <catch2/catch.hpp>
#include <atomic>
#include <sstream>
#include <thread>
#include <zhaoyin/cluster/redis.h>

#include "redis_server.h"

using namespace zhaoyin;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

cluster::RedisSettings settings_for(const test::RedisServer& redis, const std::string& prefix = "t:") {
  cluster::RedisSettings s;
  s.host = redis.host();
  s.port = redis.port();
  s.prefix = prefix;
  s.timeout_ms = 500;
  return s;
}

std::shared_ptr<http::JsonLog> quiet_log() {
  static std::ostringstream sink;
  return std::make_shared<http::JsonLog>(sink, http::LogLevel::Error);
}

// Waits until a publish on `from` reaches a waiter on `to` (the subscription
// of `to` may still be reconnecting): publishes again every half second.
bool crosses(flow::EventBus& from, flow::EventBus& to, const std::string& topic, std::chrono::seconds patience) {
  const auto give_up = Clock::now() + patience;
  while (Clock::now() < give_up) {
    auto sub = to.subscribe(topic);
    from.publish(topic);
    // A wake-up that is only the periodic one (Redis away) does not count:
    // wait a little longer and look again.
    if (sub->wait_until(Clock::now() + 500ms)) {
      // Was it our topic? A second publish with the link up wakes at once.
      auto check = to.subscribe(topic);
      from.publish(topic);
      if (check->wait_until(Clock::now() + 900ms)) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("a topic published on one host wakes the waiter on the other, not only at the deadline") {
  test::RedisServer redis;
  auto a = cluster::make_redis_event_bus(settings_for(redis), quiet_log());
  auto b = cluster::make_redis_event_bus(settings_for(redis), quiet_log());

  auto sub = a->subscribe("login:42");
  const auto started = Clock::now();
  std::thread answer([&] {
    std::this_thread::sleep_for(200ms);
    b->publish("login:42");
  });
  const bool woken = sub->wait_until(started + 60s);
  answer.join();
  CHECK(woken);
  CHECK(Clock::now() - started < 30s);  // woken by the event, far before the deadline

  SECTION("another topic does not wake it") {
    b->publish("login:other");
    CHECK_FALSE(sub->wait_until(Clock::now() + 1500ms));
  }
  SECTION("another deployment (prefix) does not wake it") {
    auto other = cluster::make_redis_event_bus(settings_for(redis, "other:"), quiet_log());
    other->publish("login:42");
    CHECK_FALSE(sub->wait_until(Clock::now() + 1500ms));
  }
  SECTION("the publishing host's own waiters wake at once, and once") {
    auto own = b->subscribe("sign:7");
    b->publish("sign:7");
    CHECK(own->wait_until(Clock::now() + 5s));
    // Its own message coming back from Redis is skipped: no second wake-up.
    CHECK_FALSE(own->wait_until(Clock::now() + 1500ms));
  }
  CHECK(a->waiting() >= 1);
}

TEST_CASE("the relayed message is '<instance> <topic>' on <prefix>events, and a foreign one wakes local waiters") {
  test::RedisServer redis;
  auto a = cluster::make_redis_event_bus(settings_for(redis, "zy:"), quiet_log());
  auto sub = a->subscribe("login:abc");
  const auto r = redis.cli("PUBLISH zy:events 'someotherhost login:abc'");
  REQUIRE(r.exit_code == 0);
  CHECK(sub->wait_until(Clock::now() + 30s));
  // Malformed messages are ignored.
  redis.cli("PUBLISH zy:events nospace");
  CHECK_FALSE(sub->wait_until(Clock::now() + 1500ms));
}

TEST_CASE("Redis down: publish does not throw, waits wake every second, and cross-host wake-ups return after restart") {
  test::RedisServer redis;
  auto a = cluster::make_redis_event_bus(settings_for(redis), quiet_log());
  auto b = cluster::make_redis_event_bus(settings_for(redis), quiet_log());
  REQUIRE(crosses(*b, *a, "login:1", 30s));

  redis.stop();
  CHECK_NOTHROW(b->publish("login:1"));
  {
    // Local waiters still wake at once.
    auto local = b->subscribe("login:2");
    b->publish("login:2");
    CHECK(local->wait_until(Clock::now() + 5s));
  }
  {
    // A waiter on A wakes (to re-read the store) long before its deadline.
    auto sub = a->subscribe("login:3");
    const auto started = Clock::now();
    const bool woken = sub->wait_until(started + 60s);
    CHECK(woken);
    CHECK(Clock::now() - started < 30s);
  }

  redis.start();
  CHECK(crosses(*b, *a, "login:4", 60s));
}

TEST_CASE("close() wakes every waiter and stops the bus promptly, with Redis up or down") {
  test::RedisServer redis;
  auto bus = cluster::make_redis_event_bus(settings_for(redis), quiet_log());
  auto sub = bus->subscribe("login:x");
  std::atomic<bool> woke{false};
  std::thread waiter([&] { woke = sub->wait_until(Clock::now() + 120s); });
  std::this_thread::sleep_for(200ms);
  bus->close();
  waiter.join();
  CHECK(woke);
  CHECK(bus->closed());
  CHECK(sub->wait_until(Clock::now() + 120s));  // at once after close

  redis.stop();
  auto orphan = cluster::make_redis_event_bus(settings_for(redis), quiet_log());  // Redis unreachable from the start
  auto local = orphan->subscribe("t");
  orphan->publish("t");
  CHECK(local->wait_until(Clock::now() + 5s));
  local.reset();
  orphan->close();
  CHECK(orphan->closed());
}

TEST_CASE("the Redis rate window counts one (client, second) across hosts and refuses with QuotaUnavailable when Redis is down") {
  test::RedisServer redis;
  auto a = cluster::make_redis_rate_window(settings_for(redis));
  auto b = cluster::make_redis_rate_window(settings_for(redis));
  const std::int64_t second = 1'900'000'000;
  CHECK(a->hit("client-1", second) == 1);
  CHECK(b->hit("client-1", second) == 2);
  CHECK(a->hit("client-1", second) == 3);
  CHECK(b->hit("client-2", second) == 1);      // per client
  CHECK(b->hit("client-1", second + 1) == 1);  // per second

  // The key expires by itself (a second's count is not kept).
  const auto ttl = redis.cli("TTL t:rate:client-1:" + std::to_string(second));
  INFO(ttl.output);
  const int seconds_left = std::stoi(ttl.output);
  CHECK(seconds_left > 0);
  CHECK(seconds_left <= 5);

  SECTION("concurrent hits are all counted") {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
      threads.emplace_back([&, t] {
        auto& w = t % 2 ? a : b;
        for (int i = 0; i < 50; ++i) w->hit("busy", second);
      });
    for (auto& t : threads) t.join();
    CHECK(a->hit("busy", second) == 201);
  }

  SECTION("Redis down: QuotaUnavailable, then back by itself") {
    redis.stop();
    CHECK_THROWS_AS(a->hit("client-1", second), quota::QuotaUnavailable);
    CHECK_THROWS_AS(b->hit("client-1", second), quota::QuotaUnavailable);
    redis.start();
    std::int64_t count = 0;
    for (int i = 0; i < 100 && count == 0; ++i) {
      try {
        count = a->hit("client-1", second + 7);
      } catch (const quota::QuotaUnavailable&) {
        std::this_thread::sleep_for(100ms);  // fail-fast window after the outage
      }
    }
    CHECK(count == 1);
  }
}

TEST_CASE("the rate window refuses with QuotaUnavailable when Redis was never there") {
  cluster::RedisSettings s;
  s.host = "127.0.0.1";
  s.port = test::free_loopback_port();
  s.timeout_ms = 200;
  auto w = cluster::make_redis_rate_window(s);
  CHECK_THROWS_AS(w->hit("c", 1), quota::QuotaUnavailable);
}
