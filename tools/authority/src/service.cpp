#include <zhaoyin/authority_service/service.h>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/URI.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include "handler_factory.h"
#include "service_context.h"

namespace zhaoyin::authority_service {

namespace {

int port_of(const std::string& url) {
  const Poco::URI uri(url);
  return uri.getPort() != 0 ? uri.getPort() : 80;
}

// A plain listening socket, or with a certificate and key a TLS one whose
// handshake runs in each connection's thread.
Poco::Net::ServerSocket listening_socket(const ServeOptions& options) {
  if (options.tls_certificate.empty() && options.tls_key.empty()) return Poco::Net::ServerSocket();
  if (options.tls_certificate.empty() || options.tls_key.empty())
    throw std::runtime_error("--tls-cert and --tls-key are given together");
  Poco::Net::initializeSSL();
  try {
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::TLS_SERVER_USE, options.tls_key.string(), options.tls_certificate.string(), "",
        Poco::Net::Context::VERIFY_NONE, 9, false, "HIGH:!aNULL:!MD5:!RC4");
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    return Poco::Net::SecureServerSocket(context);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot use the TLS certificate " + options.tls_certificate.string() + " and key " +
                             options.tls_key.string() + ": " + e.displayText());
  }
}

}  // namespace

int serve(const ServeOptions& options, std::ostream& log) {
  // Signals are taken by sigwait below; block them before any thread starts so
  // every server thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (ensure_status_signer(options.dir))
    log << nlohmann::json{{"msg", "issued the status signer"}, {"file", "authority/status-signer.pem"}}.dump() << std::endl;
  auto context = std::make_shared<ServiceContext>(options.dir, log);
  const int port = options.port.value_or(port_of(context->snapshot()->base_url));

  Poco::Net::ServerSocket socket = listening_socket(options);
  try {
    // SO_REUSEADDR for a quick restart, but not SO_REUSEPORT (which Poco sets
    // with the two-argument bind): a second service on the same port must fail.
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), true, false);
    socket.listen(64);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + e.displayText());
  }
  auto params = new Poco::Net::HTTPServerParams;  // owned by the server
  params->setMaxThreads(4);
  params->setMaxQueued(64);
  params->setTimeout(Poco::Timespan(10, 0));
  params->setKeepAlive(true);
  params->setServerName("zhaoyin-authority");
  Poco::Net::HTTPServer server(new HandlerFactory(context), socket, params);
  server.start();
  context->log(nlohmann::json{{"msg", "ready"},
                              {"port", socket.address().port()},
                              {"tls", !options.tls_certificate.empty()},
                              {"sandbox", options.dir.string()},
                              {"generation", context->snapshot()->state.generation}}
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  while (true) {
    int signal = 0;
    if (sigwait(&signals, &signal) != 0) continue;
    if (signal == SIGHUP) {
      context->reload("SIGHUP");
      continue;
    }
    break;
  }
  server.stopAll(true);
  context->log(nlohmann::json{{"msg", "stopped"}}.dump());
  return 0;
}

}  // namespace zhaoyin::authority_service
