#pragma once
// An HTTP client session whose TCP connection leaves from a chosen loopback
// address (127.0.0.2, 127.0.0.3, ...), so that one test can be several
// "source addresses" to a host listening on 127.0.0.1 — e.g. a stranger being
// throttled and the operator signing in from elsewhere. Linux routes all of
// 127.0.0.0/8 to the loopback interface, so no set-up is needed.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <memory>
#include <string>

namespace zhaoyin::test {

// Connected at once; the caller sets the Host header if it cares (Poco sends
// none when the session was built from a socket).
inline std::unique_ptr<Poco::Net::HTTPClientSession> session_from(const std::string& source_ip, std::uint16_t port) {
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress::IPv4);
  socket.impl()->bind(Poco::Net::SocketAddress(source_ip, 0), true);
  socket.connect(Poco::Net::SocketAddress("127.0.0.1", port));
  auto session = std::make_unique<Poco::Net::HTTPClientSession>(socket);
  session->setTimeout(Poco::Timespan(120, 0));
  return session;
}

}  // namespace zhaoyin::test
