#include <zhaoyin/flow/event_bus.h>

#include <condition_variable>
#include <mutex>
#include <unordered_map>

namespace zhaoyin::flow {

namespace {

class LocalEventBus : public EventBus, public std::enable_shared_from_this<LocalEventBus> {
 public:
  struct Topic {
    std::condition_variable changed;
    std::uint64_t version = 0;
    std::size_t subscribers = 0;
  };

  class LocalSubscription : public Subscription {
   public:
    LocalSubscription(std::shared_ptr<LocalEventBus> bus, std::string name, Topic& topic, std::uint64_t seen)
        : bus_(std::move(bus)), name_(std::move(name)), topic_(topic), seen_(seen) {}
    ~LocalSubscription() override { bus_->unsubscribe(name_); }

    bool wait_until(Deadline deadline) override {
      std::unique_lock lock(bus_->mutex_);
      const bool changed = topic_.changed.wait_until(
          lock, deadline, [this] { return bus_->closed_ || topic_.version != seen_; });
      seen_ = topic_.version;
      return changed;
    }

   private:
    std::shared_ptr<LocalEventBus> bus_;
    std::string name_;
    Topic& topic_;  // stable: unordered_map nodes do not move, and the entry lives while subscribed
    std::uint64_t seen_;
  };

  std::unique_ptr<Subscription> subscribe(const std::string& name) override {
    std::lock_guard lock(mutex_);
    Topic& topic = topics_[name];
    ++topic.subscribers;
    ++waiting_;
    return std::make_unique<LocalSubscription>(shared_from_this(), name, topic, topic.version);
  }

  void publish(const std::string& name) override {
    std::lock_guard lock(mutex_);
    const auto it = topics_.find(name);
    if (it == topics_.end()) return;  // nobody waits: nothing to wake
    ++it->second.version;
    it->second.changed.notify_all();
  }

  void close() override {
    std::lock_guard lock(mutex_);
    closed_ = true;
    for (auto& [name, topic] : topics_) topic.changed.notify_all();
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

  mutable std::mutex mutex_;
  std::unordered_map<std::string, Topic> topics_;
  std::size_t waiting_ = 0;
  bool closed_ = false;
};

}  // namespace

std::shared_ptr<EventBus> make_local_event_bus() { return std::make_shared<LocalEventBus>(); }

}  // namespace zhaoyin::flow
