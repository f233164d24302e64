#pragma once
// Slows down password and client-secret guessing without letting a stranger
// lock anybody out.
//
// FailureLedger counts failed attempts per key and turns the count into an
// exponential delay: the first `free_failures` failures cost nothing; once a
// key has that many, it must wait base_delay after its latest failure before
// it may try again, and each further failure doubles the wait (at most
// max_delay). A key that stays quiet for
// `forget_after` is forgotten. Nothing here ever refuses for good: the worst
// a key can get is max_delay between attempts.
//
// CredentialGuard applies three ledgers to one kind of credential (staff
// passwords, client secrets):
//   (source, account)  a guesser working on one account from one address;
//   source             one address spraying many accounts;
//   account            many addresses working on one account (a botnet).
// The account-wide delay is applied ONLY to "tainted" sources: addresses that
// have themselves failed at least `clean_source_failures` times recently. An
// address with no (or almost no) failures — the operator at their own desk —
// is never held back by what strangers did to the account, so no amount of
// failures elsewhere can lock the operator out. The cost: while an account is
// under attack, each fresh address gets clean_source_failures guesses on it
// before it counts as tainted. A throttled attempt is refused before the
// password is checked and is not counted (it tells the guesser nothing).
//
// State lives in the host's memory: with several hosts behind a load
// balancer each host counts on its own, so a guesser gets at most
// (hosts × budget); the exponential delay keeps that small. At most max_keys
// keys are kept; beyond that the oldest harmless entries are dropped first.
// Thread-safe.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <zhaoyin/http/metrics.h>

namespace zhaoyin::http {

struct ThrottlePolicy {
  int free_failures = 5;                  // failures without any delay
  std::chrono::seconds base_delay{1};     // the first delay; doubles with each further failure
  std::chrono::seconds max_delay{900};    // the longest delay
  std::chrono::seconds forget_after{3600};  // quiet time after which a key's failures are forgotten
};

class FailureLedger {
 public:
  using Clock = std::chrono::steady_clock;

  explicit FailureLedger(ThrottlePolicy policy = {}, std::size_t max_keys = 100000);

  // Whole seconds (rounded up) until `key` may try again; 0: it may now.
  std::int64_t wait_seconds(std::string_view key, Clock::time_point now = Clock::now()) const;
  // Recent failures of `key` (0 once forgotten).
  int failures(std::string_view key, Clock::time_point now = Clock::now()) const;
  void record_failure(std::string_view key, Clock::time_point now = Clock::now());
  void clear(std::string_view key);
  std::size_t size() const;

  const ThrottlePolicy& policy() const { return policy_; }

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point last_failure{};
  };
  // The delay owed after `failures` failures.
  std::chrono::seconds delay_after(int failures) const;
  bool forgotten(const Entry& e, Clock::time_point now) const;
  void make_room(Clock::time_point now);  // called with mutex_ held

  ThrottlePolicy policy_;
  std::size_t max_keys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

struct CredentialGuardPolicy {
  ThrottlePolicy per_source_account{5, std::chrono::seconds(1), std::chrono::seconds(900), std::chrono::seconds(3600)};
  ThrottlePolicy per_source{20, std::chrono::seconds(1), std::chrono::seconds(900), std::chrono::seconds(3600)};
  ThrottlePolicy per_account{20, std::chrono::seconds(1), std::chrono::seconds(900), std::chrono::seconds(3600)};
  // A source with fewer recent failures than this is clean: the account-wide
  // delay does not apply to it.
  int clean_source_failures = 3;
};

// Why an attempt must wait, for the 429 answer.
struct ThrottleVerdict {
  bool allowed = true;
  std::int64_t retry_after_seconds = 0;  // >= 1 when !allowed
};

class CredentialGuard {
 public:
  using Clock = FailureLedger::Clock;

  explicit CredentialGuard(CredentialGuardPolicy policy = {});

  // May `source` try `account` now? Call before checking the credential.
  ThrottleVerdict check(std::string_view source, std::string_view account, Clock::time_point now = Clock::now()) const;
  // After a wrong credential (unknown accounts count exactly like known ones).
  void failed(std::string_view source, std::string_view account, Clock::time_point now = Clock::now());
  // After a right one: the (source, account) count starts over. The source's
  // and the account's counts stay (one success must not wash a sprayer's or a
  // botnet's record clean); they fade with forget_after.
  void succeeded(std::string_view source, std::string_view account);

  const CredentialGuardPolicy& policy() const { return policy_; }

 private:
  CredentialGuardPolicy policy_;
  FailureLedger pairs_;
  FailureLedger sources_;
  FailureLedger accounts_;
};

// Counts one attempt refused 429 before its credential was checked, in
// zhaoyin_auth_throttled_total{endpoint="admin_login"|"oauth_token"|"oauth_introspect"|"oidc_token"}.
void count_throttled(Metrics& metrics, const std::string& endpoint);
// The counter count_throttled adds to (registered with the core routes).
Counter& throttled_metric(Metrics& metrics);

}  // namespace zhaoyin::http
