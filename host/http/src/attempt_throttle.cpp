#include <zhaoyin/http/attempt_throttle.h>

#include <algorithm>
#include <vector>

namespace zhaoyin::http {

namespace {

// Accounts come from the request: keep keys short whatever was sent (no real
// username or client_id is longer).
constexpr std::size_t kMaxAccountBytes = 256;

std::string account_key(std::string_view account) { return std::string(account.substr(0, kMaxAccountBytes)); }

std::string pair_key(std::string_view source, std::string_view account) {
  // A source is an IP address text, never holding '\n': the key is unambiguous.
  return std::string(source) + '\n' + account_key(account);
}

std::int64_t whole_seconds_up(FailureLedger::Clock::duration d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d);
  return s.count() + (s < d ? 1 : 0);
}

}  // namespace

FailureLedger::FailureLedger(ThrottlePolicy policy, std::size_t max_keys)
    : policy_(policy), max_keys_(std::max<std::size_t>(max_keys, 16)) {
  if (policy_.free_failures < 0) policy_.free_failures = 0;
  if (policy_.base_delay < std::chrono::seconds(1)) policy_.base_delay = std::chrono::seconds(1);
  if (policy_.max_delay < policy_.base_delay) policy_.max_delay = policy_.base_delay;
  // A key must not be forgotten while it still owes a delay.
  if (policy_.forget_after < policy_.max_delay) policy_.forget_after = policy_.max_delay;
}

std::chrono::seconds FailureLedger::delay_after(int failures) const {
  // free_failures failures are free; from then on the next attempt waits
  // base × 2^(failures - free_failures), without overflowing: stop doubling at the cap.
  const int beyond = failures - policy_.free_failures;
  if (beyond < 0) return std::chrono::seconds(0);
  std::chrono::seconds d = policy_.base_delay;
  for (int i = 0; i < beyond && d < policy_.max_delay; ++i) d *= 2;
  return std::min(d, policy_.max_delay);
}

bool FailureLedger::forgotten(const Entry& e, Clock::time_point now) const {
  return now - e.last_failure >= policy_.forget_after;
}

std::int64_t FailureLedger::wait_seconds(std::string_view key, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end() || forgotten(it->second, now)) return 0;
  const auto until = it->second.last_failure + delay_after(it->second.failures);
  return until > now ? whole_seconds_up(until - now) : 0;
}

int FailureLedger::failures(std::string_view key, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end() || forgotten(it->second, now)) return 0;
  return it->second.failures;
}

void FailureLedger::record_failure(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end()) {
    if (entries_.size() >= max_keys_) make_room(now);
    it = entries_.emplace(std::string(key), Entry{}).first;
  } else if (forgotten(it->second, now)) {
    it->second = Entry{};
  }
  if (it->second.failures < 1'000'000) ++it->second.failures;
  it->second.last_failure = now;
}

void FailureLedger::clear(std::string_view key) {
  std::lock_guard lock(mutex_);
  entries_.erase(std::string(key));
}

std::size_t FailureLedger::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void FailureLedger::make_room(Clock::time_point now) {
  // First what is forgotten anyway, then keys that owe no delay (they lose
  // only their free-failure count), and only then the oldest of the rest.
  std::erase_if(entries_, [&](const auto& kv) { return forgotten(kv.second, now); });
  if (entries_.size() < max_keys_) return;
  std::erase_if(entries_, [&](const auto& kv) {
    return kv.second.last_failure + delay_after(kv.second.failures) <= now;
  });
  if (entries_.size() < max_keys_) return;
  std::vector<std::pair<Clock::time_point, std::string>> by_age;
  by_age.reserve(entries_.size());
  for (const auto& [k, e] : entries_) by_age.emplace_back(e.last_failure, k);
  const std::size_t drop = entries_.size() - max_keys_ / 2;
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop), by_age.end());
  for (std::size_t i = 0; i < drop; ++i) entries_.erase(by_age[i].second);
}

CredentialGuard::CredentialGuard(CredentialGuardPolicy policy)
    : policy_(policy), pairs_(policy.per_source_account), sources_(policy.per_source), accounts_(policy.per_account) {}

ThrottleVerdict CredentialGuard::check(std::string_view source, std::string_view account, Clock::time_point now) const {
  std::int64_t wait = std::max(pairs_.wait_seconds(pair_key(source, account), now),
                               sources_.wait_seconds(source, now));
  // The account-wide delay holds back only sources that have failed
  // themselves: a clean source (the operator's) always gets to try.
  if (sources_.failures(source, now) >= policy_.clean_source_failures)
    wait = std::max(wait, accounts_.wait_seconds(account_key(account), now));
  if (wait <= 0) return {};
  return {false, wait};
}

void CredentialGuard::failed(std::string_view source, std::string_view account, Clock::time_point now) {
  pairs_.record_failure(pair_key(source, account), now);
  sources_.record_failure(source, now);
  accounts_.record_failure(account_key(account), now);
}

void CredentialGuard::succeeded(std::string_view source, std::string_view account) {
  pairs_.clear(pair_key(source, account));
}

Counter& throttled_metric(Metrics& metrics) {
  return metrics.counter("zhaoyin_auth_throttled_total",
                         "Sign-ins and client authentications refused 429 before the credential was checked.",
                         {"endpoint"});
}

void count_throttled(Metrics& metrics, const std::string& endpoint) { throttled_metric(metrics).inc({endpoint}); }

}  // namespace zhaoyin::http
