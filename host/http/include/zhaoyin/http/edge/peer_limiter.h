#pragma once
// Counts open connections per peer address and in total. The front asks
// before it keeps an accepted connection, so one address (one attacker, or a
// buggy client in a loop) cannot take every connection slot.
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace zhaoyin::http::edge {

class PeerLimiter {
 public:
  enum class Verdict { Admitted, PeerFull, ServerFull };

  PeerLimiter(std::size_t per_peer, std::size_t total) : per_peer_(per_peer), total_max_(total) {}

  Verdict acquire(const std::string& peer);
  void release(const std::string& peer);  // once per Admitted acquire
  std::size_t open(const std::string& peer) const;

 private:
  const std::size_t per_peer_;
  const std::size_t total_max_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> open_;
  std::size_t total_ = 0;
};

}  // namespace zhaoyin::http::edge
