#pragma once
// The socket a worker's Poco HTTPServerSession reads from. The front has
// already received the whole request head (and often the body) into a
// buffer; this SocketImpl hands those bytes out first, so Poco's parser reads
// them as if from the network, and then reads the network with a total
// deadline for the rest of the body: a client that dribbles its body cannot
// keep a worker past it by sending a byte now and then.
//
// Failures surface as ApiError so the edge answers them in the JSON error
// shape: 408 request_timeout when the deadline passes (RFC 9110 §15.5.9),
// 400 incomplete_body when the client closes in the middle of its body.
#include <Poco/Net/StreamSocketImpl.h>
#include <chrono>
#include <string>

namespace zhaoyin::http::edge {

class EdgeSocketImpl final : public Poco::Net::StreamSocketImpl {
 public:
  using Clock = std::chrono::steady_clock;

  // Takes over `fd` (a connected, blocking socket) and the bytes already read from it.
  EdgeSocketImpl(int fd, std::string received, Clock::time_point read_deadline);

  using Poco::Net::StreamSocketImpl::receiveBytes;
  int receiveBytes(void* buffer, int length, int flags = 0) override;

  // The received bytes nobody has read yet (e.g. a pipelined next request).
  std::string take_unread();
  // Gives the descriptor back without closing it (the connection stays open
  // for its next request); the impl is then closed.
  int give_up_descriptor();

 private:
  std::string received_;
  std::size_t offset_ = 0;
  Clock::time_point deadline_;
};

}  // namespace zhaoyin::http::edge
