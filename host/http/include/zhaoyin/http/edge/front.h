#pragma once
// The connection front: why the host does not use Poco's HTTPServer.
//
// Poco's TCPServer gives every accepted connection a thread until it closes,
// and HTTPServerConnection reads the request head on that thread with only a
// per-read timeout. A client that sends one header byte every few seconds
// (slowloris) keeps its thread forever, and http.max_threads such clients stop
// the host answering anyone.
//
// Here one reactor thread owns every connection while its request arrives:
// it accepts (refusing a peer over http.max_connections_per_peer, or anyone
// over http.max_connections), receives the head under a total deadline
// (http.header_timeout_seconds: each byte does not restart it), checks it
// strictly (request_head.h) and receives small bodies whole
// (http.preread_body_bytes, under http.body_timeout_seconds). Only a complete
// request goes to a worker (http.max_threads of them, http.max_queued waiting),
// which serves it with Poco's request/response classes and the usual handler
// factory, then hands a keep-alive connection back to wait for its next
// request. Slow clients therefore cost a descriptor and a buffer, not a thread.
//
// Refusals are answered in the SPEC's JSON error shape and the connection is
// closed (after a short lingering read, RFC 9112 §9.6, so the client can read
// the answer): 400/414/431/505 for bad heads, 408 request_timeout, 429
// too_many_connections, 503 server_busy.
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <zhaoyin/http/edge/connection.h>
#include <zhaoyin/http/edge/peer_limiter.h>
#include <zhaoyin/http/edge/request_head.h>
#include <zhaoyin/http/log.h>

namespace zhaoyin::http::edge {

struct FrontSettings {
  int workers = 64;                              // http.max_threads
  std::size_t max_queued = 64;                   // http.max_queued: complete requests waiting for a worker
  std::size_t max_connections = 1024;            // http.max_connections
  std::size_t max_connections_per_peer = 32;     // http.max_connections_per_peer
  std::chrono::seconds header_timeout{10};       // http.header_timeout_seconds
  std::chrono::seconds body_timeout{30};         // http.body_timeout_seconds
  std::chrono::seconds keep_alive{10};           // http.keep_alive_seconds
  std::chrono::seconds send_timeout{60};         // http.timeout_seconds: per write to a client
  std::size_t preread_body_bytes = 65536;        // http.preread_body_bytes
  HeadLimits head;                               // http.max_header_bytes, http.max_header_fields
};

class Front {
 public:
  // Called (on the reactor thread) with the error code of every refusal the
  // front answers itself, e.g. for a metric.
  using RefusalObserver = std::function<void(const std::string& code)>;

  Front(Poco::Net::ServerSocket listening, FrontSettings settings,
        Poco::SharedPtr<Poco::Net::HTTPRequestHandlerFactory> factory, Poco::Net::HTTPServerParams::Ptr params,
        std::shared_ptr<JsonLog> log, RefusalObserver on_refusal = {});
  ~Front();
  Front(const Front&) = delete;
  Front& operator=(const Front&) = delete;

  void start();
  // Stops accepting and closes waiting connections; requests being served and
  // those already queued finish. Joins every thread. Idempotent.
  void stop();

 private:
  using Clock = Connection::Clock;
  using ConnectionPtr = std::unique_ptr<Connection>;

  void reactor();
  void accept_some(std::vector<ConnectionPtr>& conns);
  void on_readable(ConnectionPtr& conn);
  void advance(ConnectionPtr& conn);
  void expire(ConnectionPtr& conn);
  void refuse(ConnectionPtr& conn, int status, const std::string& code, const std::string& message);
  void observe(const std::string& code);
  void dispatch(ConnectionPtr& conn);

  void worker();
  // Serves one request; returns the connection to hand back (keep-alive or
  // lingering close), or null when it is closed.
  ConnectionPtr serve(ConnectionPtr conn);
  void hand_back(ConnectionPtr conn);
  void wake();

  Poco::Net::ServerSocket listening_;
  const FrontSettings settings_;
  Poco::SharedPtr<Poco::Net::HTTPRequestHandlerFactory> factory_;
  Poco::Net::HTTPServerParams::Ptr params_;
  std::shared_ptr<JsonLog> log_;
  RefusalObserver on_refusal_;
  PeerLimiter limiter_;
  int wake_fd_ = -1;
  Clock::time_point accept_paused_until_{};

  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<ConnectionPtr> queue_;     // complete requests for the workers
  std::vector<ConnectionPtr> returned_; // connections the workers hand back to the reactor
  bool stopping_ = false;

  std::thread reactor_thread_;
  std::vector<std::thread> workers_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace zhaoyin::http::edge
