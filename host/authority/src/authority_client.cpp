#include "authority_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>
#include <openssl/x509v3.h>

#include <istream>
#include <memory>
#include <thread>
#include <zhaoyin/authority/signed_request.h>

namespace zhaoyin::authority {

namespace {

// RFC 6125 §6.4 / RFC 2818 §3.1: the certificate names the host the URL
// names — a DNS name (wildcards only as OpenSSL's X509_check_host allows: the
// left-most label, never partial), or, for an address URL, an iPAddress entry.
void check_server_name(const Poco::Net::SecureStreamSocket& socket, const std::string& host, bool is_address) {
  const Poco::Net::X509Certificate cert = socket.peerCertificate();
  X509* x = const_cast<X509*>(cert.certificate());
  const int named = is_address ? X509_check_ip_asc(x, host.c_str(), 0)
                               : X509_check_host(x, host.c_str(), host.size(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, nullptr);
  if (named != 1) throw FetchFailure("tls", "the authority's TLS certificate does not name " + host);
}

}  // namespace

AuthorityClient::AuthorityClient(ClientSettings settings, trust::Certificate host_certificate, trust::Sm2Key host_key)
    : settings_(std::move(settings)), host_certificate_(std::move(host_certificate)), host_key_(std::move(host_key)) {}

Poco::Net::Context::Ptr AuthorityClient::tls_context() const {
  std::call_once(tls_once_, [this] {
    static std::once_flag ssl_once;
    std::call_once(ssl_once, [] { Poco::Net::initializeSSL(); });
    // VERIFY_RELAXED with a client context: OpenSSL verifies the chain
    // (SSL_VERIFY_PEER) and the handshake fails when it does not verify; the
    // name is checked by check_server_name, not by Poco (which lets any name
    // pass for loopback addresses unless VERIFY_STRICT).
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, settings_.ca_file,
                                                         Poco::Net::Context::VERIFY_RELAXED, 9,
                                                         /*loadDefaultCAs=*/settings_.ca_file.empty(),
                                                         "HIGH:!aNULL:!MD5:!RC4");
    ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    ctx->enableExtendedCertificateVerification(false);
    tls_ = ctx;
  });
  return tls_;
}

void AuthorityClient::pause(int attempt) const {
  // Exponential backoff: a restarting authority gets a moment, a dead one
  // does not hold the request for long (retries are few).
  std::this_thread::sleep_for(settings_.backoff * (1 << (attempt - 1)));
}

RawAnswer AuthorityClient::exchange(const std::string& url_or_path, bool sign) const {
  const bool absolute = url_or_path.rfind("http://", 0) == 0 || url_or_path.rfind("https://", 0) == 0;
  const std::string url = absolute ? url_or_path : settings_.base_url + url_or_path;
  try {
    const Poco::URI uri(url);
    const bool tls = uri.getScheme() == "https";
    if (!tls && uri.getScheme() != "http") throw FetchFailure("bad_url", "not an http:// or https:// URL: " + url);
    const std::string target = uri.getPathEtc().empty() ? "/" : uri.getPathEtc();
    const Poco::Timespan timeout(std::chrono::duration_cast<std::chrono::microseconds>(settings_.timeout).count());
    Poco::Net::StreamSocket socket;
    socket.connect(Poco::Net::SocketAddress(uri.getHost(), uri.getPort()), timeout);
    socket.setReceiveTimeout(timeout);  // the TLS handshake too
    socket.setSendTimeout(timeout);
    std::unique_ptr<Poco::Net::HTTPClientSession> owned;
    if (tls) {
      Poco::Net::IPAddress address;
      const bool is_address = Poco::Net::IPAddress::tryParse(uri.getHost(), address);
      // SNI only for names (RFC 6066 §3 forbids addresses there).
      auto secure = Poco::Net::SecureStreamSocket::attach(socket, is_address ? std::string() : uri.getHost(), tls_context());
      check_server_name(secure, uri.getHost(), is_address);
      owned = std::make_unique<Poco::Net::HTTPClientSession>(secure);
    } else {
      owned = std::make_unique<Poco::Net::HTTPClientSession>(socket);
    }
    Poco::Net::HTTPClientSession& session = *owned;
    session.setKeepAlive(false);
    session.setTimeout(timeout, timeout, timeout);
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setHost(uri.getHost(), uri.getPort());
    if (sign)
      request.set("Authorization",
                  sign_request(host_certificate_, host_key_, "GET", target, "", std::chrono::system_clock::now()));
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    RawAnswer answer;
    answer.status = static_cast<int>(response.getStatus());
    answer.content_type = response.getContentType();
    answer.authority_signature = response.get("Authority-Signature", "");
    char buffer[8192];
    while (in) {
      in.read(buffer, sizeof buffer);
      answer.body.append(buffer, static_cast<std::size_t>(in.gcount()));
      if (answer.body.size() > settings_.max_answer_bytes)
        throw FetchFailure("too_large", "the answer to GET " + url + " is larger than " +
                                            std::to_string(settings_.max_answer_bytes) + " bytes");
    }
    return answer;
  } catch (const Poco::TimeoutException& e) {
    throw FetchFailure("timeout", "GET " + url + " timed out: " + e.displayText());
  } catch (const Poco::Net::SSLException& e) {
    // A certificate that does not chain to the trusted CAs, a failed handshake.
    throw FetchFailure("tls", "GET " + url + ": TLS with the authority failed: " + e.displayText());
  } catch (const Poco::Exception& e) {
    throw FetchFailure("unreachable", "GET " + url + " failed: " + e.displayText());
  }
}

}  // namespace zhaoyin::authority
