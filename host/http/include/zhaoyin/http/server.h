#pragma once
// The host's HTTP server: a Poco HTTPServer on its own thread pool, serving a
// Router through the RoutingFactory edge. Used by zhaoyin-host and by tests
// (port 0 picks a free port; port() tells which).
#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>
#include <cstdint>
#include <memory>
#include <string>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::http {

struct ServerSettings {
  std::string host = "127.0.0.1";  // http.host
  int port = 8080;                 // http.port; 0 = any free port
  int max_threads = 64;            // http.max_threads: requests served at once
  int max_queued = 64;             // http.max_queued: connections waiting for a thread
  int timeout_seconds = 60;        // http.timeout_seconds: socket send/receive timeout
  int keep_alive_seconds = 10;     // idle keep-alive connections are closed after this
};

class HttpServer {
 public:
  // Binds and listens at once (so port() is known); throws Poco::Exception
  // (e.g. address in use) with the address in the message.
  HttpServer(const ServerSettings& settings, std::shared_ptr<const Router> router, std::shared_ptr<HostContext> ctx);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void start();
  // Stops accepting, lets requests in flight finish, closes idle keep-alive
  // connections and waits for every worker thread. Idempotent.
  void stop();

  std::uint16_t port() const { return port_; }
  std::string url() const;  // http://HOST:PORT

 private:
  std::string host_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace zhaoyin::http
