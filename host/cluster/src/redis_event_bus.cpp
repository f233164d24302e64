// The event bus of a host among several: this host's waiters are woken in
// process (as by the local bus), and every topic is also relayed through Redis
// pub/sub on "<prefix>events" as "<instance id> <topic>", so that a flow
// answered on host B wakes the client waiting on host A.
//
// Threads: a publisher (drains the queue of topics to relay, pipelining them on
// its own connection, and pings the subscriber's connection every second so a
// silent outage shows up as a read timeout) and a subscriber (SUBSCRIBE on a
// connection of its own, blocking reads, forwards other hosts' topics to the
// local waiters). Redis down: publish() still wakes local waiters and never
// throws, the subscriber reconnects with backoff, and every wait returns at
// least once a second so waiters re-read the store, which is the truth.
#include <Poco/Exception.h>
#include <Poco/Redis/Type.h>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "redis_connection.h"
#include "throttled_log.h"

namespace zhaoyin::cluster {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kUnlinkedWakeInterval = std::chrono::seconds(1);
constexpr auto kPingInterval = std::chrono::seconds(1);
constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kLastBackoff = std::chrono::seconds(2);
constexpr std::size_t kMaxQueuedTopics = 100000;  // beyond this (Redis slow or gone) the oldest are dropped

class RedisEventBus : public flow::EventBus, public std::enable_shared_from_this<RedisEventBus> {
 public:
  struct Topic {
    std::condition_variable changed;
    std::uint64_t version = 0;
    std::size_t subscribers = 0;
  };

  class RedisSubscription : public Subscription {
   public:
    RedisSubscription(std::shared_ptr<RedisEventBus> bus, std::string name, Topic& topic)
        : bus_(std::move(bus)), name_(std::move(name)), topic_(topic), seen_(topic.version), seen_epoch_(bus_->epoch_) {}
    ~RedisSubscription() override { bus_->unsubscribe(name_); }

    bool wait_until(Deadline deadline) override {
      std::unique_lock lock(bus_->mutex_);
      const auto woken = [this] {
        return bus_->closed_ || topic_.version != seen_ || bus_->epoch_ != seen_epoch_;
      };
      bool changed = woken();
      while (!changed) {
        // Not linked to Redis: another host's change would not reach us, so
        // wake at least once a second and let the caller re-read the store.
        const bool linked = bus_->linked_;
        const auto until = linked ? deadline : std::min(deadline, Clock::now() + kUnlinkedWakeInterval);
        changed = topic_.changed.wait_until(lock, until, woken);
        if (changed || until == deadline || Clock::now() >= deadline) break;
        if (!bus_->linked_) { changed = true; break; }  // a periodic wake while Redis is away
      }
      seen_ = topic_.version;
      seen_epoch_ = bus_->epoch_;
      return changed;
    }

   private:
    std::shared_ptr<RedisEventBus> bus_;
    std::string name_;
    Topic& topic_;  // stable: unordered_map nodes do not move, and the entry lives while subscribed
    std::uint64_t seen_;
    std::uint64_t seen_epoch_;
  };

  RedisEventBus(RedisSettings settings, std::shared_ptr<http::JsonLog> log)
      : settings_(std::move(settings)), log_(std::move(log)), channel_(settings_.prefix + "events"),
        instance_id_(detail::random_instance_id()),
        publish_failed_(log_, "redis publish failed: other hosts learn of this change when their waiters re-read the store"),
        subscribe_failed_(log_, "redis subscription lost: waiters re-read the store every second until it is back") {}

  ~RedisEventBus() override { stop_threads(); }

  void start() {
    subscriber_ = std::thread([this] { subscribe_loop(); });
    publisher_ = std::thread([this] { publish_loop(); });
    // Give the subscription a moment to be in place before the host says it
    // is ready; Redis being down does not stop the host (waiters poll).
    std::unique_lock lock(mutex_);
    linked_changed_.wait_for(lock, std::chrono::milliseconds(settings_.timeout_ms), [this] { return linked_; });
  }

  std::unique_ptr<Subscription> subscribe(const std::string& name) override {
    std::lock_guard lock(mutex_);
    Topic& topic = topics_[name];
    ++topic.subscribers;
    ++waiting_;
    return std::make_unique<RedisSubscription>(shared_from_this(), name, topic);
  }

  void publish(const std::string& name) override {
    wake_local(name);
    std::lock_guard lock(queue_mutex_);
    if (stopping_) return;
    if (queue_.size() >= kMaxQueuedTopics) queue_.pop_front();
    queue_.push_back(name);
    queue_changed_.notify_one();
  }

  void close() override {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      for (auto& [name, topic] : topics_) topic.changed.notify_all();
    }
    stop_threads();
  }

  bool closed() const override {
    std::lock_guard lock(mutex_);
    return closed_;
  }

  std::size_t waiting() const override {
    std::lock_guard lock(mutex_);
    return waiting_;
  }

 private:
  void unsubscribe(const std::string& name) {
    std::lock_guard lock(mutex_);
    --waiting_;
    const auto it = topics_.find(name);
    if (it != topics_.end() && --it->second.subscribers == 0) topics_.erase(it);
  }

  void wake_local(const std::string& name) {
    std::lock_guard lock(mutex_);
    const auto it = topics_.find(name);
    if (it == topics_.end()) return;  // nobody waits here: nothing to wake
    ++it->second.version;
    it->second.changed.notify_all();
  }

  // Every waiter re-reads the store: on (re)linking, changes may have been
  // missed while the subscription was away; on unlinking, waiters switch to
  // periodic re-reads.
  void set_linked(bool linked) {
    std::lock_guard lock(mutex_);
    linked_ = linked;
    ++epoch_;
    for (auto& [name, topic] : topics_) topic.changed.notify_all();
    linked_changed_.notify_all();
  }

  bool stopping() {
    std::lock_guard lock(queue_mutex_);
    return stopping_;
  }

  // Sleeps up to `delay` unless the bus is stopping; returns false when it is.
  bool pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(queue_mutex_);
    return !backoff_.wait_for(lock, delay, [this] { return stopping_; });
  }

  // ---- subscriber --------------------------------------------------------------------------

  void subscribe_loop() {
    auto backoff = std::chrono::milliseconds(kFirstBackoff);
    while (!stopping()) {
      std::unique_ptr<Poco::Redis::Client> client;  // outlives sub_client_ (reset below, before it dies)
      try {
        client = detail::connect_redis(settings_);
        // Reads block until a message, a pong (one per second) or the timeout
        // that reveals a silent outage.
        client->setReceiveTimeout(Poco::Timespan(
            static_cast<Poco::Timespan::TimeDiff>(std::max(settings_.timeout_ms, 1000) + 2000) * 1000));
        {
          std::lock_guard lock(sub_write_mutex_);
          sub_client_ = client.get();
          client->execute<void>(detail::redis_command({"SUBSCRIBE", channel_}));
          client->flush();
        }
        read_messages(*client, backoff);
      } catch (const Poco::Exception& e) {
        if (!stopping()) subscribe_failed_.warn(e.displayText(), detail::redis_address(settings_));
      } catch (const std::exception& e) {
        if (!stopping()) subscribe_failed_.warn(e.what(), detail::redis_address(settings_));
      }
      {
        std::lock_guard lock(sub_write_mutex_);
        sub_client_ = nullptr;
      }
      if (linked()) set_linked(false);
      if (!pause(backoff)) break;
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, kLastBackoff);
    }
  }

  bool linked() {
    std::lock_guard lock(mutex_);
    return linked_;
  }

  void read_messages(Poco::Redis::Client& client, std::chrono::milliseconds& backoff) {
    while (!stopping()) {
      Poco::Redis::Array reply;
      client.readReply(reply);
      if (reply.size() < 2) continue;
      const std::string kind = reply.get<Poco::Redis::BulkString>(0).value("");
      if (kind == "subscribe") {
        set_linked(true);
        backoff = kFirstBackoff;
        subscribe_failed_.reset();
        if (log_) log_->info("redis events linked", {{"redis", detail::redis_address(settings_)}, {"channel", channel_},
                                                     {"instance", instance_id_}});
      } else if (kind == "message" && reply.size() >= 3) {
        const std::string payload = reply.get<Poco::Redis::BulkString>(2).value("");
        const auto space = payload.find(' ');
        if (space == std::string::npos) continue;
        if (payload.compare(0, space, instance_id_) == 0) continue;  // ours: already woken locally
        wake_local(payload.substr(space + 1));
      }
      // "pong": the connection is alive; nothing to do.
    }
  }

  // ---- publisher ---------------------------------------------------------------------------

  void publish_loop() {
    std::unique_ptr<Poco::Redis::Client> client;
    auto retry_at = Clock::now();
    auto next_ping = Clock::now() + kPingInterval;
    for (;;) {
      std::vector<std::string> batch;
      {
        std::unique_lock lock(queue_mutex_);
        queue_changed_.wait_until(lock, next_ping, [this] { return stopping_ || !queue_.empty(); });
        if (stopping_) break;
        while (!queue_.empty() && batch.size() < 512) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      if (Clock::now() >= next_ping) {
        ping_subscriber();
        next_ping = Clock::now() + kPingInterval;
      }
      if (batch.empty()) continue;
      if (!client && Clock::now() < retry_at) continue;  // Redis was just unreachable: local wake-ups only
      try {
        if (!client) client = detail::connect_redis(settings_);
        std::vector<Poco::Redis::Array> commands;
        commands.reserve(batch.size());
        for (const auto& topic : batch)
          commands.push_back(detail::redis_command({"PUBLISH", channel_, instance_id_ + " " + topic}));
        client->sendCommands(commands);
        publish_failed_.reset();
      } catch (const Poco::Exception& e) {
        client.reset();
        retry_at = Clock::now() + std::chrono::milliseconds(500);
        publish_failed_.warn(e.displayText(), detail::redis_address(settings_));
      }
    }
    ping_subscriber();  // wakes the subscriber's blocking read so that it sees the stop
  }

  void ping_subscriber() {
    std::lock_guard lock(sub_write_mutex_);
    if (!sub_client_) return;
    try {
      sub_client_->execute<void>(detail::redis_command({"PING"}));
      sub_client_->flush();
    } catch (const Poco::Exception&) {
      // The subscriber's read fails too and reconnects.
    }
  }

  void stop_threads() {
    {
      std::lock_guard lock(queue_mutex_);
      stopping_ = true;
      queue_changed_.notify_all();
      backoff_.notify_all();
    }
    if (publisher_.joinable()) publisher_.join();
    if (subscriber_.joinable()) subscriber_.join();
  }

  RedisSettings settings_;
  std::shared_ptr<http::JsonLog> log_;
  const std::string channel_;
  const std::string instance_id_;
  detail::ThrottledWarning publish_failed_;
  detail::ThrottledWarning subscribe_failed_;

  // Local waiters.
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Topic> topics_;
  std::size_t waiting_ = 0;
  bool closed_ = false;
  bool linked_ = false;      // the subscription is in place: other hosts' topics arrive
  std::uint64_t epoch_ = 0;  // bumped when every waiter must re-read
  std::condition_variable linked_changed_;

  // Topics to relay, and the stop flag of both threads.
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::condition_variable backoff_;
  std::deque<std::string> queue_;
  bool stopping_ = false;

  // The subscriber's connection, written to by the publisher thread (pings).
  std::mutex sub_write_mutex_;
  Poco::Redis::Client* sub_client_ = nullptr;

  std::thread subscriber_;
  std::thread publisher_;
};

}  // namespace

std::shared_ptr<flow::EventBus> make_redis_event_bus(const RedisSettings& settings, std::shared_ptr<http::JsonLog> log) {
  auto bus = std::make_shared<RedisEventBus>(settings, std::move(log));
  bus->start();
  return bus;
}

}  // namespace zhaoyin::cluster
