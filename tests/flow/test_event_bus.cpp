// The in-process event bus: no lost wake-ups, deadlines honoured, close wakes all.
#include <catch2/catch.hpp>
#include <atomic>
#include <thread>
#include <zhaoyin/flow/event_bus.h>

using namespace zhaoyin;
using namespace std::chrono_literals;

namespace {
flow::EventBus::Deadline in(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }
}  // namespace

TEST_CASE("a publish between subscribe and wait is not lost", "[event_bus]") {
  auto bus = flow::make_local_event_bus();
  auto sub = bus->subscribe("login:1");
  bus->publish("login:1");  // e.g. the wallet answered while the long-poll read the store
  CHECK(sub->wait_until(in(10s)));
  CHECK_FALSE(sub->wait_until(in(50ms)));  // consumed: the next wait needs a new publish
}

TEST_CASE("a waiter wakes on its own topic only, and times out otherwise", "[event_bus]") {
  auto bus = flow::make_local_event_bus();
  auto sub = bus->subscribe("login:a");
  bus->publish("login:b");
  CHECK_FALSE(sub->wait_until(in(100ms)));
  std::thread publisher([&] {
    std::this_thread::sleep_for(50ms);
    bus->publish("login:a");
  });
  CHECK(sub->wait_until(in(30s)));
  publisher.join();
}

TEST_CASE("every subscriber of a topic wakes, and the count of waiters follows subscriptions", "[event_bus]") {
  auto bus = flow::make_local_event_bus();
  std::atomic<int> woken{0};
  std::vector<std::thread> waiters;
  std::vector<std::unique_ptr<flow::EventBus::Subscription>> subs;
  for (int i = 0; i < 4; ++i) subs.push_back(bus->subscribe("sign:x"));
  CHECK(bus->waiting() == 4);
  for (auto& s : subs)
    waiters.emplace_back([&woken, sub = s.get()] {
      if (sub->wait_until(std::chrono::steady_clock::now() + 30s)) ++woken;
    });
  bus->publish("sign:x");
  for (auto& t : waiters) t.join();
  CHECK(woken == 4);
  subs.clear();
  CHECK(bus->waiting() == 0);
}

TEST_CASE("close wakes every waiter at once and later waits return immediately", "[event_bus]") {
  auto bus = flow::make_local_event_bus();
  auto sub = bus->subscribe("login:z");
  std::thread closer([&] {
    std::this_thread::sleep_for(50ms);
    bus->close();
  });
  CHECK(sub->wait_until(in(60s)));
  closer.join();
  CHECK(bus->closed());
  CHECK(bus->subscribe("login:q")->wait_until(in(60s)));
}
