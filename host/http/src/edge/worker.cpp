// The worker half of the front (front.h): serves one complete request with
// Poco's request/response classes, as Poco's HTTPServerConnection::run does
// for one iteration of its loop, then hands the connection back.
#include <Poco/Buffer.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timestamp.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <memory>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/edge/edge_socket.h>
#include <zhaoyin/http/edge/front.h>

namespace zhaoyin::http::edge {

namespace {

void set_blocking(int fd, bool blocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK));
}

// A client that stops reading our response must not hold the worker forever.
void set_send_timeout(int fd, std::chrono::seconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count());
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

void Front::worker() {
  while (true) {
    ConnectionPtr conn;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued request served
      conn = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      conn = serve(std::move(conn));
      if (conn) hand_back(std::move(conn));
    } catch (const std::exception& e) {
      log_->error("connection worker failure", {{"error", e.what()}});
    } catch (...) {
      log_->error("connection worker failure", {{"error", "non-standard exception"}});
    }
  }
}

Front::ConnectionPtr Front::serve(ConnectionPtr conn) {
  set_blocking(conn->fd, true);
  set_send_timeout(conn->fd, settings_.send_timeout);
  auto* impl = new EdgeSocketImpl(conn->fd, std::move(conn->buffer), Clock::now() + settings_.body_timeout);
  conn->fd = -1;
  conn->buffer.clear();
  Poco::Net::StreamSocket socket(impl);  // owns impl (reference counted)

  bool keep_alive = false;
  std::string unread;
  {
    Poco::Net::HTTPServerSession session(socket, params_);
    bool answered = false;
    try {
      Poco::Net::HTTPServerResponseImpl response(session);
      Poco::Net::HTTPServerRequestImpl request(response, session, params_.get());
      response.setDate(Poco::Timestamp());
      response.setVersion(request.getVersion());
      response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive());
      if (!params_->getSoftwareVersion().empty()) response.set("Server", params_->getSoftwareVersion());
      // Without this a failed body read (deadline, client gone) would look like
      // the end of a short body; with it the ApiError reaches the edge handler.
      request.stream().exceptions(std::ios::badbit);
      std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(factory_->createRequestHandler(request));
      if (request.getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK)
        response.sendContinue();
      handler->handleRequest(request, response);
      answered = response.sent();
      keep_alive = answered && response.getKeepAlive();
    } catch (const Poco::Net::MessageException& e) {
      // Poco refused a head that request_head.h let through: still the client's
      // fault, still the JSON shape.
      if (!answered) {
        const std::string reply = error_response(400, "bad_request", "malformed HTTP request: " + e.message());
        try {
          socket.sendBytes(reply.data(), static_cast<int>(reply.size()));
        } catch (...) {  // the client went away
        }
      }
    } catch (const ApiError& e) {
      log_->debug("request abandoned", {{"peer", conn->peer}, {"error", e.what()}});
    } catch (const Poco::Exception& e) {
      log_->debug("request abandoned", {{"peer", conn->peer}, {"error", e.displayText()}});
    } catch (const std::exception& e) {
      log_->warn("request abandoned", {{"peer", conn->peer}, {"error", e.what()}});
    }
    if (keep_alive) {
      Poco::Buffer<char> rest(0);
      session.drainBuffer(rest);
      unread.assign(rest.begin(), rest.size());
      unread += impl->take_unread();
    }
    // Take the descriptor back before the session closes the socket.
    conn->fd = impl->give_up_descriptor();
  }
  if (conn->fd < 0) return nullptr;
  set_blocking(conn->fd, false);
  if (keep_alive) {
    conn->buffer = std::move(unread);
    conn->phase = Connection::Phase::Idle;
    conn->deadline = Clock::now() + settings_.keep_alive;
  } else {
    ::shutdown(conn->fd, SHUT_WR);
    conn->phase = Connection::Phase::Draining;
    conn->deadline = Clock::now() + std::chrono::seconds(2);
  }
  return conn;
}

}  // namespace zhaoyin::http::edge
