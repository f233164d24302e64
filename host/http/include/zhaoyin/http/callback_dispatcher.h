#pragma once
// Delivers a flow's callbacks to relying parties on one background thread:
// POST the JSON body with
//   X-Zhaoyin-Timestamp: <unix seconds>
//   X-Zhaoyin-Signature: sha256=<hex HMAC-SHA256(K, timestamp + "." + body)>
// where K is the application's callback key (store::callback_key_for of its
// secret). A delivery that fails (network error or non-2xx) is retried after
// 1, 2, 4, 8 and 16 seconds, then given up and logged. Requests never wait for
// a delivery. Log lines start with the flow's name ("login callback delivered").
//
// One dispatcher per flow and host: the flow's route registration starts it
// and its route factories own it, so it stops (and joins its thread) when the
// host's router goes away; the flow's service finds it with for_context().
//
// The same thread runs the flow's `sweep` about once a second (login and
// signing record the expiry of overdue items that have a callback URL there,
// so their relying party hears "expired" even when nobody polls).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::http {

class CallbackDispatcher {
 public:
  static std::shared_ptr<CallbackDispatcher> start(std::shared_ptr<HostContext> ctx, std::string flow,
                                                   std::function<void()> sweep);
  // The running dispatcher of this flow on this host, or null (its routes are
  // not registered: callbacks are not sent).
  static std::shared_ptr<CallbackDispatcher> for_context(const HostContext* ctx, const std::string& flow);

  CallbackDispatcher(std::shared_ptr<HostContext> ctx, std::string flow, std::function<void()> sweep);
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
  bool deliver(const Delivery& d);  // true when the receiver answered 2xx (or the application is gone)

  std::shared_ptr<HostContext> ctx_;
  std::string flow_;
  std::function<void()> sweep_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Delivery> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace zhaoyin::http
