#pragma once
// The service's request handlers, one small class per resource. Each builds a
// Reply; AuthorityHandler sends it and writes the access-log line, so no
// handler can forget either (docs/AUTHORITY.md lists every path).
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include "service_context.h"
#include "status_documents.h"

namespace zhaoyin::authority_service {

inline constexpr std::size_t kMaxRequestBody = 16 * 1024;

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;
  std::string client = "public";  // who asked (the host certificate) for the log
  std::string detail;             // what was answered, for the log
};

Reply json_error(int status, const std::string& code, const std::string& message);

// The request as the handlers see it: method, target (path and query as
// sent) and a body read within kMaxRequestBody.
struct Incoming {
  std::string method;
  std::string target;
  std::string path;
  std::string query;
  std::string body;
  std::string authorization;
};

class AuthorityHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit AuthorityHandler(std::shared_ptr<ServiceContext> context) : context_(std::move(context)) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) final;

 protected:
  virtual Reply serve(const Incoming& in) = 0;
  ServiceContext& context() { return *context_; }

 private:
  std::shared_ptr<ServiceContext> context_;
};

// GET /crl/<name>.crl: the CA's current CRL, DER (RFC 5280 §5, application/pkix-crl per RFC 2585 §4.2).
class CrlHandler final : public AuthorityHandler {
 public:
  CrlHandler(std::shared_ptr<ServiceContext> c, std::string ca) : AuthorityHandler(std::move(c)), ca_(std::move(ca)) {}
  Reply serve(const Incoming& in) override;

 private:
  std::string ca_;
};

// POST /ocsp (application/ocsp-request) and GET /ocsp/<url-encoded base64> (RFC 6960 Appendix A.1).
class OcspHandler final : public AuthorityHandler {
 public:
  using AuthorityHandler::AuthorityHandler;
  Reply serve(const Incoming& in) override;
};

// GET /certs/status-signer.pem: the certificate whose key signs the status answers.
class SignerCertificateHandler final : public AuthorityHandler {
 public:
  using AuthorityHandler::AuthorityHandler;
  Reply serve(const Incoming& in) override;
};

// GET /healthz
class HealthHandler final : public AuthorityHandler {
 public:
  using AuthorityHandler::AuthorityHandler;
  Reply serve(const Incoming& in) override;
};

// GET /v1/{enterprises,licenses,seals,grants}/<key> and /v1/seal-changes
// (status), /v1/ca-certificates, /v1/enterprises/<uscc>/{license,holders,seals},
// /v1/holders/<serial>, /v1/certificates/<serial> (records),
// /v1/enterprises/<uscc>/permits, /v1/enterprises?name= (permits, name lookup): authenticated,
// signed JSON.
class StatusHandler final : public AuthorityHandler {
 public:
  enum class Kind {
    Enterprise, License, Seal, Grant, SealChanges,
    CaCertificates, LicenseFace, Holders, EnterpriseSeals, Holder, Certificate,
    Permits, EnterpriseByName
  };
  StatusHandler(std::shared_ptr<ServiceContext> c, Kind kind, std::string key)
      : AuthorityHandler(std::move(c)), kind_(kind), key_(std::move(key)) {}
  Reply serve(const Incoming& in) override;

 private:
  Kind kind_;
  std::string key_;
};

// Anything the factory refuses before a handler: 404, 405, 400.
class ErrorHandler final : public AuthorityHandler {
 public:
  ErrorHandler(std::shared_ptr<ServiceContext> c, Reply reply) : AuthorityHandler(std::move(c)), reply_(std::move(reply)) {}
  Reply serve(const Incoming&) override { return reply_; }

 private:
  Reply reply_;
};

}  // namespace zhaoyin::authority_service
