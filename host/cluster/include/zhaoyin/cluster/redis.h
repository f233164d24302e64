#pragma once
// Several hosts behind one load balancer share their store (PostgreSQL) and
// talk through Redis: a flow changed on host B wakes the clients waiting on
// host A at once, and rate limits count requests across hosts.
//
// Both are optional: without redis.host every host works alone (the local
// event bus, the in-memory rate window).
#include <memory>
#include <string>
#include <zhaoyin/authority/shared_cache.h>
#include <zhaoyin/flow/event_bus.h>
#include <zhaoyin/http/log.h>
#include <zhaoyin/quota/usage_gate.h>

namespace zhaoyin::cluster {

struct RedisSettings {
  std::string host;             // redis.host (empty: no Redis)
  int port = 6379;              // redis.port
  std::string prefix = "zhaoyin:";  // redis.prefix: keys and channels start with it (several deployments, one Redis)
  int timeout_ms = 2000;        // redis.timeout_ms: connect/read timeout of one command
};

// An event bus that publishes every topic to this host's waiters and, through
// Redis pub/sub, to every other host's. While Redis is unreachable it keeps
// serving this host's waiters, makes waits wake periodically so waiters re-read
// the store (the truth), and reconnects by itself.
std::shared_ptr<flow::EventBus> make_redis_event_bus(const RedisSettings& settings, std::shared_ptr<http::JsonLog> log);

// The per-second request counts of every host, in Redis (INCR with a short
// expiry). Throws quota::QuotaUnavailable while Redis is unreachable.
std::shared_ptr<quota::RateWindow> make_redis_rate_window(const RedisSettings& settings);

// The http authority connector's verified answers, shared by every host
// (authority/shared_cache.h). While Redis is unreachable: misses, and each
// host's own cache goes on.
std::shared_ptr<authority::SharedAnswerCache> make_redis_answer_cache(const RedisSettings& settings);

}  // namespace zhaoyin::cluster
