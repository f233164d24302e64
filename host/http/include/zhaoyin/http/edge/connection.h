#pragma once
// One client connection as the front keeps it between requests: its
// descriptor, its peer address (and slot in the PeerLimiter), the bytes
// received but not yet served, and the phase it is in with that phase's
// deadline. Owned by exactly one thread at a time: the front's reactor while
// the request arrives, a worker while it is served.
#include <chrono>
#include <cstddef>
#include <string>
#include <zhaoyin/http/edge/peer_limiter.h>

namespace zhaoyin::http::edge {

class Connection {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Phase {
    Idle,      // between requests on a keep-alive connection (http.keep_alive_seconds)
    Head,      // a request head is arriving (http.header_timeout_seconds, total)
    Body,      // a small body is arriving before a worker takes it (http.body_timeout_seconds)
    Draining,  // answered and half-closed; reading what the client still sends before closing
  };

  Connection(int descriptor, std::string address, PeerLimiter& limiter)
      : fd(descriptor), peer(std::move(address)), limiter_(limiter) {}
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd;  // -1 while a worker's socket owns the descriptor
  const std::string peer;
  std::string buffer;
  Phase phase = Phase::Head;
  Clock::time_point deadline{};
  std::size_t need = 0;  // Body: bytes `buffer` must hold before the request is dispatched

 private:
  PeerLimiter& limiter_;
};

// A whole HTTP/1.1 response in the SPEC's error shape
// {"error":{"code":...,"message":...}} that closes the connection.
std::string error_response(int status, const std::string& code, const std::string& message);

// Writes what the socket takes now without blocking (the answers written this
// way are a few hundred bytes, which an empty send buffer always takes).
void send_now(int fd, const std::string& bytes);

}  // namespace zhaoyin::http::edge
