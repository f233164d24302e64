#pragma once
// A warning that may repeat many times a second while Redis is down (every
// publish, every reconnect attempt) is written at most once per interval, with
// the number of repeats it stands for.
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <zhaoyin/http/log.h>

namespace zhaoyin::cluster::detail {

class ThrottledWarning {
 public:
  ThrottledWarning(std::shared_ptr<http::JsonLog> log, std::string message,
                   std::chrono::seconds interval = std::chrono::seconds(10))
      : log_(std::move(log)), message_(std::move(message)), interval_(interval) {}

  void warn(const std::string& detail, const std::string& redis) {
    std::lock_guard lock(mutex_);
    ++repeats_;
    const auto now = std::chrono::steady_clock::now();
    if (written_ && now - last_ < interval_) return;
    if (log_) log_->warn(message_, {{"error", detail}, {"redis", redis}, {"occurrences", repeats_}});
    written_ = true;
    last_ = now;
    repeats_ = 0;
  }

  // The condition is over: the next warning is written at once.
  void reset() {
    std::lock_guard lock(mutex_);
    written_ = false;
    repeats_ = 0;
  }

 private:
  std::shared_ptr<http::JsonLog> log_;
  std::string message_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  bool written_ = false;
  std::chrono::steady_clock::time_point last_{};
  long repeats_ = 0;
};

}  // namespace zhaoyin::cluster::detail
