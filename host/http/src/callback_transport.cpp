#include "callback_transport.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace zhaoyin::http {

namespace {

Poco::Timespan span(std::chrono::seconds s) { return Poco::Timespan(static_cast<long>(s.count()), 0); }

// Connects to the first of the checked addresses that answers.
Poco::Net::StreamSocket connect(const std::vector<IpAddress>& addresses, std::uint16_t port,
                                const CallbackSettings& s) {
  if (addresses.empty()) throw std::runtime_error("no address to connect to");
  std::string errors;
  for (const auto& a : addresses) {
    try {
      Poco::Net::StreamSocket socket;
      socket.connect(Poco::Net::SocketAddress(a.to_string(), port), span(s.connect_timeout));
      socket.setReceiveTimeout(span(s.read_timeout));
      socket.setSendTimeout(span(s.read_timeout));
      socket.setNoDelay(true);
      return socket;
    } catch (const Poco::Exception& e) {
      errors += (errors.empty() ? "" : "; ") + a.to_string() + ": " + e.displayText();
    }
  }
  throw std::runtime_error("cannot connect: " + errors);
}

// The certificate must name the host of the URL (DNS name, or IP address for
// an IP literal) — checked here with OpenSSL rather than left to Poco, whose
// check resolves names on its own.
void check_peer_name(const Poco::Net::SecureStreamSocket& socket, const CallbackTarget& target) {
  const Poco::Net::X509Certificate cert = socket.peerCertificate();
  X509* x = const_cast<X509*>(cert.certificate());
  const int ok = target.host_is_address ? X509_check_ip_asc(x, target.host.c_str(), 0)
                                        : X509_check_host(x, target.host.c_str(), target.host.size(), 0, nullptr);
  if (ok != 1) throw std::runtime_error("the receiver's certificate does not name " + target.host);
}

}  // namespace

// Registers an attempt's connection for reap_overdue() while it lasts.
class CallbackTransport::FlightGuard {
 public:
  FlightGuard(CallbackTransport& t, Poco::Net::StreamSocket& socket) : t_(t) {
    std::lock_guard lock(t_.flights_mutex_);
    if (t_.aborting_) {
      socket.close();
      throw CallbackAborted("the host is stopping");
    }
    id_ = t_.next_flight_++;
    t_.flights_[id_] = {socket, std::chrono::steady_clock::now() + 3 * t_.settings_.read_timeout};
  }
  ~FlightGuard() {
    std::lock_guard lock(t_.flights_mutex_);
    t_.flights_.erase(id_);
  }
  bool reaped() {
    std::lock_guard lock(t_.flights_mutex_);
    return t_.flights_[id_].reaped;
  }
  bool aborted() {
    std::lock_guard lock(t_.flights_mutex_);
    return t_.flights_[id_].aborted;
  }
  FlightGuard(const FlightGuard&) = delete;
  FlightGuard& operator=(const FlightGuard&) = delete;

 private:
  CallbackTransport& t_;
  std::uint64_t id_ = 0;
};

void CallbackTransport::reap_overdue() {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(flights_mutex_);
  for (auto& [id, f] : flights_) {
    if (f.reaped || now < f.deadline) continue;
    f.reaped = true;
    try {
      f.socket.shutdown();  // the attempt's blocked read or write returns at once
    } catch (const Poco::Exception&) {
      // already closed by the attempt itself
    }
  }
}

void CallbackTransport::abort_all() {
  std::lock_guard lock(flights_mutex_);
  aborting_ = true;
  for (auto& [id, f] : flights_) {
    f.aborted = true;
    try {
      f.socket.shutdown();
    } catch (const Poco::Exception&) {
    }
  }
}

CallbackTransport::CallbackTransport(const CallbackSettings& settings) : settings_(settings) {
  static std::once_flag ssl_once;
  std::call_once(ssl_once, [] { Poco::Net::initializeSSL(); });
}

Poco::Net::Context::Ptr CallbackTransport::context(const std::filesystem::path& pinned_ca) {
  std::error_code ec;
  const auto stamp = pinned_ca.empty() ? std::filesystem::file_time_type{} : std::filesystem::last_write_time(pinned_ca, ec);
  std::lock_guard lock(mutex_);
  auto& slot = contexts_[pinned_ca.string()];
  if (slot.second && slot.first == stamp) return slot.second;
  // A pinned CA replaces the system store for that application: only a
  // receiver certificate issued under it is accepted.
  Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, pinned_ca.string(),
                                                       Poco::Net::Context::VERIFY_RELAXED, 9,
                                                       /*loadDefaultCAs=*/pinned_ca.empty(), "HIGH:!aNULL:!MD5:!RC4");
  ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  ctx->enableExtendedCertificateVerification(false);  // check_peer_name does it
  slot = {stamp, ctx};
  return ctx;
}

CallbackReply CallbackTransport::post(const CallbackTarget& target, const std::vector<IpAddress>& addresses,
                                      const std::vector<std::pair<std::string, std::string>>& headers,
                                      const std::string& body, const std::filesystem::path& pinned_ca) {
  Poco::Net::StreamSocket socket = connect(addresses, target.port, settings_);
  FlightGuard flight(*this, socket);
  const auto overdue = [this] {
    return std::runtime_error("the receiver took longer than " + std::to_string(3 * settings_.read_timeout.count()) +
                              " s in all (3 x callbacks.read_timeout_seconds)");
  };
  CallbackReply reply;
  try {
    reply = exchange(socket, target, headers, body, pinned_ca);
  } catch (...) {
    if (flight.aborted()) throw CallbackAborted("the host is stopping");
    if (flight.reaped()) throw overdue();
    throw;
  }
  // Poco ends a header block at end of stream without complaint: an answer
  // cut off by the reaper can look complete, but it was not.
  if (flight.aborted()) throw CallbackAborted("the host is stopping");
  if (flight.reaped()) throw overdue();
  return reply;
}

CallbackReply CallbackTransport::exchange(Poco::Net::StreamSocket& socket, const CallbackTarget& target,
                                          const std::vector<std::pair<std::string, std::string>>& headers,
                                          const std::string& body, const std::filesystem::path& pinned_ca) {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  if (target.scheme == "https") {
    // SNI only for names (RFC 6066 forbids addresses there).
    auto tls = Poco::Net::SecureStreamSocket::attach(socket, target.host_is_address ? std::string() : target.host,
                                                     context(pinned_ca));
    check_peer_name(tls, target);
    // A plain session over the TLS socket: Poco 1.11's HTTPSClientSession(socket)
    // refuses an already connected socket, and the socket alone carries TLS.
    session = std::make_unique<Poco::Net::HTTPClientSession>(tls);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(socket);
  }
  session->setKeepAlive(false);
  session->setTimeout(span(settings_.read_timeout));

  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, target.path_and_query,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.setHost(target.host, target.port);
  request.setKeepAlive(false);
  request.setContentType("application/json; charset=utf-8");
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  for (const auto& [name, value] : headers) request.set(name, value);
  session->sendRequest(request) << body;

  Poco::Net::HTTPResponse response;
  session->receiveResponse(response);  // the body is not needed: the connection is closed unread
  CallbackReply reply;
  reply.status = static_cast<int>(response.getStatus());
  reply.location = response.get("Location", "");
  return reply;
}

}  // namespace zhaoyin::http
