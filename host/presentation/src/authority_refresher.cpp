#include "authority_refresher.h"

#include <cstdlib>
#include <string>

namespace zhaoyin::presentation {

AuthorityRefresher::AuthorityRefresher(std::weak_ptr<authority::AuthorityConnector> authority,
                                       std::shared_ptr<http::JsonLog> log, std::chrono::seconds interval)
    : authority_(std::move(authority)), log_(std::move(log)), interval_(interval) {
  thread_ = std::thread([this] { run(); });
}

AuthorityRefresher::~AuthorityRefresher() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AuthorityRefresher::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    if (auto authority = authority_.lock()) {
      try {
        authority->reload();
      } catch (const std::exception& e) {
        // The previous records stay in use (the connector's contract).
        if (log_) log_->warn("authority reload failed", {{"error", e.what()}});
      }
    }
    lock.lock();
  }
}

}  // namespace zhaoyin::presentation
