#include "public_rate_window.h"

namespace zhaoyin::presentation {

std::int64_t PublicRateWindow::admit(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_keys_) {
      std::erase_if(entries_, [&](const auto& e) { return now - e.second.started >= window_; });
      if (entries_.size() >= max_keys_) entries_.clear();
    }
    entries_.emplace(key, Entry{now, 1});
    return 0;
  }
  Entry& e = it->second;
  if (now - e.started >= window_) {
    e = Entry{now, 1};
    return 0;
  }
  if (e.count < limit_) {
    ++e.count;
    return 0;
  }
  const auto left = std::chrono::ceil<std::chrono::seconds>(e.started + window_ - now).count();
  return left < 1 ? 1 : left;
}

}  // namespace zhaoyin::presentation
