// Signed callbacks for sign tasks, received by a tiny Poco HTTPServer in the
// test that checks the HMAC exactly as a relying party would (as for login).
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <zhaoyin/trust/sm3.h>

#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

struct Call {
  std::string timestamp, signature, body;
};

class Receiver {
 public:
  Receiver() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    port_ = socket.address().port();
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(2);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
  }
  ~Receiver() { server_->stopAll(true); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hooks/sign"; }

  // Waits (generously; never asserted on time) until a call with `status` arrived.
  std::vector<Call> wait_for_status(const std::string& status) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(120), [&] {
      for (const auto& c : calls_)
        if (c.body.find("\"status\":\"" + status + "\"") != std::string::npos) return true;
      return false;
    });
    return calls_;
  }
  // The same, for the task's own status (a multi-party body also says "status":"signed" of each party).
  std::vector<Call> wait_for_task_status(const std::string& status) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(120), [&] {
      for (const auto& c : calls_) {
        const auto body = nlohmann::json::parse(c.body, nullptr, false);
        if (body.is_object() && body.contains("task") && body["task"].value("status", "") == status) return true;
      }
      return false;
    });
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
      {
        std::lock_guard lock(r_.mutex_);
        r_.calls_.push_back(c);
      }
      r_.changed_.notify_all();
      res.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
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
  int port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Call> calls_;
};

// K = HMAC-SHA256(secret, "zhaoyin callback signing key"); signature over timestamp + "." + body.
std::string expected_signature(const std::string& secret, const Call& c) {
  const auto key = trust::hmac_sha256(trust::to_bytes(secret), trust::to_bytes("zhaoyin callback signing key"));
  return "sha256=" + trust::hex_encode(trust::hmac_sha256(key, trust::to_bytes(c.timestamp + "." + c.body)));
}

// Callbacks go to receivers on 127.0.0.1 over plain http: both are refused by
// default (callback_policy.h), so this host allow-lists them explicitly.
SigningEnv& callback_env() {
  static std::unique_ptr<SigningEnv> env(new SigningEnv(
      shared_sandbox(), {"--set", "callbacks.allow_http=true", "--set", "callbacks.allow=127.0.0.1/32"}));
  return *env;
}

}  // namespace

TEST_CASE("every state change of a sign task is POSTed to its callback URL / signed with the application's key") {
  auto& env = callback_env();
  Receiver receiver;
  const auto t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"callback_url", receiver.url()}});
  REQUIRE(env.sign_task(t, "李娜", "contract").status == 200);
  const auto calls = receiver.wait_for_status("signed");
  REQUIRE(calls.size() >= 2);
  const std::string secret = env.app("tax")["client_secret"];
  bool scanned = false, signed_seen = false;
  for (const auto& c : calls) {
    CHECK(c.signature == expected_signature(secret, c));
    CHECK(c.signature != expected_signature(env.app("banking")["client_secret"], c));
    const auto body = json::parse(c.body);
    CHECK(body["event"] == "sign_task.status");
    CHECK(body["task"]["id"] == t["id"]);
    if (body["task"]["status"] == "scanned") scanned = true;
    if (body["task"]["status"] == "signed") {
      signed_seen = true;
      CHECK(body["task"]["signatures"].size() == 1);
    }
  }
  CHECK(scanned);
  CHECK(signed_seen);
}

TEST_CASE("an overdue task with a callback URL is reported expired without anyone polling") {
  auto& env = callback_env();
  Receiver receiver;
  const auto t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"callback_url", receiver.url()}, {"ttl", 30}});
  const auto calls = receiver.wait_for_status("expired");
  REQUIRE(!calls.empty());
  CHECK(json::parse(calls.back().body)["task"]["status"] == "expired");
  CHECK(calls.back().signature == expected_signature(env.app("tax")["client_secret"], calls.back()));
}

TEST_CASE("a multi-party task calls back per party: partially_signed when each party but the last is done, then signed") {
  auto& env = callback_env();
  Receiver receiver;
  const std::string first = env.wallet_entry("张志伟")["uscc"], second = env.wallet_entry("刘洋")["uscc"];
  const auto t = env.create_ok(
      "banking", {{"document", {{"name", "合同.pdf"}, {"pdf", b64(sample_pdf())}}},
                  {"parties", {{{"uscc", first}, {"signature", "license"}}, {{"uscc", second}, {"signature", "license"}}}},
                  {"callback_url", receiver.url()}});
  for (const char* holder : {"张志伟", "刘洋"}) {
    const auto cli = env.wallet_cli(holder, "scan " + quote(t["qr_text"].get<std::string>()) + " --approve");
    INFO(cli.output);
    REQUIRE(cli.exit_code == 0);
  }
  const auto calls = receiver.wait_for_task_status("signed");
  const std::string secret = env.app("banking")["client_secret"];
  std::vector<std::size_t> signatures_when_partial;
  bool signed_seen = false;
  for (const auto& c : calls) {
    CHECK(c.signature == expected_signature(secret, c));
    const auto body = json::parse(c.body);
    if (body["task"]["status"] == "partially_signed") {
      signatures_when_partial.push_back(body["task"]["signatures"].size());
      CHECK(body["task"]["parties"][0]["status"] == "signed");
      CHECK(body["task"]["parties"][1]["status"] == "due");
    }
    if (body["task"]["status"] == "signed") {
      signed_seen = true;
      CHECK(body["task"]["parties"][1]["status"] == "signed");
    }
  }
  CHECK(signatures_when_partial == std::vector<std::size_t>{1});
  CHECK(signed_seen);
}
