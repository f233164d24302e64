#pragma once
// A short-lived per-process copy of application_extensions rows, so the
// plugin manager and the script engine need not query the store on every
// request (issue 20: the lookup ran even when no application binds anything).
//
// Freshness (docs/SECURITY.md, "Cached reads"):
// - on this host, a change made through ExtensionBindingRepository::set is
//   seen by every lookup that starts after set() returns: set() bumps the
//   generation after its commit, which empties the cache, and a load that began
//   before the bump is never stored;
// - another host sharing the store sees it at most kTtl after it commits: an
//   entry is served only until kTtl after the moment its query started.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace zhaoyin::store {

class ExtensionBindingCache {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kTtl{1000};
  static constexpr std::size_t kMaxEntries = 4096;  // one per (application, kind); emptied when full

  struct Ticket {
    std::uint64_t generation;
    Clock::time_point started;
  };

  // Taken before the query whose result goes to put().
  Ticket ticket() const {
    std::lock_guard lock(mutex_);
    return {generation_, Clock::now()};
  }

  std::optional<std::vector<std::string>> get(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end() || Clock::now() - it->second.started >= kTtl) return std::nullopt;
    return it->second.names;
  }

  void put(const std::string& key, const std::vector<std::string>& names, const Ticket& ticket) {
    std::lock_guard lock(mutex_);
    if (ticket.generation != generation_) return;  // a local change committed meanwhile: not stored
    if (entries_.size() >= kMaxEntries && !entries_.count(key)) entries_.clear();
    entries_[key] = Entry{names, ticket.started};
  }

  // After a local change committed: nothing loaded before it is served again.
  void changed() {
    std::lock_guard lock(mutex_);
    ++generation_;
    entries_.clear();
  }

 private:
  struct Entry {
    std::vector<std::string> names;
    Clock::time_point started;
  };
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace zhaoyin::store
