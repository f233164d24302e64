#pragma once
// The sandbox time-stamping authority's HTTP service: RFC 3161 §3.4 (HTTP
// transport), POST application/timestamp-query → application/timestamp-reply,
// on 127.0.0.1. Every refusal of a query is still a TimeStampResp (status
// rejection with a PKIFailureInfo), with an HTTP 4xx status.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <zhaoyin/trust/timestamp.h>

namespace zhaoyin::tsa {

// A TimeStampReq is about a hundred bytes; anything much longer is refused unread.
inline constexpr std::size_t kMaxQueryBytes = 8 * 1024;

struct TsaReply {
  int http_status = 200;
  std::string content_type = "application/timestamp-reply";
  trust::Bytes body;
};

// The answer to one HTTP request: 200 and a granted TimeStampResp; 400 with a
// rejection (badRequest for a malformed query, badAlg for a hash other than
// SM3 or SHA-256, unacceptedPolicy for a policy other than the TSA's); 405
// for a method other than POST and 415 for another content type (both with a
// badDataFormat rejection); 413 for a body over kMaxQueryBytes.
TsaReply answer_query(const trust::TsaCredential& tsa, const std::string& method, const std::string& content_type,
                      const trust::Bytes& body, std::chrono::system_clock::time_point now);

// The service on 127.0.0.1:port (0: any free port) until stop() or destruction.
class TsaServer {
 public:
  TsaServer(trust::TsaCredential tsa, std::uint16_t port);
  ~TsaServer();
  TsaServer(const TsaServer&) = delete;
  TsaServer& operator=(const TsaServer&) = delete;
  std::uint16_t port() const;
  std::string url() const;  // http://127.0.0.1:<port>/
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace zhaoyin::tsa
