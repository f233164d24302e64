#include "handler_factory.h"

#include <Poco/Net/HTTPServerRequest.h>

#include <cctype>
#include "handlers.h"

namespace zhaoyin::authority_service {

namespace {

// Path keys: USCCs (18 characters, digits and capitals), serials (hex), seal
// codes (digits and letters). Anything else cannot name a record.
bool is_key(const std::string& s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (const unsigned char c : s)
    if (!std::isalnum(c)) return false;
  return true;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

Poco::Net::HTTPRequestHandler* HandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest& request) {
  const std::string& method = request.getMethod();
  const std::string target = request.getURI();
  const std::string path = target.substr(0, target.find('?'));
  using Handler = Poco::Net::HTTPRequestHandler;
  const auto refuse = [&](int status, const std::string& code, const std::string& message) -> Handler* {
    return new ErrorHandler(context_, json_error(status, code, message));
  };
  const auto only = [&](const char* allowed) -> bool { return method == allowed; };
  const auto not_allowed = [&](const std::string& allowed) -> Handler* {
    Reply r = json_error(405, "method_not_allowed", "use " + allowed);
    r.headers["Allow"] = allowed;
    return new ErrorHandler(context_, r);
  };

  if (path == "/ocsp") {
    if (!only("POST")) return not_allowed("POST");
    if (request.getContentType() != "application/ocsp-request")
      return refuse(415, "unsupported_media_type", "an OCSP request is application/ocsp-request (RFC 6960 Appendix A.1)");
    return new OcspHandler(context_);
  }
  if (starts_with(path, "/ocsp/")) return only("GET") ? static_cast<Handler*>(new OcspHandler(context_)) : not_allowed("GET");
  if (starts_with(path, "/crl/") && path.size() > 9 && path.substr(path.size() - 4) == ".crl") {
    const std::string name = path.substr(5, path.size() - 9);
    if (!is_key(name, 16)) return refuse(404, "not_found", "no such CRL");
    return only("GET") ? static_cast<Handler*>(new CrlHandler(context_, name)) : not_allowed("GET");
  }
  if (path == "/certs/status-signer.pem") return only("GET") ? static_cast<Handler*>(new SignerCertificateHandler(context_)) : not_allowed("GET");
  if (path == "/healthz") return only("GET") ? static_cast<Handler*>(new HealthHandler(context_)) : not_allowed("GET");
  if (path == "/v1/seal-changes")
    return only("GET") ? static_cast<Handler*>(new StatusHandler(context_, StatusHandler::Kind::SealChanges, "")) : not_allowed("GET");

  if (path == "/v1/ca-certificates")
    return only("GET") ? static_cast<Handler*>(new StatusHandler(context_, StatusHandler::Kind::CaCertificates, ""))
                       : not_allowed("GET");
  // /v1/enterprises?name=<exact name>: the data interface's lookup by name.
  if (path == "/v1/enterprises")
    return only("GET") ? static_cast<Handler*>(new StatusHandler(context_, StatusHandler::Kind::EnterpriseByName, ""))
                       : not_allowed("GET");
  // /v1/enterprises/<uscc>/{license,holders,seals,permits}: the records behind a license.
  if (starts_with(path, "/v1/enterprises/")) {
    const std::string rest = path.substr(std::string("/v1/enterprises/").size());
    const auto slash = rest.find('/');
    if (slash != std::string::npos) {
      static const std::pair<const char*, StatusHandler::Kind> records[] = {
          {"license", StatusHandler::Kind::LicenseFace},
          {"holders", StatusHandler::Kind::Holders},
          {"seals", StatusHandler::Kind::EnterpriseSeals},
          {"permits", StatusHandler::Kind::Permits},
      };
      const std::string uscc = rest.substr(0, slash);
      const std::string record = rest.substr(slash + 1);
      for (const auto& [name, kind] : records) {
        if (record != name) continue;
        if (!is_key(uscc, 18)) return refuse(404, "not_found", "not a valid key in /v1/enterprises/");
        return only("GET") ? static_cast<Handler*>(new StatusHandler(context_, kind, uscc)) : not_allowed("GET");
      }
      return refuse(404, "not_found", "no such record of an enterprise (license, holders, seals, permits)");
    }
  }

  struct Collection {
    const char* prefix;
    StatusHandler::Kind kind;
    std::size_t max_key;
    bool upper_case;  // serials are compared in upper case
  };
  static const Collection collections[] = {
      {"/v1/enterprises/", StatusHandler::Kind::Enterprise, 18, false},
      {"/v1/licenses/", StatusHandler::Kind::License, 64, true},
      {"/v1/seals/", StatusHandler::Kind::Seal, 32, false},
      {"/v1/grants/", StatusHandler::Kind::Grant, 64, true},
      {"/v1/holders/", StatusHandler::Kind::Holder, 64, true},
      {"/v1/certificates/", StatusHandler::Kind::Certificate, 64, true},
  };
  for (const auto& c : collections) {
    if (!starts_with(path, c.prefix)) continue;
    std::string key = path.substr(std::string(c.prefix).size());
    if (!is_key(key, c.max_key)) return refuse(404, "not_found", "not a valid key in " + std::string(c.prefix));
    if (!only("GET")) return not_allowed("GET");
    if (c.upper_case) {
      for (char& ch : key) {
        if (!std::isxdigit(static_cast<unsigned char>(ch))) return refuse(404, "not_found", "a serial is hexadecimal");
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      }
    }
    return new StatusHandler(context_, c.kind, key);
  }
  return refuse(404, "not_found", "no such resource (docs/AUTHORITY.md lists them)");
}

}  // namespace zhaoyin::authority_service
