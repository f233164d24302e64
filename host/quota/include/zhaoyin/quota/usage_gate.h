#pragma once
// What an approved access application declared it would use, enforced: its
// peak rate (验证峰值, verifications per second) and its annual volume
// (年验证量). Every verification a relying party asks for — a login session,
// a presentation, a sign task, an OpenID Connect authorization — passes
// through UsageGate::admit first. Admitted and refused requests are counted
// per application and day (the operator's usage charts).
//
// The per-second count lives behind RateWindow so that several hosts can share
// it (Redis, host/cluster); the daily counts live in the store, which several
// hosts share already.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/store/application_repository.h>

namespace zhaoyin::store {
class Database;
}

namespace zhaoyin::quota {

// How many requests one application made in one second, across every host
// that shares the window. Thread-safe.
class RateWindow {
 public:
  virtual ~RateWindow() = default;
  // Adds one request by `client_id` in `epoch_second` and returns the count for
  // that (client, second) after adding. Throws QuotaUnavailable when the
  // shared counter cannot be reached (the caller answers 503).
  virtual std::int64_t hit(const std::string& client_id, std::int64_t epoch_second) = 0;
};

class QuotaUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One process: counts in memory, forgets seconds that have passed.
std::shared_ptr<RateWindow> make_local_rate_window();

// The outcome of admit(): admitted, or the refusal the HTTP edge sends.
struct Admission {
  bool admitted = true;
  int status = 200;                  // 429 rate_limited | 403 annual_volume_exceeded
  std::string code;                  // empty when admitted
  std::string message;
  int retry_after_seconds = 0;       // for 429: the Retry-After header
};

// One application's usage on one day (UTC+8, the day the relying party sees).
struct DayUsage {
  std::string day;                   // YYYY-MM-DD
  std::int64_t admitted = 0;
  std::int64_t refused = 0;
  std::int64_t peak_per_second = 0;  // the busiest second seen that day (requests, admitted or not)
};

class UsageGate {
 public:
  // What time it is (tests pass a fake one; the host uses the system clock).
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  UsageGate(std::shared_ptr<store::Database> db, std::shared_ptr<RateWindow> window);
  // The same with a chosen clock; a zero flush_interval starts no background
  // thread (counts are written by flush() and the destructor only).
  UsageGate(std::shared_ptr<store::Database> db, std::shared_ptr<RateWindow> window, Clock clock,
            std::chrono::milliseconds flush_interval = std::chrono::seconds(1));
  ~UsageGate();
  UsageGate(const UsageGate&) = delete;
  UsageGate& operator=(const UsageGate&) = delete;

  // Counts one request for `need` (login | presentation | signature) by `app`
  // and decides: beyond app.peak_rate in the current second → 429
  // rate_limited with Retry-After; this year's admitted count at
  // app.annual_volume → 403 annual_volume_exceeded. An application with a
  // limit of 0 has no limit of that kind. Throws QuotaUnavailable (→ 503).
  Admission admit(const store::Application& app, std::string_view need);

  // The last `days` days (oldest first, today last; days without requests are
  // zeros), and the admitted count of the current year.
  std::vector<DayUsage> daily(const std::string& client_id, int days) const;
  std::int64_t year_total(const std::string& client_id) const;

  // Writes counts not yet in the store. Called periodically by the gate itself
  // and at stop; safe to call from any thread.
  void flush();

  // Why the last flush failed ("" after a successful one). The counts it could
  // not write stay pending and go out with the next flush.
  std::string last_flush_error() const;

  void set_window(std::shared_ptr<RateWindow> window);  // multi-host: the shared (Redis) window

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace zhaoyin::quota
