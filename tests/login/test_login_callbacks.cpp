// Signed callbacks to the relying party, received by a tiny Poco HTTPServer in
// the test that checks the HMAC with the sandbox client secret.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <condition_variable>
#include <mutex>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

#include "login_env.h"

using namespace zhaoyin::test;

namespace {

struct Call {
  std::string timestamp, signature, body;
};

// Records every POST; answers 500 to the first `fail_first` of them.
class Receiver {
 public:
  explicit Receiver(int fail_first) : fail_first_(fail_first) {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(2);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
  }
  ~Receiver() { server_->stopAll(true); }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/login"; }

  // Waits (generously; never asserted on time) until `n` calls have arrived.
  std::vector<Call> wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(120), [&] { return calls_.size() >= n; });
    return calls_;
  }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(Receiver& r) : r_(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
      Call c;
      c.timestamp = req.get("X-Zhaoyin-Timestamp", "");
      c.signature = req.get("X-Zhaoyin-Signature", "");
      Poco::StreamCopier::copyToString(req.stream(), c.body);
      bool fail = false;
      {
        std::lock_guard lock(r_.mutex_);
        fail = r_.attempts_++ < r_.fail_first_;
        if (!fail) r_.calls_.push_back(c);
      }
      r_.changed_.notify_all();
      res.setStatus(fail ? Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR : Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
      res.send();
    }

   private:
    Receiver& r_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(Receiver& r) : r_(r) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Handler(r_); }

   private:
    Receiver& r_;
  };

  int fail_first_;
  int attempts_ = 0;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Call> calls_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// What a relying party computes: K = HMAC-SHA256(secret, "zhaoyin callback signing key"),
// signature = hex HMAC-SHA256(K, timestamp "." body).
std::string expected_signature(const std::string& secret, const Call& c) {
  using namespace zhaoyin::trust;
  const Bytes key = hmac_sha256(to_bytes(secret), to_bytes("zhaoyin callback signing key"));
  return "sha256=" + hex_encode(hmac_sha256(key, to_bytes(c.timestamp + "." + c.body)));
}

// Callbacks go to receivers on 127.0.0.1 over plain http: both are refused by
// default (callback_policy.h), so this host allow-lists them explicitly.
LoginEnv& callback_env() {
  static std::unique_ptr<LoginEnv> env(
      new LoginEnv(shared_sandbox(), {"--set", "callbacks.allow_http=true", "--set", "callbacks.allow=127.0.0.1/32"}));
  return *env;
}

}  // namespace

TEST_CASE("callbacks: each state change is POSTed, signed with the application's key") {
  auto& env = callback_env();
  Receiver receiver(0);
  const auto s = env.create_ok("tax", {{"callback_url", receiver.url()}, {"correlation_id", "c-1"}});
  REQUIRE(env.wallet_cli("张志伟", "scan " + quote(s["qr_text"]) + " --approve").exit_code == 0);
  const auto calls = receiver.wait_for(2);
  REQUIRE(calls.size() == 2);
  const std::string secret = env.app("tax")["client_secret"];
  for (const auto& c : calls) {
    CHECK(c.signature == expected_signature(secret, c));
    CHECK(c.signature != expected_signature(env.app("banking")["client_secret"], c));
    const auto body = json::parse(c.body);
    CHECK(body["event"] == "login_session.status");
    CHECK(body["session"]["id"] == s["id"]);
    CHECK(body["session"]["correlation_id"] == "c-1");
  }
  CHECK(json::parse(calls[0].body)["session"]["status"] == "scanned");
  const auto confirmed = json::parse(calls[1].body)["session"];
  CHECK(confirmed["status"] == "confirmed");
  CHECK(confirmed["subject"]["holder"]["name"] == "张志伟");
}

TEST_CASE("callbacks: a failing receiver is retried with backoff") {
  auto& env = callback_env();
  Receiver receiver(1);  // the first attempt gets a 500
  const auto s = env.create_ok("tax", {{"callback_url", receiver.url()}});
  REQUIRE(http("DELETE", env.url("/api/v1/login-sessions/" + s["id"].get<std::string>()), "", bearer(env.token("tax"))).status == 200);
  const auto calls = receiver.wait_for(1);
  REQUIRE(calls.size() == 1);
  CHECK(json::parse(calls[0].body)["session"]["status"] == "cancelled");
  CHECK(calls[0].signature == expected_signature(env.app("tax")["client_secret"], calls[0]));
  // The host logs "delivered" after it has read the receiver's reply, which can
  // be a moment after the receiver recorded the call: wait for the line.
  const auto logged = [&env](const std::string& line) {
    for (int i = 0; i < 200; ++i) {
      if (env.host().log().find(line) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  CHECK(logged("login callback refused"));
  CHECK(logged("login callback delivered"));
}

TEST_CASE("callbacks: expiry is reported even when nobody polls") {
  auto& env = callback_env();
  Receiver receiver(0);
  const auto s = env.create_ok("tax", {{"callback_url", receiver.url()}, {"ttl", 10}});
  const auto calls = receiver.wait_for(1);
  REQUIRE(calls.size() == 1);
  CHECK(json::parse(calls[0].body)["session"]["status"] == "expired");
  CHECK(json::parse(calls[0].body)["session"]["id"] == s["id"]);
}

TEST_CASE("callbacks: a URL the policy refuses is refused where it is configured") {
  auto& env = LoginEnv::get();  // the default policy: https only, public destinations only
  const auto refused = [&env](const std::string& url) { return env.create("tax", {{"callback_url", url}}); };
  CHECK(refused("http://rp.example/hook").code() == "callback_scheme_refused");
  for (const std::string url : {"https://127.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://10.1.2.3/",
                                "https://[::1]/hook", "https://[::ffff:127.0.0.1]/", "https://[::ffff:169.254.169.254]/",
                                "https://100.64.0.1/", "https://localhost/hook", "https://2130706433/"}) {
    INFO(url);
    const auto r = refused(url);
    CHECK(r.status == 400);
    CHECK(r.code() == "callback_destination_refused");
  }
  CHECK(refused("https://user@rp.example/hook").code() == "invalid_request");
}
