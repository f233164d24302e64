#pragma once
// Delivers login-session callbacks to relying parties on one background
// thread: POST the JSON body with
//   X-Zhaoyin-Timestamp: <unix seconds>
//   X-Zhaoyin-Signature: sha256=<hex HMAC-SHA256(K, timestamp + "." + body)>
// where K is the application's callback key (store::callback_key_for of its
// secret). A delivery that fails (network error or non-2xx) is retried after
// 1, 2, 4, 8 and 16 seconds, then given up and logged. Requests never wait
// for a delivery.
//
// One dispatcher per host: register_login_routes makes it and the route
// factories own it, so it stops (and joins its thread) when the host's router
// goes away. LoginService instances find it with for_context().
//
// The same thread records the expiry of overdue sessions that have a callback
// URL (about once a second), so their relying party hears "expired" even when
// nobody polls.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::login {

class CallbackDispatcher {
 public:
  static std::shared_ptr<CallbackDispatcher> start(std::shared_ptr<http::HostContext> ctx);
  // The running dispatcher of this host, or null (no routes registered: callbacks are not sent).
  static std::shared_ptr<CallbackDispatcher> for_context(const http::HostContext* ctx);

  explicit CallbackDispatcher(std::shared_ptr<http::HostContext> ctx);
  ~CallbackDispatcher();
  CallbackDispatcher(const CallbackDispatcher&) = delete;
  CallbackDispatcher& operator=(const CallbackDispatcher&) = delete;

  void enqueue(const std::string& client_id, const std::string& url, const std::string& body);

  // The signature header value for a body sent at `timestamp` with hex key `key_hex`.
  static std::string signature(const std::string& key_hex, const std::string& timestamp, const std::string& body);

  static constexpr int kMaxAttempts = 6;  // the first try and five retries

 private:
  struct Delivery {
    std::string client_id, url, body;
    int attempt = 0;
    std::chrono::steady_clock::time_point due;
  };
  void run();
  void sweep_expired();
  bool deliver(const Delivery& d);  // true when the receiver answered 2xx

  std::shared_ptr<http::HostContext> ctx_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Delivery> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace zhaoyin::login
