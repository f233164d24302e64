// UsageGate: the peak rate and the annual volume an access application was
// approved for, enforced per request, and the day's counts kept for the
// operator's charts.
//
// Nothing is written to the store per request. Admissions and refusals are
// added to `pending` in memory; a background thread moves them to the store
// every second (flush). The annual volume is checked against this year's
// admitted count as the store last showed it plus what this host has counted
// and not yet written, so hosts sharing one store agree within about a flush
// interval or two (each host sees the others' admissions once they flushed
// and it re-read them).
#include <zhaoyin/quota/usage_gate.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <zhaoyin/store/database.h>

#include "calendar.h"
#include "usage_table.h"

namespace zhaoyin::quota {

namespace {

// An application's year entry is dropped after this long without a request
// (and re-read from the store when it comes back).
constexpr auto kForgetIdleClient = std::chrono::minutes(10);
constexpr int kMaxDailyDays = 3660;

// This host's view of one application's admitted count in one year.
struct YearCount {
  int year = 0;
  bool stored_known = false;    // `stored` was read from the store
  std::int64_t stored = 0;      // admitted, as the store showed it (all hosts)
  std::int64_t unwritten = 0;   // admitted here and not yet in the store
  std::chrono::system_clock::time_point last_used{};
};

int year_of_day_text(const std::string& day) { return std::stoi(day.substr(0, 4)); }

}  // namespace

struct UsageGate::State {
  std::shared_ptr<store::Database> db;
  Clock clock;

  std::mutex window_mutex;
  std::shared_ptr<RateWindow> window;

  // pending, in_flight, years and last_error.
  mutable std::mutex mutex;
  DayIncrements pending;    // counted, not yet handed to the store
  DayIncrements in_flight;  // being written by flush() right now
  std::unordered_map<std::string, YearCount> years;
  std::string last_error;

  // One flush at a time; year loads and readers hold it too, so that what is
  // in the store and what is still in memory are never counted twice or missed.
  std::mutex flush_mutex;

  std::mutex stop_mutex;
  std::condition_variable stop_signal;
  bool stopping = false;
  std::thread flusher;

  std::shared_ptr<RateWindow> current_window() {
    std::lock_guard<std::mutex> lock(window_mutex);
    return window;
  }

  // The request's count in its second. Without a declared peak rate an
  // unreachable shared window does not refuse anyone (the count only feeds the
  // day's peak, which then stays unknown for that request).
  std::int64_t count_in_second(const store::Application& app, std::int64_t second) {
    try {
      return current_window()->hit(app.client_id, second);
    } catch (const std::exception& e) {
      if (app.peak_rate <= 0) return 0;
      if (dynamic_cast<const QuotaUnavailable*>(&e)) throw;
      throw QuotaUnavailable(std::string("the rate window cannot be reached: ") + e.what());
    }
  }

  // Makes sure years[client] holds the store's admitted count for `year`.
  void load_year(const std::string& client_id, int year) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      const auto it = years.find(client_id);
      if (it != years.end() && it->second.year == year && it->second.stored_known) return;
    }
    std::lock_guard<std::mutex> no_flush(flush_mutex);
    std::int64_t stored = 0;
    try {
      stored = UsageTable(*db).admitted_between(client_id, calendar::first_day_of(year), calendar::last_day_of(year));
    } catch (const std::exception& e) {
      throw QuotaUnavailable(std::string("this year's usage cannot be read from the store: ") + e.what());
    }
    std::lock_guard<std::mutex> lock(mutex);
    auto& y = years[client_id];
    if (y.year != year) y = YearCount{year};
    y.stored = stored;
    y.stored_known = true;
  }

  void run_flusher(std::chrono::milliseconds interval, UsageGate& gate) {
    std::unique_lock<std::mutex> lock(stop_mutex);
    while (!stopping) {
      stop_signal.wait_for(lock, interval, [this] { return stopping; });
      if (stopping) break;
      lock.unlock();
      gate.flush();  // never throws
      lock.lock();
    }
  }

  // After a write: the counts written are in the store now, not "unwritten".
  void account_written(const DayIncrements& written) {
    for (const auto& [key, inc] : written) {
      const auto it = years.find(key.first);
      if (it == years.end() || it->second.year != year_of_day_text(key.second)) continue;
      it->second.unwritten -= inc.admitted;
      if (it->second.stored_known) it->second.stored += inc.admitted;
    }
  }

  // Re-reads the stored year counts (other hosts' admissions) and forgets
  // applications idle for a while. Runs under flush_mutex.
  void refresh_years(std::chrono::system_clock::time_point now) {
    std::vector<std::pair<std::string, int>> known;
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (auto it = years.begin(); it != years.end();) {
        if (it->second.unwritten == 0 && now - it->second.last_used > kForgetIdleClient) {
          it = years.erase(it);
          continue;
        }
        if (it->second.stored_known) known.emplace_back(it->first, it->second.year);
        ++it;
      }
    }
    UsageTable table(*db);
    for (const auto& [client_id, year] : known) {
      const auto stored =
          table.admitted_between(client_id, calendar::first_day_of(year), calendar::last_day_of(year));
      std::lock_guard<std::mutex> lock(mutex);
      const auto it = years.find(client_id);
      if (it != years.end() && it->second.year == year) it->second.stored = stored;
    }
  }

  // Counts of `client_id` still in memory (pending and being written), by day.
  DayIncrements unwritten_of(const std::string& client_id) const {
    DayIncrements out;
    for (const auto* m : {&pending, &in_flight})
      for (auto it = m->lower_bound({client_id, ""}); it != m->end() && it->first.first == client_id; ++it)
        out[it->first].add(it->second);
    return out;
  }
};

UsageGate::UsageGate(std::shared_ptr<store::Database> db, std::shared_ptr<RateWindow> window)
    : UsageGate(std::move(db), std::move(window), [] { return std::chrono::system_clock::now(); }) {}

UsageGate::UsageGate(std::shared_ptr<store::Database> db, std::shared_ptr<RateWindow> window, Clock clock,
                     std::chrono::milliseconds flush_interval)
    : state_(std::make_unique<State>()) {
  if (!db) throw std::invalid_argument("UsageGate needs a store");
  if (!window) throw std::invalid_argument("UsageGate needs a rate window");
  state_->db = std::move(db);
  state_->window = std::move(window);
  state_->clock = clock ? std::move(clock) : [] { return std::chrono::system_clock::now(); };
  if (flush_interval.count() > 0)
    state_->flusher = std::thread([this, flush_interval] { state_->run_flusher(flush_interval, *this); });
}

UsageGate::~UsageGate() {
  {
    std::lock_guard<std::mutex> lock(state_->stop_mutex);
    state_->stopping = true;
  }
  state_->stop_signal.notify_all();
  if (state_->flusher.joinable()) state_->flusher.join();
  flush();  // whatever is left; a failure here is recorded, not thrown
}

Admission UsageGate::admit(const store::Application& app, std::string_view need) {
  auto& s = *state_;
  const auto now = s.clock();
  const auto day = calendar::day_number(now);
  const int year = calendar::year_of(day);
  const auto count = s.count_in_second(app, calendar::epoch_second(now));
  if (app.annual_volume > 0) s.load_year(app.client_id, year);

  std::lock_guard<std::mutex> lock(s.mutex);
  auto& today = s.pending[{app.client_id, calendar::day_text(day)}];
  today.peak_per_second = std::max(today.peak_per_second, count);
  auto& y = s.years[app.client_id];
  if (y.year != year) y = YearCount{year};  // a new year (or a first request)
  y.last_used = now;

  if (app.peak_rate > 0 && count > app.peak_rate) {
    ++today.refused;
    Admission refused;
    refused.admitted = false;
    refused.status = 429;
    refused.code = "rate_limited";
    refused.message = "application " + app.client_id + " declared a peak rate (验证峰值) of " +
                      std::to_string(app.peak_rate) + " verification(s) per second; this " + std::string(need) +
                      " request is number " + std::to_string(count) + " in this second — retry after 1 second";
    refused.retry_after_seconds = 1;
    return refused;
  }
  if (app.annual_volume > 0 && y.stored + y.unwritten >= app.annual_volume) {
    ++today.refused;
    Admission refused;
    refused.admitted = false;
    refused.status = 403;
    refused.code = "annual_volume_exceeded";
    refused.message = "application " + app.client_id + " has used its annual volume (年验证量) of " +
                      std::to_string(app.annual_volume) + " verifications for " + std::to_string(year) +
                      " (China Standard Time); " + std::string(need) + " requests are refused until 1 January " +
                      std::to_string(year + 1) + " or until the approved volume is raised";
    return refused;
  }
  ++today.admitted;
  ++y.unwritten;
  return {};
}

std::vector<DayUsage> UsageGate::daily(const std::string& client_id, int days) const {
  auto& s = *state_;
  days = std::clamp(days, 0, kMaxDailyDays);
  if (days == 0) return {};
  const auto last = calendar::day_number(s.clock());
  const auto first = last - days + 1;
  std::lock_guard<std::mutex> no_flush(s.flush_mutex);
  auto rows = UsageTable(*s.db).rows_between(client_id, calendar::day_text(first), calendar::day_text(last));
  DayIncrements unwritten;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    unwritten = s.unwritten_of(client_id);
  }
  for (const auto& [key, inc] : unwritten) {
    auto it = rows.find(key.second);
    if (it == rows.end()) continue;  // handled below if within range
    it->second.admitted += inc.admitted;
    it->second.refused += inc.refused;
    it->second.peak_per_second = std::max(it->second.peak_per_second, inc.peak_per_second);
  }
  std::vector<DayUsage> out;
  out.reserve(static_cast<std::size_t>(days));
  for (auto d = first; d <= last; ++d) {
    const auto text = calendar::day_text(d);
    DayUsage u;
    u.day = text;
    if (const auto it = rows.find(text); it != rows.end()) {
      u = it->second;
    } else if (const auto m = unwritten.find({client_id, text}); m != unwritten.end()) {
      u.admitted = m->second.admitted;
      u.refused = m->second.refused;
      u.peak_per_second = m->second.peak_per_second;
    }
    out.push_back(u);
  }
  return out;
}

std::int64_t UsageGate::year_total(const std::string& client_id) const {
  auto& s = *state_;
  const int year = calendar::year_of(calendar::day_number(s.clock()));
  std::lock_guard<std::mutex> no_flush(s.flush_mutex);
  std::int64_t total =
      UsageTable(*s.db).admitted_between(client_id, calendar::first_day_of(year), calendar::last_day_of(year));
  std::lock_guard<std::mutex> lock(s.mutex);
  for (const auto& [key, inc] : s.unwritten_of(client_id))
    if (year_of_day_text(key.second) == year) total += inc.admitted;
  return total;
}

void UsageGate::flush() {
  auto& s = *state_;
  try {
    std::lock_guard<std::mutex> one_flush(s.flush_mutex);
    DayIncrements batch;
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      batch.swap(s.pending);
      s.in_flight = batch;
    }
    try {
      UsageTable(*s.db).add(batch);
    } catch (const std::exception& e) {
      // Keep every count for the next try: merge the batch back.
      std::lock_guard<std::mutex> lock(s.mutex);
      for (const auto& [key, inc] : batch) s.pending[key].add(inc);
      s.in_flight.clear();
      s.last_error = std::string("writing usage counts failed: ") + e.what();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      s.in_flight.clear();
      s.account_written(batch);
      s.last_error.clear();
    }
    bool stopping = false;
    {
      std::lock_guard<std::mutex> lock(s.stop_mutex);
      stopping = s.stopping;
    }
    if (stopping) return;  // the last flush: nobody will ask again
    try {
      s.refresh_years(s.clock());
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(s.mutex);
      s.last_error = std::string("re-reading this year's usage failed: ") + e.what();
    }
  } catch (...) {
    // Never out of the flusher thread or the destructor.
    try {
      std::lock_guard<std::mutex> lock(s.mutex);
      s.last_error = "flushing usage counts failed";
    } catch (...) {
    }
  }
}

std::string UsageGate::last_flush_error() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->last_error;
}

void UsageGate::set_window(std::shared_ptr<RateWindow> window) {
  if (!window) throw std::invalid_argument("UsageGate needs a rate window");
  std::lock_guard<std::mutex> lock(state_->window_mutex);
  state_->window = std::move(window);
}

}  // namespace zhaoyin::quota
