#pragma once
// A relying party's callback receiver for tests: a Poco HTTPServer (plain, or
// TLS with a given certificate) on 127.0.0.1, an ephemeral port, that records
// what arrives and answers as told — 204, 500, a redirect, or not at all until
// released. Waits are generous and never asserted on time.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace zhaoyin::test {

struct ReceivedCall {
  std::string path, host, timestamp, signature, body;
  std::string traceparent;  // W3C Trace Context header, as sent
};

class CallbackReceiver {
 public:
  enum class Mode { Ok, Fail, Redirect, Hold };

  // Plain http when `cert`/`key` are empty, https otherwise.
  explicit CallbackReceiver(Mode mode = Mode::Ok, const std::string& cert = "", const std::string& key = "")
      : mode_(mode), tls_(!cert.empty()) {
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    const Poco::Net::SocketAddress where("127.0.0.1", 0);
    if (tls_) {
      Poco::Net::initializeSSL();
      Poco::Net::Context::Ptr ctx =
          new Poco::Net::Context(Poco::Net::Context::SERVER_USE, key, cert, "", Poco::Net::Context::VERIFY_NONE);
      Poco::Net::SecureServerSocket socket(where, 64, ctx);
      port_ = socket.address().port();
      server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    } else {
      Poco::Net::ServerSocket socket(where);
      port_ = socket.address().port();
      server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    }
    server_->start();
  }
  ~CallbackReceiver() {
    release();
    server_->stopAll(true);
  }

  std::string url(const std::string& path = "/hook") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

  void set_mode(Mode m) {
    std::lock_guard lock(mutex_);
    mode_ = m;
  }
  void redirect_to(const std::string& location) {
    std::lock_guard lock(mutex_);
    mode_ = Mode::Redirect;
    location_ = location;
  }
  // Lets held requests answer (204).
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
  }

  // Requests that arrived (whatever the answer), and those answered 2xx.
  std::size_t arrived() {
    std::lock_guard lock(mutex_);
    return arrived_;
  }
  std::vector<ReceivedCall> accepted() {
    std::lock_guard lock(mutex_);
    return accepted_;
  }
  bool wait_arrived(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(120), [&] { return arrived_ >= n; });
  }
  bool wait_accepted(std::size_t n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(120), [&] { return accepted_.size() >= n; });
  }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(CallbackReceiver& r) : r_(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
      ReceivedCall c;
      c.path = req.getURI();
      c.host = req.getHost();
      c.timestamp = req.get("X-Zhaoyin-Timestamp", "");
      c.signature = req.get("X-Zhaoyin-Signature", "");
      c.traceparent = req.get("traceparent", "");
      Poco::StreamCopier::copyToString(req.stream(), c.body);
      std::unique_lock lock(r_.mutex_);
      ++r_.arrived_;
      r_.changed_.notify_all();
      const Mode mode = r_.mode_;
      if (mode == Mode::Hold) r_.changed_.wait(lock, [&] { return r_.released_; });
      if (mode == Mode::Ok || mode == Mode::Hold) r_.accepted_.push_back(c);
      const std::string location = r_.location_;
      r_.changed_.notify_all();
      lock.unlock();
      if (mode == Mode::Fail) {
        res.setStatus(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
      } else if (mode == Mode::Redirect) {
        res.setStatus(Poco::Net::HTTPResponse::HTTP_FOUND);
        res.set("Location", location);
      } else {
        res.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
      }
      res.send();
    }

   private:
    CallbackReceiver& r_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(CallbackReceiver& r) : r_(r) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(r_);
    }

   private:
    CallbackReceiver& r_;
  };

  Mode mode_;
  bool tls_;
  int port_ = 0;
  std::string location_;
  bool released_ = false;
  std::size_t arrived_ = 0;
  std::vector<ReceivedCall> accepted_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace zhaoyin::test
