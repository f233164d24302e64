#include <zhaoyin/http/server.h>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <zhaoyin/http/routing_factory.h>

namespace zhaoyin::http {

HttpServer::HttpServer(const ServerSettings& settings, std::shared_ptr<const Router> router,
                       std::shared_ptr<HostContext> ctx)
    : host_(settings.host) {
  if (settings.port < 0 || settings.port > 65535)
    throw std::invalid_argument("port " + std::to_string(settings.port) + " is out of range (0-65535)");
  if (settings.max_threads < 1) throw std::invalid_argument("max_threads must be at least 1");

  Poco::Net::SocketAddress address(settings.host, static_cast<Poco::UInt16>(settings.port));
  Poco::Net::ServerSocket socket;
  // SO_REUSEADDR so a restarted host need not wait out TIME_WAIT, but never SO_REUSEPORT:
  // a second host on the same port must fail, not silently share it.
  socket.bind(address, true, false);
  socket.listen(settings.max_queued);
  port_ = socket.address().port();

  auto params = new Poco::Net::HTTPServerParams;  // owned by the server
  params->setMaxThreads(settings.max_threads);
  params->setMaxQueued(settings.max_queued);
  params->setTimeout(Poco::Timespan(settings.timeout_seconds, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(settings.keep_alive_seconds, 0));
  params->setServerName("zhaoyin");
  params->setSoftwareVersion("zhaoyin/" + build_version());

  pool_ = std::make_unique<Poco::ThreadPool>(2, settings.max_threads + 1, 60);
  server_ = std::make_unique<Poco::Net::HTTPServer>(new RoutingFactory(std::move(router), std::move(ctx)), *pool_,
                                                    socket, params);
}

HttpServer::~HttpServer() {
  try {
    stop();
  } catch (...) {  // never throw from a destructor
  }
}

void HttpServer::start() {
  if (started_) return;
  server_->start();
  started_ = true;
}

void HttpServer::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  server_->stopAll(false);  // in-flight requests complete; keep-alive connections close after them
  pool_->joinAll();
}

std::string HttpServer::url() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
}

}  // namespace zhaoyin::http
