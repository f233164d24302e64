#pragma once
// The http connector's transport: GET requests to the authority service with
// a timeout, limited retries with exponential backoff, and (for the status
// and record endpoints) the host's signed Authorization header
// (signed_request.h), over http or https. It does not interpret answers
// beyond their HTTP status.
//
// https (RFC 9110 §4.3.4, RFC 6125): the server's certificate must chain to
// the configured CA file (authority.ca_file) or, without one, the system's CA
// store, and must name the URL's host (a DNS name in subjectAltName, or an IP
// address for an address URL). Anything else is a failed exchange — never a
// connection without verification.
#include <Poco/Net/Context.h>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::authority {

// One failed exchange with the authority (network, timeout, 5xx, an answer
// that does not verify). The connector decides whether a cached answer may
// stand in; `reason` is a short metric label.
class FetchFailure : public std::runtime_error {
 public:
  FetchFailure(std::string reason, const std::string& message)
      : std::runtime_error(message), reason_(std::move(reason)) {}
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

struct ClientSettings {
  std::string base_url;                     // http://host:port[/prefix], no trailing slash
  std::chrono::milliseconds timeout{5000};  // connect, send and receive, each
  int retries = 2;                          // further attempts after a network error or 5xx
  std::chrono::milliseconds backoff{200};   // before retry n: backoff * 2^(n-1)
  std::size_t max_answer_bytes = 8 << 20;   // a longer answer is refused
  std::string ca_file;                      // https: the CAs to trust (PEM); empty: the system's store
};

struct RawAnswer {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string authority_signature;  // the Authority-Signature header, if any
};

// Counters the client keeps (the connector reports them).
struct ClientCounters {
  std::uint64_t requests = 0;
  std::uint64_t failures = 0;
};

class AuthorityClient {
 public:
  AuthorityClient(ClientSettings settings, trust::Certificate host_certificate, trust::Sm2Key host_key);

  const ClientSettings& settings() const { return settings_; }

  // GET `url_or_path` (a path below the base URL, or an absolute http:// URL
  // such as a CRL distribution point); signed when `sign`. Answers with any
  // status below 500 are returned; network errors and 5xx are retried, then
  // FetchFailure. `on_attempt(ok)` is called once per attempt.
  template <class OnAttempt>
  RawAnswer get(const std::string& url_or_path, bool sign, OnAttempt&& on_attempt) const {
    std::string last;
    for (int attempt = 0; attempt <= settings_.retries; ++attempt) {
      if (attempt > 0) pause(attempt);
      try {
        RawAnswer a = exchange(url_or_path, sign);
        if (a.status >= 500) {
          on_attempt(false);
          last = "the authority answered " + std::to_string(a.status) + " to GET " + url_or_path;
          continue;
        }
        on_attempt(true);
        return a;
      } catch (const FetchFailure& e) {
        on_attempt(false);
        last = e.what();
      }
    }
    throw FetchFailure("unreachable", last);
  }

 private:
  RawAnswer exchange(const std::string& url_or_path, bool sign) const;  // throws FetchFailure
  void pause(int attempt) const;
  Poco::Net::Context::Ptr tls_context() const;  // made at the first https request

  ClientSettings settings_;
  mutable std::once_flag tls_once_;
  mutable Poco::Net::Context::Ptr tls_;
  trust::Certificate host_certificate_;
  trust::Sm2Key host_key_;
};

}  // namespace zhaoyin::authority
