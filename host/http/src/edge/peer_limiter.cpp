#include <zhaoyin/http/edge/peer_limiter.h>

namespace zhaoyin::http::edge {

PeerLimiter::Verdict PeerLimiter::acquire(const std::string& peer) {
  const std::lock_guard lock(mutex_);
  if (total_ >= total_max_) return Verdict::ServerFull;
  auto& n = open_[peer];
  if (n >= per_peer_) return Verdict::PeerFull;
  ++n;
  ++total_;
  return Verdict::Admitted;
}

void PeerLimiter::release(const std::string& peer) {
  const std::lock_guard lock(mutex_);
  const auto it = open_.find(peer);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
  --total_;
}

std::size_t PeerLimiter::open(const std::string& peer) const {
  const std::lock_guard lock(mutex_);
  const auto it = open_.find(peer);
  return it == open_.end() ? 0 : it->second;
}

}  // namespace zhaoyin::http::edge
