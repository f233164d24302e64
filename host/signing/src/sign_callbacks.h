#pragma once
// Delivers sign-task callbacks on one background thread, signed exactly like
// login's (docs/api/login.md, "Callbacks"):
//   X-Zhaoyin-Timestamp: <unix seconds>
//   X-Zhaoyin-Signature: sha256=<hex HMAC-SHA256(K, timestamp + "." + body)>
// K is the application's callback key. A failed delivery (network error or
// non-2xx) is retried after 1, 2, 4, 8 and 16 seconds. The same thread records
// the expiry of overdue tasks that have a callback URL about once a second.
//
// (login keeps an equivalent dispatcher private to host/login; a shared one in
// host/flow would serve both.)
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::signing {

class SignCallbacks {
 public:
  static std::shared_ptr<SignCallbacks> start(std::shared_ptr<http::HostContext> ctx);
  static std::shared_ptr<SignCallbacks> for_context(const http::HostContext* ctx);

  explicit SignCallbacks(std::shared_ptr<http::HostContext> ctx);
  ~SignCallbacks();
  SignCallbacks(const SignCallbacks&) = delete;
  SignCallbacks& operator=(const SignCallbacks&) = delete;

  void enqueue(const std::string& client_id, const std::string& url, const std::string& body);
  static std::string signature(const std::string& key_hex, const std::string& timestamp, const std::string& body);

 private:
  struct Delivery {
    std::string client_id, url, body;
    int attempt = 0;
    std::chrono::steady_clock::time_point due;
  };
  void run();
  void sweep_expired();
  bool deliver(const Delivery& d);

  std::shared_ptr<http::HostContext> ctx_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Delivery> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace zhaoyin::signing
