#pragma once
// The host's HTTP server: the connection front (edge/front.h: deadlines,
// per-peer caps, a reactor that keeps slow clients off the worker threads)
// serving a Router through the RoutingFactory edge. Used by zhaoyin-host and
// by tests (port 0 picks a free port; port() tells which).
#include <cstdint>
#include <memory>
#include <string>
#include <zhaoyin/http/edge/front.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::http {

struct ServerSettings {
  std::string host = "127.0.0.1";  // http.host
  int port = 8080;                 // http.port; 0 = any free port
  int max_threads = 64;            // http.max_threads: requests served at once
  int max_queued = 64;             // http.max_queued: complete requests waiting for a thread
  int timeout_seconds = 60;        // http.timeout_seconds: how long one write to a client may block
  int keep_alive_seconds = 10;     // idle keep-alive connections are closed after this
  // Hostile-input limits of the connection front (docs/security/connections.md).
  int header_timeout_seconds = 10;        // http.header_timeout_seconds: whole request head, in total
  int body_timeout_seconds = 30;          // http.body_timeout_seconds: whole request body, in total
  int max_header_bytes = 32768;           // http.max_header_bytes: request line + header fields
  int max_header_fields = 100;            // http.max_header_fields
  int max_connections = 1024;             // http.max_connections: open connections, all peers
  int max_connections_per_peer = 32;      // http.max_connections_per_peer: open connections per address
  int preread_body_bytes = 65536;         // http.preread_body_bytes: bodies received whole before a worker
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
  // Stops accepting, lets requests in flight (and queued) finish, closes idle
  // keep-alive connections and waits for every thread. Idempotent.
  void stop();

  std::uint16_t port() const { return port_; }
  std::string url() const;  // http://HOST:PORT

 private:
  std::string host_;
  std::uint16_t port_ = 0;
  std::unique_ptr<edge::Front> front_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace zhaoyin::http
