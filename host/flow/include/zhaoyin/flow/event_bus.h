#pragma once
// Wakes the requests waiting on a flow (a long-poll, an SSE stream, a hosted
// QR page) when that flow changes. Notifications carry no data: the store is
// the truth, a woken waiter re-reads it. A topic is a flow's name, e.g.
// "login:<id>" or "sign:<id>".
//
// Use: subscribe first, then read the state, then wait — a change published
// between the read and the wait is not lost, because the subscription counts
// from the moment it was made.
//
//   auto sub = bus.subscribe("login:" + id);
//   auto state = repo.find(id);             // decide from the store
//   if (state->status == last) sub->wait_until(deadline);
//
// LocalEventBus serves one process; a multi-host deployment swaps in one that
// also relays publish() between hosts (Redis), behind the same interface.
#include <chrono>
#include <memory>
#include <string>

namespace zhaoyin::flow {

class EventBus {
 public:
  using Deadline = std::chrono::steady_clock::time_point;

  class Subscription {
   public:
    virtual ~Subscription() = default;
    // Returns true as soon as the topic has been published since the
    // subscription was made or since the previous wait returned true; false at
    // the deadline. Returns true at once after close().
    virtual bool wait_until(Deadline deadline) = 0;
  };

  virtual ~EventBus() = default;
  virtual std::unique_ptr<Subscription> subscribe(const std::string& topic) = 0;
  virtual void publish(const std::string& topic) = 0;
  // The host is stopping: wake every waiter now and let later waits return at once.
  virtual void close() = 0;
  virtual bool closed() const = 0;
  // How many subscriptions are open (for /metrics: waiting clients).
  virtual std::size_t waiting() const = 0;
};

// In-process bus: one mutex, one condition variable per topic with waiters.
std::shared_ptr<EventBus> make_local_event_bus();

}  // namespace zhaoyin::flow
