// The relay attack of issue 18 (docs/PROTOCOL.md §2.3), end to end with the
// real zhaoyin-wallet: an attacker shows the victim a QR code of its own,
// fetches the real host's request behind the scenes, re-signs it with a name
// the victim will approve and relays the victim's answer to the real host.
//
//  - signed with a license certificate (anyone holding a license could do it):
//    the wallet refuses the request (not_a_host_certificate);
//  - signed with a genuine relying-party host certificate of another host: the
//    wallet accepts the request, but its signed answer names the attacker's
//    answer_url, and the real host refuses it (answer_mismatch).
// In both cases the victim's login never completes.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <catch2/catch.hpp>
#include <atomic>
#include <fstream>
#include <functional>
#include <sstream>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/x509.h>

#include "login_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

// Signs a request as the attacker: signature over canonical_json(request) and
// the certificates it presents; `mutate` changes the request before it is
// signed, `after` the envelope after.
struct Forger {
  std::function<trust::Bytes(const trust::Bytes&)> sign;
  std::vector<trust::Certificate> certificates;
  std::function<void(json&)> mutate = [](json&) {};
  std::function<void(json&)> after = [](json&) {};
};

// The attacker's server: GET serves the real request re-signed by the forger
// (relying party renamed, answer_url pointing here); POST relays the body to
// the real host's answer URL and returns what the real host said.
class RelayServer {
 public:
  RelayServer(std::string real_qr_text, Forger forger, std::string address = "127.0.0.1")
      : real_(std::move(real_qr_text)), forger_(std::move(forger)), address_(std::move(address)) {
    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(2);
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(address_, 0));
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
  }
  ~RelayServer() { server_->stopAll(true); }

  std::string qr_text() const {
    return "http://" + address_ + ":" + std::to_string(port_) + real_.substr(real_.find("/wallet/v1/requests/"));
  }
  int relayed_status() const { return relayed_status_; }

 private:
  class Handler : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(RelayServer& s) : s_(s) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
      Reply out;
      if (req.getMethod() == "GET") {
        out = s_.forged_request();
      } else {
        std::string body;
        Poco::StreamCopier::copyToString(req.stream(), body);
        out = http("POST", s_.real_ + "/answer", body);
        s_.relayed_status_ = out.status;
      }
      res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status));
      res.setContentType("application/json");
      res.send() << out.body;
    }

   private:
    RelayServer& s_;
  };
  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(RelayServer& s) : s_(s) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handler(s_);
    }

   private:
    RelayServer& s_;
  };

  Reply forged_request() {
    const auto real = http("GET", real_);
    if (real.status != 200) return real;
    json request = real.as_json()["request"];
    request["relying_party"]["name"] = "社区便民服务（查询营业执照）";  // what the victim is shown
    request["answer_url"] = qr_text() + "/answer";
    forger_.mutate(request);
    json certificates = json::array();
    for (const auto& c : forger_.certificates) certificates.push_back(c.pem());
    json envelope = {{"request", request},
                     {"signature", trust::base64_encode(forger_.sign(protocol::canonical_bytes(request)))},
                     {"host_certificates", certificates}};
    forger_.after(envelope);
    Reply r;
    r.status = 200;
    r.body = envelope.dump();
    return r;
  }

  std::string real_;
  Forger forger_;
  std::string address_;
  int port_ = 0;
  std::atomic<int> relayed_status_{0};
  std::unique_ptr<Poco::Net::HTTPServer> server_;
};

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a request signed with a license certificate is refused by the wallet: the relay never reaches the host") {
  auto& env = LoginEnv::get();
  const auto session = env.create_ok("tax");
  const auto attacker = env.wallet("黄丽");  // a holder of another enterprise's license
  std::vector<trust::Certificate> certs = {attacker.certificate()};
  certs.insert(certs.end(), attacker.chain().begin(), attacker.chain().end() - 1);
  RelayServer relay(session["qr_text"].get<std::string>(),
                    {[&](const trust::Bytes& m) { return attacker.sign(m); }, certs});

  const auto scan = env.wallet_cli("张志伟", "scan " + quote(relay.qr_text()) + " --approve");
  INFO(scan.output);
  CHECK(scan.exit_code == 1);
  CHECK(scan.output.find("not_a_host_certificate") != std::string::npos);
  CHECK(relay.relayed_status() == 0);  // the wallet sent nothing
  CHECK(env.session("tax", session["id"])["status"] == "scanned");
}

namespace {

// A second, genuine relying-party host certificate from the sandbox's
// relying-party CA, naming `ip`, with its key.
struct OtherHost {
  trust::Certificate cert;
  trust::Certificate rp_ca;
  trust::Sm2Key key;
  Forger forger() const {
    const auto k = key;
    return {[k](const trust::Bytes& m) { return k.sign(m); }, {cert, rp_ca}};
  }
};

OtherHost other_host(const LoginEnv& env, const std::string& ip) {
  const auto authority = env.sandbox() / "authority";
  OtherHost h;
  h.rp_ca = trust::Certificate::from_pem(read_text(authority / "rp-ca.pem"));
  const auto rp_ca_key = trust::Sm2Key::from_pem(read_text(authority / "rp-ca.key"));
  trust::CertificateRequest req;
  req.subject = {{{"C", "CN"}, {"O", "Another Relying Party"}, {"CN", "Another Relying-Party Host"}}};
  req.subject_key = trust::Sm2Key::generate();
  req.profile = trust::CertProfile::RelyingPartyHost;
  req.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  req.not_after = std::chrono::system_clock::now() + std::chrono::hours(24);
  req.ip_addresses = {ip};
  h.cert = trust::issue_certificate(req, rp_ca_key, &h.rp_ca);
  h.key = req.subject_key;
  return h;
}

}  // namespace

TEST_CASE("a genuine relying-party host relaying another host's request: the answer names it, the real host refuses") {
  auto& env = LoginEnv::get();
  const auto session = env.create_ok("tax");
  // The wallet accepts the relay's request itself: its certificate is genuine and names 127.0.0.1.
  RelayServer relay(session["qr_text"].get<std::string>(), other_host(env, "127.0.0.1").forger());

  const auto scan = env.wallet_cli("张志伟", "scan " + quote(relay.qr_text()) + " --approve");
  INFO(scan.output);
  CHECK(scan.exit_code == 1);
  CHECK(scan.output.find("answer_mismatch") != std::string::npos);
  CHECK(relay.relayed_status() == 422);
  CHECK(env.session("tax", session["id"])["status"] == "scanned");
}

TEST_CASE("the wallet's checks of docs/PROTOCOL.md §3.1, each refused with its code and nothing sent") {
  auto& env = LoginEnv::get();
  const auto genuine = other_host(env, "127.0.0.1");
  struct Case {
    const char* what;
    std::function<void(json&)> mutate;
    std::function<void(json&)> after;
    const char* code;
  };
  const auto none = [](json&) {};
  const std::vector<Case> cases = {
      {"signature over something else", none, [](json& e) { e["request"]["nonce"] = "AAAAAAAAAAAAAAAAAAAAAA"; },
       "forged_request"},
      {"no host certificates", none, [](json& e) { e["host_certificates"] = json::array(); }, "forged_request"},
      {"a request for another ticket", [](json& r) { r["ticket"] = "AAAAAAAAAAAAAAAAAAAAAA"; }, none, "forged_request"},
      {"an answer_url elsewhere", [](json& r) { r["answer_url"] = "http://127.0.0.1:1/x/answer"; }, none, "forged_request"},
      {"another protocol", [](json& r) { r["protocol"] = "zhaoyin-wallet/9"; }, none, "unsupported_request"},
      {"expired", [](json& r) { r["expires_at"] = "2020-01-01T00:00:00Z"; }, none, "session_expired"},
      {"an unknown type", [](json& r) { r["type"] = "payment"; }, none, "unsupported_request"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const auto session = env.create_ok("tax");
    auto forger = genuine.forger();
    forger.mutate = c.mutate;
    forger.after = c.after;
    RelayServer relay(session["qr_text"].get<std::string>(), forger);
    const auto scan = env.wallet_cli("张志伟", "scan " + quote(relay.qr_text()) + " --approve");
    INFO(scan.output);
    CHECK(scan.exit_code == 1);
    CHECK(scan.output.find(std::string("refused: ") + c.code) != std::string::npos);
    CHECK(relay.relayed_status() == 0);
  }

  // A genuine host certificate for 127.0.0.1 behind a QR code that points at 127.0.0.2.
  const auto session = env.create_ok("tax");
  RelayServer relay(session["qr_text"].get<std::string>(), genuine.forger(), "127.0.0.2");
  auto scan = env.wallet_cli("张志伟", "scan " + quote(relay.qr_text()) + " --approve");
  INFO(scan.output);
  CHECK(scan.exit_code == 1);
  CHECK(scan.output.find("refused: host_name_mismatch") != std::string::npos);
  CHECK(relay.relayed_status() == 0);

  // QR texts that are not wallet requests: userinfo, another scheme, something after the ticket.
  for (const std::string text : {"http://user@127.0.0.1:8080/wallet/v1/requests/abc", "ftp://127.0.0.1/wallet/v1/requests/abc",
                                 "http://127.0.0.1:8080/wallet/v1/requests/abc/answer"}) {
    scan = env.wallet_cli("张志伟", "scan " + quote(text) + " --approve");
    INFO(text << ": " << scan.output);
    CHECK(scan.exit_code == 1);
    CHECK(scan.output.find("refused: not_a_wallet_request") != std::string::npos);
  }
}

TEST_CASE("the real host's own QR code still logs the holder in (the profile the sandbox issues passes)") {
  auto& env = LoginEnv::get();
  const auto session = env.create_ok("tax");
  const auto scan = env.wallet_cli("张志伟", "scan " + quote(session["qr_text"]) + " --approve");
  INFO(scan.output);
  CHECK(scan.exit_code == 0);
  CHECK(env.session("tax", session["id"])["status"] == "confirmed");
}
