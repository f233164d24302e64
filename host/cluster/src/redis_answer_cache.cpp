// The http authority connector's answers shared by every host through Redis
// (authority/shared_cache.h): GET <prefix><key>, SET <prefix><key> value PX ttl.
// Redis keeps nothing longer than the freshness the storing host gave the
// answer, and a reading host verifies the answer's signature again, so Redis
// is trusted with availability only, never with what the authority said.
//
// Redis unreachable: every lookup is a miss and every store is dropped — each
// host's own cache and the authority go on answering. After a failure the
// next second's calls skip Redis instead of each waiting for the connect
// timeout; then one connection is tried again.
#include <Poco/Exception.h>
#include <Poco/Redis/Type.h>
#include <mutex>

#include "redis_connection.h"

namespace zhaoyin::cluster {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSkipAfterFailure = std::chrono::seconds(1);

class RedisAnswerCache final : public authority::SharedAnswerCache {
 public:
  explicit RedisAnswerCache(RedisSettings settings) : settings_(std::move(settings)) {}

  std::optional<std::string> get(const std::string& key) override {
    std::optional<std::string> value;
    run([&](Poco::Redis::Client& client) {
      const auto reply = client.execute<Poco::Redis::BulkString>(detail::redis_command({"GET", settings_.prefix + key}));
      if (!reply.isNull()) value = reply.value();
    });
    return value;
  }

  void put(const std::string& key, const std::string& value, std::chrono::milliseconds ttl) override {
    if (ttl.count() <= 0) return;
    run([&](Poco::Redis::Client& client) {
      client.execute<std::string>(
          detail::redis_command({"SET", settings_.prefix + key, value, "PX", std::to_string(ttl.count())}));
    });
  }

 private:
  // One connection, one command at a time (commands take well under a
  // millisecond on a healthy Redis; a failed one ends the connection).
  template <class Command>
  void run(Command&& command) {
    std::lock_guard lock(mutex_);
    if (Clock::now() < skip_until_) return;
    try {
      if (!client_) client_ = detail::connect_redis(settings_);
      command(*client_);
    } catch (const Poco::Exception&) {
      client_.reset();
      skip_until_ = Clock::now() + kSkipAfterFailure;
    } catch (const std::exception&) {  // an unexpected reply type: the connection's state is unknown
      client_.reset();
      skip_until_ = Clock::now() + kSkipAfterFailure;
    }
  }

  RedisSettings settings_;
  std::mutex mutex_;
  std::unique_ptr<Poco::Redis::Client> client_;
  Clock::time_point skip_until_{};
};

}  // namespace

std::shared_ptr<authority::SharedAnswerCache> make_redis_answer_cache(const RedisSettings& settings) {
  return std::make_shared<RedisAnswerCache>(settings);
}

}  // namespace zhaoyin::cluster
