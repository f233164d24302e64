#pragma once
// Checks a signed request (zhaoyin/authority/signed_request.h): the header's
// form, the host certificate (issued by the sandbox's relying-party CA, valid
// now, extendedKeyUsage relying-party host — docs/PROTOCOL.md §2.3), the
// timestamp within the clock window, the SM2 signature over the canonical
// request, and the nonce not seen before within the window (a replay).
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include "snapshot.h"

namespace zhaoyin::authority_service {

inline constexpr std::chrono::seconds kClockWindow{300};
inline constexpr std::size_t kMaxRememberedNonces = 100000;

struct Authentication {
  bool ok = false;
  int http_status = 401;
  std::string code;     // unauthenticated | bad_authorization | untrusted_client | stale_request |
                        // bad_signature | replayed_request | too_many_requests
  std::string message;
  std::string client;   // the host certificate's subject and serial, for the log
};

class RequestAuthenticator {
 public:
  Authentication check(const Snapshot& snapshot, const std::string& authorization_header, const std::string& method,
                       const std::string& target, const std::string& body, std::chrono::system_clock::time_point now);

 private:
  // Remembers a nonce until its timestamp leaves the window; false if it was seen.
  bool remember(const std::string& nonce, std::chrono::system_clock::time_point expires,
                std::chrono::system_clock::time_point now, bool& full);

  std::mutex mutex_;
  std::unordered_set<std::string> nonces_;
  std::deque<std::pair<std::chrono::system_clock::time_point, std::string>> expiry_;  // oldest first
};

}  // namespace zhaoyin::authority_service
