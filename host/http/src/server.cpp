#include <zhaoyin/http/server.h>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <algorithm>
#include <chrono>
#include <zhaoyin/http/routing_factory.h>

namespace zhaoyin::http {

HttpServer::HttpServer(const ServerSettings& settings, std::shared_ptr<const Router> router,
                       std::shared_ptr<HostContext> ctx)
    : host_(settings.host) {
  if (settings.port < 0 || settings.port > 65535)
    throw std::invalid_argument("port " + std::to_string(settings.port) + " is out of range (0-65535)");
  if (settings.max_threads < 1) throw std::invalid_argument("max_threads must be at least 1");
  if (settings.max_connections < 1 || settings.max_connections_per_peer < 1)
    throw std::invalid_argument("max_connections and max_connections_per_peer must be at least 1");
  if (settings.header_timeout_seconds < 1 || settings.body_timeout_seconds < 1)
    throw std::invalid_argument("header and body timeouts must be at least 1 s");

  Poco::Net::SocketAddress address(settings.host, static_cast<Poco::UInt16>(settings.port));
  Poco::Net::ServerSocket socket;
  // SO_REUSEADDR so a restarted host need not wait out TIME_WAIT, but never SO_REUSEPORT:
  // a second host on the same port must fail, not silently share it.
  socket.bind(address, true, false);
  // The reactor accepts at once, so the kernel's queue only absorbs bursts.
  socket.listen(std::max(settings.max_queued, std::min(settings.max_connections, 4096)));
  port_ = socket.address().port();

  // Read by Poco's request/response classes in the workers (keep-alive, Server header).
  auto params = new Poco::Net::HTTPServerParams;  // owned by the Ptr handed to the front
  params->setMaxThreads(settings.max_threads);
  params->setMaxQueued(settings.max_queued);
  params->setTimeout(Poco::Timespan(settings.timeout_seconds, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(settings.keep_alive_seconds, 0));
  params->setServerName("zhaoyin");
  params->setSoftwareVersion("zhaoyin/" + build_version());

  edge::FrontSettings front;
  front.workers = settings.max_threads;
  front.max_queued = static_cast<std::size_t>(settings.max_queued);
  front.max_connections = static_cast<std::size_t>(settings.max_connections);
  front.max_connections_per_peer = static_cast<std::size_t>(settings.max_connections_per_peer);
  front.header_timeout = std::chrono::seconds(settings.header_timeout_seconds);
  front.body_timeout = std::chrono::seconds(settings.body_timeout_seconds);
  front.keep_alive = std::chrono::seconds(settings.keep_alive_seconds);
  front.send_timeout = std::chrono::seconds(settings.timeout_seconds);
  // A body over http.max_body_bytes is refused (413) as soon as its head
  // arrives, so it is never waited for.
  front.preread_body_bytes = std::min(static_cast<std::size_t>(settings.preread_body_bytes), ctx->settings.max_body_bytes);
  front.head.max_head_bytes = static_cast<std::size_t>(settings.max_header_bytes);
  front.head.max_fields = static_cast<std::size_t>(settings.max_header_fields);
  auto log = ctx->log;
  edge::Front::RefusalObserver observer;
  if (ctx->metrics) {
    auto& refusals = ctx->metrics->counter(
        "zhaoyin_http_edge_refusals_total",
        "Connections and requests the connection front answered itself (slow, malformed, over a limit), by code.",
        {"code"});
    observer = [metrics = ctx->metrics, &refusals](const std::string& code) { refusals.inc({code}); };
  }
  front_ = std::make_unique<edge::Front>(socket, front, new RoutingFactory(std::move(router), std::move(ctx)),
                                         Poco::Net::HTTPServerParams::Ptr(params), std::move(log), std::move(observer));
}

HttpServer::~HttpServer() {
  try {
    stop();
  } catch (...) {  // never throw from a destructor
  }
}

void HttpServer::start() {
  if (started_) return;
  front_->start();
  started_ = true;
}

void HttpServer::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  front_->stop();  // in-flight requests complete; keep-alive connections close
}

std::string HttpServer::url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

}  // namespace zhaoyin::http
