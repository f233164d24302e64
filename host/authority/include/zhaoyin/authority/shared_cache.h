#pragma once
// A store of the http connector's verified answers that several hosts share
// (Redis in the clustered deployment, docs/DEPLOY.md): what host A fetched,
// host B uses within the same freshness instead of asking the authority again.
//
// The store is not trusted more than the network: an entry holds the answer
// exactly as the authority sent it (status, body, Authority-Signature), and a
// host that reads one verifies it as if it had just arrived. Best effort both
// ways — a store that cannot be reached is a miss, never an error: each host's
// own cache and the authority still answer.
#include <chrono>
#include <optional>
#include <string>

namespace zhaoyin::authority {

class SharedAnswerCache {
 public:
  virtual ~SharedAnswerCache() = default;
  // The value stored under `key`, or nullopt (absent, expired, or the store down).
  virtual std::optional<std::string> get(const std::string& key) = 0;
  // Stores `value` under `key` for `ttl` (> 0); failures are swallowed.
  virtual void put(const std::string& key, const std::string& value, std::chrono::milliseconds ttl) = 0;
};

}  // namespace zhaoyin::authority
