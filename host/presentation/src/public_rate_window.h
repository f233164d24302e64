#pragma once
// A per-address request budget for the public display-code endpoints
// (GET /v/{code}, GET /api/v1/display-codes/{code}, POST
// /wallet/v1/display-codes/revocations): each costs the host an SM2
// verification and authority lookups, and anyone may call them, so one
// address gets `limit` requests per window and then 429 rate_limited with
// Retry-After until its window ends. The key is http::client_source (an IPv6
// /64 counts as one address; X-Forwarded-For only from trusted proxies).
//
// In memory, per host: behind a load balancer an address gets the budget once
// per host. At most max_keys addresses are remembered; when full, windows
// that have ended are dropped first, then the map is cleared (which can only
// let a client through, never lock one out). Thread-safe.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace zhaoyin::presentation {

class PublicRateWindow {
 public:
  using Clock = std::chrono::steady_clock;

  PublicRateWindow(int limit, std::chrono::seconds window, std::size_t max_keys = 100000)
      : limit_(limit), window_(window), max_keys_(max_keys) {}

  // 0 when `key` may go ahead now (and counts it); otherwise the whole seconds
  // until its window ends.
  std::int64_t admit(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Entry {
    Clock::time_point started;
    int count = 0;
  };
  int limit_;
  std::chrono::seconds window_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace zhaoyin::presentation
