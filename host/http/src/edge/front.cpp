// The reactor half of the front (front.h): accepting, receiving requests
// under their deadlines, refusing, and handing complete requests to workers.
#include <zhaoyin/http/edge/front.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>

namespace zhaoyin::http::edge {

namespace {

// How long an answered connection is read and discarded before it is closed:
// closing with unread input makes the kernel send a reset, which can destroy
// the answer before the client reads it (RFC 9112 §9.6).
constexpr std::chrono::seconds lingering_close{2};

std::string peer_address(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
  }
  return text;
}

bool bodyless_method(std::string_view head) {
  // The methods Poco's HTTPServerRequestImpl already reads no body for.
  for (const char* m : {"GET ", "HEAD ", "DELETE "}) {
    if (head.substr(0, std::strlen(m)) == m) return true;
  }
  return false;
}

}  // namespace

Front::Front(Poco::Net::ServerSocket listening, FrontSettings settings,
             Poco::SharedPtr<Poco::Net::HTTPRequestHandlerFactory> factory, Poco::Net::HTTPServerParams::Ptr params,
             std::shared_ptr<JsonLog> log, RefusalObserver on_refusal)
    : listening_(std::move(listening)),
      settings_(std::move(settings)),
      factory_(std::move(factory)),
      params_(std::move(params)),
      log_(std::move(log)),
      on_refusal_(std::move(on_refusal)),
      limiter_(settings_.max_connections_per_peer, settings_.max_connections) {
  if (!log_) log_ = std::make_shared<JsonLog>(std::cerr, LogLevel::Off);
  if (settings_.workers < 1) throw std::invalid_argument("the front needs at least one worker");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  listening_.setBlocking(false);
}

Front::~Front() {
  try {
    stop();
  } catch (...) {  // never throw from a destructor
  }
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Front::start() {
  if (started_) return;
  started_ = true;
  reactor_thread_ = std::thread([this] { reactor(); });
  for (int i = 0; i < settings_.workers; ++i) workers_.emplace_back([this] { worker(); });
}

void Front::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake();
  work_ready_.notify_all();
  if (reactor_thread_.joinable()) reactor_thread_.join();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  const std::lock_guard lock(mutex_);
  returned_.clear();
  queue_.clear();
}

void Front::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
}

void Front::hand_back(ConnectionPtr conn) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) return;  // closed as `conn` dies
    returned_.push_back(std::move(conn));
  }
  wake();
}

void Front::reactor() {
  std::vector<ConnectionPtr> conns;
  std::vector<pollfd> fds;
  char drain[64];
  try {
    while (true) {
      std::vector<ConnectionPtr> back;
      {
        const std::lock_guard lock(mutex_);
        if (stopping_) break;
        back.swap(returned_);
      }
      for (auto& c : back) {
        advance(c);  // a pipelined request may already be in its buffer
        if (c) conns.push_back(std::move(c));
      }

      auto now = Clock::now();
      for (auto& c : conns) {
        if (c && c->deadline <= now) expire(c);
      }
      std::erase(conns, nullptr);

      fds.clear();
      const bool accepting = now >= accept_paused_until_;
      fds.push_back({accepting ? listening_.impl()->sockfd() : -1, POLLIN, 0});
      fds.push_back({wake_fd_, POLLIN, 0});
      auto next = now + std::chrono::seconds(60);
      if (!accepting) next = std::min(next, accept_paused_until_);
      for (const auto& c : conns) {
        fds.push_back({c->fd, POLLIN, 0});
        next = std::min(next, c->deadline);
      }
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1;
      const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(wait, 0)));
      if (ready < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      }
      if ((fds[1].revents & POLLIN) != 0) {
        while (::read(wake_fd_, drain, sizeof drain) > 0) {
        }
      }
      const std::size_t known = conns.size();
      for (std::size_t i = 0; i < known; ++i) {
        if ((fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) != 0) on_readable(conns[i]);
      }
      std::erase(conns, nullptr);
      if ((fds[0].revents & POLLIN) != 0) accept_some(conns);
    }
  } catch (const std::exception& e) {
    // Nothing above should throw; if it does, the host must not die silently.
    log_->error("connection front stopped", {{"error", e.what()}});
  } catch (...) {
    log_->error("connection front stopped", {{"error", "non-standard exception"}});
  }
  conns.clear();
  // New clients are refused by the kernel rather than left waiting in a
  // backlog nobody accepts from.
  try {
    listening_.close();
  } catch (...) {
  }
}

void Front::accept_some(std::vector<ConnectionPtr>& conns) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd = ::accept4(listening_.impl()->sockfd(), reinterpret_cast<sockaddr*>(&addr), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting for a moment instead of spinning
        // on a listening socket that stays readable.
        log_->warn("cannot accept connections", {{"error", std::strerror(errno)}});
        accept_paused_until_ = Clock::now() + std::chrono::milliseconds(100);
      }
      return;
    }
    std::string peer = peer_address(addr);
    const auto verdict = limiter_.acquire(peer);
    if (verdict != PeerLimiter::Verdict::Admitted) {
      // Nothing has been read yet, so closing right after the answer sends no
      // reset and the client can read why.
      observe(verdict == PeerLimiter::Verdict::PeerFull ? "too_many_connections" : "server_busy");
      if (verdict == PeerLimiter::Verdict::PeerFull)
        send_now(fd, error_response(429, "too_many_connections",
                                    "this address already has " + std::to_string(settings_.max_connections_per_peer) +
                                        " connections open; close some first"));
      else
        send_now(fd, error_response(503, "server_busy", "the server has too many connections open; try again later"));
      log_->debug("connection refused", {{"peer", peer}, {"full", verdict == PeerLimiter::Verdict::PeerFull ? "peer" : "server"}});
      ::close(fd);
      continue;
    }
    // As Poco's TCPServer does: answers are written in pieces (head, body),
    // and Nagle's algorithm would hold the second piece for the client's ACK.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto conn = std::make_unique<Connection>(fd, std::move(peer), limiter_);
    conn->phase = Connection::Phase::Head;
    conn->deadline = Clock::now() + settings_.header_timeout;
    conns.push_back(std::move(conn));
  }
}

void Front::on_readable(ConnectionPtr& conn) {
  char chunk[16384];
  if (conn->phase == Connection::Phase::Draining) {
    const auto n = ::recv(conn->fd, chunk, sizeof chunk, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) conn.reset();
    return;
  }
  const std::size_t cap = conn->phase == Connection::Phase::Body
                              ? conn->need
                              : settings_.head.max_head_bytes + settings_.preread_body_bytes + 64;
  if (conn->buffer.size() >= cap) return;  // enough to decide; advance() has already acted
  const auto n = ::recv(conn->fd, chunk, std::min(sizeof chunk, cap - conn->buffer.size()), 0);
  if (n == 0) {  // the client left before finishing its request: nobody to answer
    conn.reset();
    return;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) conn.reset();
    return;
  }
  conn->buffer.append(chunk, static_cast<std::size_t>(n));
  advance(conn);
}

void Front::advance(ConnectionPtr& conn) {
  if (conn->phase == Connection::Phase::Idle || conn->phase == Connection::Phase::Head) {
    conn->buffer.erase(0, skip_leading_empty_lines(conn->buffer));
    if (conn->buffer.empty()) return;
    if (conn->phase == Connection::Phase::Idle) {
      // The first byte of the next request starts its head deadline.
      conn->phase = Connection::Phase::Head;
      conn->deadline = Clock::now() + settings_.header_timeout;
    }
    const auto end = find_head_end(conn->buffer);
    if (!end) {
      if (conn->buffer.size() > settings_.head.max_head_bytes)
        refuse(conn, 431, "header_too_large",
               "the request head is larger than " + std::to_string(settings_.head.max_head_bytes) + " bytes");
      return;
    }
    const auto result = check_request_head(std::string_view(conn->buffer).substr(0, *end), settings_.head);
    if (result.problem) {
      refuse(conn, result.problem->status, result.problem->code, result.problem->message);
      return;
    }
    std::size_t head_end = *end;
    if (!result.info.content_length && !result.info.chunked && !bodyless_method(conn->buffer)) {
      // No framing means no body (RFC 9112 §6.3); Poco would read one until
      // the client closes, so say so explicitly.
      static const std::string zero = "Content-Length: 0\r\n";
      conn->buffer.insert(head_end - 2, zero);
      head_end += zero.size();
    }
    const auto length = result.info.content_length.value_or(0);
    if (length > 0 && length <= settings_.preread_body_bytes && !result.info.expect_continue) {
      conn->phase = Connection::Phase::Body;
      conn->need = head_end + static_cast<std::size_t>(length);
      conn->deadline = Clock::now() + settings_.body_timeout;
    } else {
      dispatch(conn);
      return;
    }
  }
  if (conn->phase == Connection::Phase::Body && conn->buffer.size() >= conn->need) dispatch(conn);
}

void Front::expire(ConnectionPtr& conn) {
  switch (conn->phase) {
    case Connection::Phase::Idle:
      // An idle keep-alive connection is simply closed (RFC 9112 §9.3) —
      // unless its next request has just arrived.
      on_readable(conn);
      if (conn && conn->phase == Connection::Phase::Idle) conn.reset();
      return;
    case Connection::Phase::Draining:
      conn.reset();
      return;
    case Connection::Phase::Head:
    case Connection::Phase::Body:
      // Bytes that reached the kernel in time still count (the reactor may
      // have been busy): read them first, and refuse only what is still short.
      on_readable(conn);
      if (!conn || conn->phase == Connection::Phase::Draining || conn->deadline > Clock::now()) return;
      break;
  }
  switch (conn->phase) {
    case Connection::Phase::Head:
      refuse(conn, 408, "request_timeout",
             "the request head did not arrive within " + std::to_string(settings_.header_timeout.count()) + " s");
      return;
    case Connection::Phase::Body:
      refuse(conn, 408, "request_timeout",
             "the request body did not arrive within " + std::to_string(settings_.body_timeout.count()) + " s");
      return;
    default:
      return;
  }
}

void Front::refuse(ConnectionPtr& conn, int status, const std::string& code, const std::string& message) {
  log_->debug("request refused at the edge", {{"peer", conn->peer}, {"status", status}, {"code", code}});
  observe(code);
  send_now(conn->fd, error_response(status, code, message));
  ::shutdown(conn->fd, SHUT_WR);
  conn->buffer.clear();
  conn->buffer.shrink_to_fit();
  conn->phase = Connection::Phase::Draining;
  conn->deadline = Clock::now() + lingering_close;
}

void Front::observe(const std::string& code) {
  if (!on_refusal_) return;
  try {
    on_refusal_(code);
  } catch (const std::exception& e) {
    log_->error("refusal observer failed", {{"error", e.what()}});
  }
}

void Front::dispatch(ConnectionPtr& conn) {
  {
    const std::lock_guard lock(mutex_);
    if (queue_.size() < settings_.max_queued) {
      queue_.push_back(std::move(conn));
      work_ready_.notify_one();
      return;
    }
  }
  refuse(conn, 503, "server_busy", "every worker is busy and the queue is full; try again later");
}

}  // namespace zhaoyin::http::edge
