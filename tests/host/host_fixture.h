#pragma once
// An in-process host for tests: a fresh SQLite store in a TempDir, the core
// routes plus any test routes, served on an ephemeral loopback port, and a
// small HTTP client (Poco HTTPClientSession) to talk to it.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <csignal>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <openapi_capture.h>
#include <test_support.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/routes.h>
#include <zhaoyin/http/server.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::test {

struct HttpResult {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse response;  // headers (case-insensitive get/has)
  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& name) const { return response.get(name, ""); }
};

struct HttpCall {
  std::string method = "GET";
  std::string path = "/";
  std::string body;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  bool chunked = false;
  bool send_body = true;  // false: announce Content-Length but send no body
  std::optional<long long> content_length;
};

inline HttpResult http_call(std::uint16_t port, const HttpCall& call) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPRequest request(call.method, call.path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : call.headers) request.set(k, v);
  if (!call.content_type.empty()) request.setContentType(call.content_type);
  if (call.chunked) {
    request.setChunkedTransferEncoding(true);
  } else if (call.content_length) {
    request.setContentLength64(*call.content_length);
  } else if (!call.body.empty() || call.method == "POST" || call.method == "PUT") {
    request.setContentLength64(static_cast<long long>(call.body.size()));
  }
  std::ostream& out = session.sendRequest(request);
  if (call.send_body) out << call.body;
  HttpResult result;
  std::istream& in = session.receiveResponse(result.response);
  std::ostringstream body;
  Poco::StreamCopier::copyStream(in, body);
  result.body = body.str();
  result.status = static_cast<int>(result.response.getStatus());
  openapi_capture(call.method, call.path, result.status, result.response.get("Content-Type", ""), result.body);
  return result;
}

// Settings for a TestHost whose callbacks go to a receiver on 127.0.0.1
// (tests/callbacks/callback_receiver.h) over plain http, retried after 1 s.
inline http::HostSettings loopback_callback_settings() {
  http::HostSettings h;
  h.public_url = "http://127.0.0.1:1";
  h.callbacks.allow_http = true;
  h.callbacks.set_allow_list("127.0.0.1/32");
  h.callbacks.retry_base = std::chrono::seconds(1);
  h.callbacks.retry_max = std::chrono::seconds(1);
  return h;
}

class TestHost {
 public:
  using Extra = std::function<void(http::Router&, const std::shared_ptr<http::HostContext>&)>;

  explicit TestHost(Extra extra = {}, http::HostSettings settings = {}) {
    std::signal(SIGPIPE, SIG_IGN);
    ctx = std::make_shared<http::HostContext>();
    ctx->settings = settings;
    ctx->settings.version = http::build_version();
    ctx->metrics = std::make_shared<http::Metrics>();
    ctx->log = std::make_shared<http::JsonLog>(log_stream, http::LogLevel::Debug);
    store::DatabaseSettings db;
    db.data_dir = dir.path() / "data";
    ctx->db = std::make_shared<store::Database>(db);
    ctx->db->migrate();
    auto router = std::make_shared<http::Router>();
    http::register_core_routes(*router, ctx);
    if (extra) extra(*router, ctx);
    http::ServerSettings server_settings;
    server_settings.port = 0;
    server_settings.max_threads = 4;
    server = std::make_unique<http::HttpServer>(server_settings, router, ctx);
    server->start();
  }
  ~TestHost() {
    server->stop();
    ctx->db->close();
  }

  HttpResult call(HttpCall c) const { return http_call(server->port(), c); }
  HttpResult get(const std::string& path, std::vector<std::pair<std::string, std::string>> headers = {}) const {
    HttpCall c;
    c.path = path;
    c.headers = std::move(headers);
    return call(c);
  }
  HttpResult post(const std::string& path, const std::string& body, const std::string& content_type,
                  std::vector<std::pair<std::string, std::string>> headers = {}) const {
    HttpCall c;
    c.method = "POST";
    c.path = path;
    c.body = body;
    c.content_type = content_type;
    c.headers = std::move(headers);
    return call(c);
  }

  // An application with the given secret and status, needs login+presentation.
  store::Application add_app(const std::string& client_id, const std::string& secret,
                             store::ApplicationStatus status = store::ApplicationStatus::Active) const {
    store::Application app;
    app.client_id = client_id;
    app.name = "Test app " + client_id;
    app.department = "tax";
    app.scope = "province";
    app.province = "42";
    app.needs = {"login", "presentation"};
    app.channels = {"pc"};
    app.matters = {"电子政务/税务/发票申领"};
    app.annual_volume = 10000;
    app.peak_rate = 5;
    store::ApplicationRepository repo(*ctx->db);
    repo.create(app, secret);
    if (status != store::ApplicationStatus::Active) repo.set_status(client_id, status);
    return app;
  }

  // Stops the server first, so no worker thread is writing to the log.
  std::string log_text() {
    server->stop();
    return log_stream.str();
  }

  TempDir dir{"zhaoyin-host-test"};
  std::ostringstream log_stream;
  std::shared_ptr<http::HostContext> ctx;
  std::unique_ptr<http::HttpServer> server;
};


}  // namespace zhaoyin::test
