// RFC 3161 §3.4 over Poco's HTTP server (include/zhaoyin/tsa/tsa_service.h).
#include <zhaoyin/tsa/tsa_service.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <istream>
#include <mutex>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::tsa {

namespace {

TsaReply rejection(int http_status, int failure_bit, const std::string& text) {
  trust::TimestampResponse response;
  response.status = static_cast<int>(trust::PkiStatus::rejection);
  response.status_text = text;
  response.failure_bit = failure_bit;
  return {http_status, "application/timestamp-reply", trust::encode_timestamp_response(response)};
}

std::string media_type(const std::string& content_type) {
  const auto semicolon = content_type.find(';');
  std::string type = content_type.substr(0, semicolon);
  while (!type.empty() && type.back() == ' ') type.pop_back();
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return type;
}

}  // namespace

TsaReply answer_query(const trust::TsaCredential& tsa, const std::string& method, const std::string& content_type,
                      const trust::Bytes& body, std::chrono::system_clock::time_point now) {
  if (method != "POST") return rejection(405, trust::kFailBadDataFormat, "send the query with POST");
  if (media_type(content_type) != "application/timestamp-query")
    return rejection(415, trust::kFailBadDataFormat, "the query must be application/timestamp-query");
  if (body.size() > kMaxQueryBytes) return rejection(413, trust::kFailBadRequest, "the query is too long");
  trust::TimestampRequest request;
  try {
    request = trust::parse_timestamp_request(body);
  } catch (const trust::TrustError& e) {
    if (e.code() == "unsupported_algorithm") return rejection(400, trust::kFailBadAlg, e.what());
    return rejection(400, trust::kFailBadRequest, std::string("malformed TimeStampReq: ") + e.what());
  }
  if (request.policy && *request.policy != tsa.policy)
    return rejection(400, trust::kFailUnacceptedPolicy, "this TSA serves only policy " + tsa.policy);
  // 128 random bits: unique serial numbers without state (§2.4.2 asks for uniqueness).
  trust::Bytes serial = trust::random_bytes(16);
  serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7F) | 0x01);
  trust::TimestampResponse response;
  response.status = static_cast<int>(trust::PkiStatus::granted);
  try {
    response.token = trust::issue_timestamp_token(tsa, request, serial,
                                                  std::chrono::time_point_cast<std::chrono::seconds>(now));
  } catch (const trust::TrustError& e) {
    return rejection(500, trust::kFailSystemFailure, e.what());
  }
  return {200, "application/timestamp-reply", trust::encode_timestamp_response(response)};
}

namespace {

class QueryHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit QueryHandler(const trust::TsaCredential& tsa) : tsa_(tsa) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    trust::Bytes body;
    bool too_long = request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(kMaxQueryBytes);
    if (!too_long) {
      // Read at most one byte more than the limit, whatever the client claims.
      std::istream& in = request.stream();
      char buffer[1024];
      while (in && body.size() <= kMaxQueryBytes) {
        in.read(buffer, sizeof buffer);
        body.insert(body.end(), buffer, buffer + in.gcount());
      }
    }
    TsaReply reply = too_long ? answer_query(tsa_, request.getMethod(), request.getContentType(),
                                             trust::Bytes(kMaxQueryBytes + 1), std::chrono::system_clock::now())
                              : answer_query(tsa_, request.getMethod(), request.getContentType(), body,
                                             std::chrono::system_clock::now());
    if (too_long) response.setKeepAlive(false);
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.http_status));
    response.setContentType(reply.content_type);
    response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    response.set("Cache-Control", "no-store");
    response.send().write(reinterpret_cast<const char*>(reply.body.data()), static_cast<std::streamsize>(reply.body.size()));
  }

 private:
  const trust::TsaCredential& tsa_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(const trust::TsaCredential& tsa) : tsa_(tsa) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new QueryHandler(tsa_);
  }

 private:
  const trust::TsaCredential& tsa_;
};

}  // namespace

struct TsaServer::Impl {
  trust::TsaCredential tsa;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  std::uint16_t port = 0;
  std::once_flag stopped;
};

TsaServer::TsaServer(trust::TsaCredential tsa, std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->tsa = std::move(tsa);
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
  impl_->port = socket.address().port();
  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(4);
  params->setTimeout(Poco::Timespan(10, 0));
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(impl_->tsa), socket,
                                                          Poco::Net::HTTPServerParams::Ptr(params));
  impl_->server->start();
}

TsaServer::~TsaServer() { stop(); }

std::uint16_t TsaServer::port() const { return impl_->port; }

std::string TsaServer::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port) + "/"; }

void TsaServer::stop() {
  std::call_once(impl_->stopped, [this] { impl_->server->stopAll(true); });
}

}  // namespace zhaoyin::tsa
