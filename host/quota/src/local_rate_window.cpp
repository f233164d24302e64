// The rate window of a host that works alone: per client, the counts of the
// last few seconds in memory. Seconds that have passed are forgotten as new
// ones arrive, so the map holds at most a few entries per active client.
#include <map>
#include <mutex>
#include <unordered_map>
#include <zhaoyin/quota/usage_gate.h>

namespace zhaoyin::quota {

namespace {

// Seconds kept behind the newest one seen: requests that were stamped a moment
// before a slower thread hit the window still land in their own second.
constexpr std::int64_t kSecondsKept = 2;

class LocalRateWindow final : public RateWindow {
 public:
  std::int64_t hit(const std::string& client_id, std::int64_t epoch_second) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (epoch_second > newest_second_) {
      newest_second_ = epoch_second;
      forget_before(epoch_second - kSecondsKept);
    }
    return ++counts_[client_id][epoch_second];
  }

 private:
  void forget_before(std::int64_t oldest_kept) {
    for (auto it = counts_.begin(); it != counts_.end();) {
      auto& seconds = it->second;
      seconds.erase(seconds.begin(), seconds.lower_bound(oldest_kept));
      it = seconds.empty() ? counts_.erase(it) : std::next(it);
    }
  }

  std::mutex mutex_;
  std::int64_t newest_second_ = 0;
  std::unordered_map<std::string, std::map<std::int64_t, std::int64_t>> counts_;  // client → second → count
};

}  // namespace

std::shared_ptr<RateWindow> make_local_rate_window() { return std::make_shared<LocalRateWindow>(); }

}  // namespace zhaoyin::quota
