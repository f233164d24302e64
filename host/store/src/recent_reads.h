#pragma once
// A short-lived per-process copy of rows the hot path reads on every request
// (issue 20: each lookup was a statement prepared, run and finalised per
// request, a sixth of a presentation's host CPU for the bearer token and its
// application alone).
//
// Freshness (docs/SECURITY.md, "Cached reads"):
// - on this host, a change made through the repository is seen by every lookup
//   that starts after the change returns: the repository calls changed() after
//   its commit, which empties the cache, and a load that began before that is
//   never stored (its ticket carries the old generation);
// - another host sharing the store (or another process on the same SQLite file)
//   sees it at most `ttl` after it commits: an entry is served only until `ttl`
//   after the moment its query started. A ttl of zero turns the cache off.
// Misses are not stored: an unknown key (a guessed token) always asks the store.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace zhaoyin::store {

template <class Value>
class RecentReads {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxEntries = 4096;  // emptied when full: a bound, not an eviction policy

  explicit RecentReads(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  struct Ticket {
    std::uint64_t generation;
    Clock::time_point started;
  };

  // Taken before the query whose result goes to put().
  Ticket ticket() const {
    std::lock_guard lock(mutex_);
    return {generation_, Clock::now()};
  }

  std::optional<Value> get(const std::string& key) const {
    if (ttl_.count() <= 0) return std::nullopt;
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end() || Clock::now() - it->second.started >= ttl_) return std::nullopt;
    return it->second.value;
  }

  void put(const std::string& key, const Value& value, const Ticket& ticket) {
    if (ttl_.count() <= 0) return;
    std::lock_guard lock(mutex_);
    if (ticket.generation != generation_) return;  // a local change committed meanwhile: not stored
    if (entries_.size() >= kMaxEntries && !entries_.count(key)) entries_.clear();
    entries_.insert_or_assign(key, Entry{value, ticket.started});
  }

  // After a local change committed: nothing loaded before it is served again.
  void changed() {
    std::lock_guard lock(mutex_);
    ++generation_;
    entries_.clear();
  }

 private:
  struct Entry {
    Value value;
    Clock::time_point started;
  };
  const std::chrono::milliseconds ttl_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace zhaoyin::store
