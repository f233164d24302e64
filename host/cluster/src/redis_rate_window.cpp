// The per-second request counter shared by every host: INCR
// <prefix>rate:<client>:<second> with a 5-second expiry, in one MULTI/EXEC so
// that a key never outlives its second. Connections come from a small pool;
// a connection that failed is dropped, not returned.
//
// Redis unreachable: QuotaUnavailable at once (the edge answers 503
// rate_limit_unavailable). After a failure the next attempts within half a
// second fail fast instead of each waiting for the connect timeout, so an
// outage does not pile up blocked request threads.
#include <Poco/Exception.h>
#include <mutex>
#include <vector>

#include "redis_connection.h"

namespace zhaoyin::cluster {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kPoolSize = 8;          // idle connections kept
constexpr int kKeyLifetimeSeconds = 5;         // a second's count is read only during that second
constexpr auto kFailFastWindow = std::chrono::milliseconds(500);

class RedisRateWindow : public quota::RateWindow {
 public:
  explicit RedisRateWindow(RedisSettings settings) : settings_(std::move(settings)) {}

  std::int64_t hit(const std::string& client_id, std::int64_t epoch_second) override {
    const std::string key = settings_.prefix + "rate:" + client_id + ":" + std::to_string(epoch_second);
    bool reused = false;
    auto client = take(reused);
    try {
      const std::int64_t count = count_on(*client, key);
      give_back(std::move(client));
      return count;
    } catch (const Poco::Exception& first) {
      // A pooled connection may have died with a Redis restart that is over
      // by now: one more try on a fresh connection before refusing.
      if (!reused) return unavailable(first);
      drop_idle();
    }
    try {
      client = detail::connect_redis(settings_);
      const std::int64_t count = count_on(*client, key);
      give_back(std::move(client));
      return count;
    } catch (const Poco::Exception& e) {
      return unavailable(e);
    }
  }

 private:
  static std::int64_t count_on(Poco::Redis::Client& client, const std::string& key) {
    const std::vector<Poco::Redis::Array> commands = {
        detail::redis_command({"MULTI"}), detail::redis_command({"INCR", key}),
        detail::redis_command({"EXPIRE", key, std::to_string(kKeyLifetimeSeconds)}), detail::redis_command({"EXEC"})};
    const Poco::Redis::Array replies = client.sendCommands(commands);
    // +OK, +QUEUED, +QUEUED, then EXEC's array: [count, 1].
    if (replies.size() != 4 || replies.getType(3) != Poco::Redis::RedisTypeTraits<Poco::Redis::Array>::TypeId)
      throw Poco::ProtocolException("unexpected reply to the rate counter transaction");
    const auto exec = replies.get<Poco::Redis::Array>(3);
    if (exec.isNull() || exec.size() < 1) throw Poco::ProtocolException("the rate counter transaction was aborted");
    return exec.get<Poco::Int64>(0);
  }

  [[noreturn]] std::int64_t unavailable(const Poco::Exception& e) {
    failed();
    throw quota::QuotaUnavailable("the shared rate counter (Redis " + detail::redis_address(settings_) +
                                  ") is unreachable: " + e.displayText());
  }

  std::unique_ptr<Poco::Redis::Client> take(bool& reused) {
    {
      std::lock_guard lock(mutex_);
      if (Clock::now() < fail_fast_until_)
        throw quota::QuotaUnavailable("the shared rate counter (Redis " + detail::redis_address(settings_) +
                                      ") was unreachable a moment ago");
      if (!idle_.empty()) {
        auto client = std::move(idle_.back());
        idle_.pop_back();
        reused = true;
        return client;
      }
    }
    try {
      return detail::connect_redis(settings_);
    } catch (const Poco::Exception& e) {
      unavailable(e);
    }
  }

  void give_back(std::unique_ptr<Poco::Redis::Client> client) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kPoolSize) idle_.push_back(std::move(client));
  }

  // A failed connection is gone (dropped by the caller); the idle ones were
  // made before the outage and are most likely dead too.
  void drop_idle() {
    std::lock_guard lock(mutex_);
    idle_.clear();
  }

  void failed() {
    std::lock_guard lock(mutex_);
    idle_.clear();
    fail_fast_until_ = Clock::now() + kFailFastWindow;
  }

  RedisSettings settings_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Poco::Redis::Client>> idle_;
  Clock::time_point fail_fast_until_{};
};

}  // namespace

std::shared_ptr<quota::RateWindow> make_redis_rate_window(const RedisSettings& settings) {
  return std::make_shared<RedisRateWindow>(settings);
}

}  // namespace zhaoyin::cluster
