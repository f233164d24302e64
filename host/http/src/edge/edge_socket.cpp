#include <zhaoyin/http/edge/edge_socket.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <zhaoyin/http/api_error.h>

namespace zhaoyin::http::edge {

EdgeSocketImpl::EdgeSocketImpl(int fd, std::string received, Clock::time_point read_deadline)
    : Poco::Net::StreamSocketImpl(fd), received_(std::move(received)), deadline_(read_deadline) {}

int EdgeSocketImpl::receiveBytes(void* buffer, int length, int flags) {
  if (length <= 0) return 0;
  if (offset_ < received_.size()) {
    const auto n = std::min(static_cast<std::size_t>(length), received_.size() - offset_);
    std::memcpy(buffer, received_.data() + offset_, n);
    if ((flags & MSG_PEEK) == 0) offset_ += n;
    return static_cast<int>(n);
  }
  // Wait for the network, but never past the request's deadline. Bytes that
  // have already arrived are read even when the deadline has just passed: a
  // busy worker must not turn a client's timely body into a 408.
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
    pollfd p{sockfd(), POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::clamp<long long>(left, 0, 60'000)));
    if (ready > 0) break;
    if (ready < 0 && errno != EINTR)
      throw ApiError(400, "incomplete_body", "the connection failed while the request body was read");
    if (left <= 0)
      throw ApiError(408, "request_timeout", "the request body did not arrive in time; the connection is closed");
  }
  const int n = Poco::Net::StreamSocketImpl::receiveBytes(buffer, length, flags);
  // Poco reads the body only while it expects more of it, so an end of stream
  // here is a client that left halfway: never hand a truncated body to a handler.
  if (n == 0) throw ApiError(400, "incomplete_body", "the connection closed before the whole request body arrived");
  return n;
}

std::string EdgeSocketImpl::take_unread() {
  std::string rest = received_.substr(offset_);
  received_.clear();
  offset_ = 0;
  return rest;
}

int EdgeSocketImpl::give_up_descriptor() {
  const int fd = sockfd();
  reset();  // forget the descriptor: close() and the destructor leave it open
  return fd;
}

}  // namespace zhaoyin::http::edge
