#pragma once
// What the http-connector tests share: a sandbox of their own served by a real
// `zhaoyin authority serve` on a loopback port named in the sandbox's URL (so
// the certificates' CRL distribution points lead to it), which a test can kill
// and restart on the same port; and a forwarding proxy that can tamper with
// the authority's answers on the way, as a network attacker would.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <memory>
#include <zhaoyin/authority/http_connector.h>
#include <zhaoyin/authority/status_answer.h>
#include <zhaoyin/trust/bytes.h>
#include "authority_test_support.h"

namespace zhaoyin::test {

class ServedSandbox {
 public:
  ServedSandbox()
      : port_(free_loopback_port()),
        sandbox_("--authority-url http://127.0.0.1:" + std::to_string(port_)),
        authority_(std::make_unique<AuthorityProcess>(sandbox_.dir, port_)) {
    if (!authority_->ready()) throw std::runtime_error("zhaoyin authority serve did not start:\n" + authority_->log());
  }
  const OwnSandbox& sandbox() const { return sandbox_; }
  const fs::path& dir() const { return sandbox_.dir; }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void kill() { authority_.reset(); }
  void restart() {
    authority_ = std::make_unique<AuthorityProcess>(sandbox_.dir, port_);
    if (!authority_->ready()) throw std::runtime_error("zhaoyin authority serve did not restart:\n" + authority_->log());
  }
  std::string operator_command(const std::string& arguments) const { return sandbox_.operator_command(arguments); }
  std::string authority_log() const { return authority_ ? authority_->log() : std::string(); }

 private:
  int port_;
  OwnSandbox sandbox_;
  std::unique_ptr<AuthorityProcess> authority_;
};

// The sandbox's wallet entry (sandbox.json "wallets") by file stem.
inline nlohmann::json wallet_entry(const fs::path& sandbox, const std::string& stem) {
  const auto doc = nlohmann::json::parse(read_file(sandbox / "sandbox.json"));
  for (const auto& w : doc["wallets"])
    if (w["path"].get<std::string>() == "wallets/" + stem + ".wallet.json") return w;
  throw std::runtime_error("no sandbox wallet " + stem);
}

// Forwards GET requests to the authority; when tampering, changes the answer's
// body (a JSON member added, or one byte of a CRL or an OCSP response flipped)
// but keeps its Authority-Signature header; when failing, answers 502 itself,
// as a broken gateway would (or fail_with's status, e.g. 404: the endpoint
// gone). only_paths(prefix) limits both to the requests whose target starts
// with it (e.g. "/ocsp/": the responder alone); affected() counts those seen.
class TamperingProxy {
 public:
  explicit TamperingProxy(int authority_port)
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)),
        server_(new Factory(authority_port, state_), socket_, new Poco::Net::HTTPServerParams) {
    server_.start();
  }
  ~TamperingProxy() { server_.stopAll(true); }
  TamperingProxy(const TamperingProxy&) = delete;
  TamperingProxy& operator=(const TamperingProxy&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()); }
  void tamper(bool on) { state_.tamper = on; }
  void fail(bool on) { state_.fail = on; }
  void fail_with(int status) { state_.fail_status = status; }
  int affected() const { return state_.affected; }
  // Set before the proxy is used (not changed while requests run).
  void only_paths(const std::string& prefix) { state_.prefix = prefix; }

 private:
  struct State {
    std::atomic<bool> tamper{false};
    std::atomic<bool> fail{false};
    std::atomic<int> fail_status{502};
    std::atomic<int> affected{0};
    std::string prefix;
  };
  class Forward final : public Poco::Net::HTTPRequestHandler {
   public:
    Forward(int port, State& state) : port_(port), state_(state) {}
    void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
      const bool affected = in.getURI().rfind(state_.prefix, 0) == 0;
      if (affected) ++state_.affected;
      if (affected && state_.fail) {
        out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(state_.fail_status.load()));
        out.setContentLength(0);
        out.send();
        return;
      }
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
      Poco::Net::HTTPRequest request(in.getMethod(), in.getURI(), Poco::Net::HTTPMessage::HTTP_1_1);
      if (in.has("Authorization")) request.set("Authorization", in.get("Authorization"));
      session.sendRequest(request);
      Poco::Net::HTTPResponse response;
      std::string body;
      Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
      if (affected && state_.tamper && !body.empty()) {
        if (body.front() == '{')
          body.insert(body.size() - 1, ",\"tampered\":true");
        else
          body[body.size() / 2] = static_cast<char>(body[body.size() / 2] ^ 0x01);
      }
      out.setStatus(response.getStatus());
      out.setContentType(response.getContentType());
      if (response.has("Authority-Signature")) out.set("Authority-Signature", response.get("Authority-Signature"));
      out.setContentLength64(static_cast<Poco::Int64>(body.size()));
      out.send() << body;
    }

   private:
    int port_;
    State& state_;
  };
  class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    Factory(int port, State& state) : port_(port), state_(state) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Forward(port_, state_);
    }

   private:
    int port_;
    State& state_;
  };

  State state_;
  Poco::Net::ServerSocket socket_;
  Poco::Net::HTTPServer server_;
};

// zhaoyin-host arguments (after --sandbox DIR) for the http driver against the
// served sandbox: every verification asks the service (freshness 0), one quick
// retry, `grace_seconds` of grace.
inline std::vector<std::string> http_driver_args(const ServedSandbox& s, int grace_seconds) {
  return {"--set", "authority.driver=http",
          "--set", "authority.url=" + s.url(),
          "--set", "authority.max_freshness_seconds=0",
          "--set", "authority.grace_seconds=" + std::to_string(grace_seconds),
          "--set", "authority.retries=1",
          "--set", "authority.retry_backoff_ms=20"};
}

// Settings of an in-process connector for the served sandbox (or a proxy).
inline authority::HttpConnectorSettings connector_settings(const ServedSandbox& s, const std::string& url,
                                                           std::chrono::seconds max_freshness,
                                                           std::chrono::seconds grace) {
  const auto host = host_credential(s.sandbox());
  authority::HttpConnectorSettings c;
  c.url = url;
  c.root = trust::Certificate::from_pem(read_file(s.dir() / "authority" / "root.pem"));
  c.host_certificate = host.cert;
  c.host_key = host.key;
  c.timeout = std::chrono::milliseconds(5000);
  c.retries = 1;
  c.retry_backoff = std::chrono::milliseconds(20);
  c.max_freshness = max_freshness;
  c.grace = grace;
  return c;
}

}  // namespace zhaoyin::test
