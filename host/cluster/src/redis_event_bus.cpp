// PLACEHOLDER (the cluster helper replaces this file).
#include <stdexcept>
#include <zhaoyin/cluster/redis.h>

namespace zhaoyin::cluster {

std::shared_ptr<flow::EventBus> make_redis_event_bus(const RedisSettings&, std::shared_ptr<http::JsonLog>) {
  throw std::runtime_error("redis.host is set but Redis support is not built yet");
}

std::shared_ptr<quota::RateWindow> make_redis_rate_window(const RedisSettings&) {
  throw std::runtime_error("redis.host is set but Redis support is not built yet");
}

}  // namespace zhaoyin::cluster
