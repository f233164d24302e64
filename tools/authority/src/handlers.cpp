#include "handlers.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <charconv>
#include <istream>
#include <nlohmann/json.hpp>
#include <zhaoyin/authority/signed_request.h>
#include <zhaoyin/trust/error.h>
#include "ocsp_responder.h"
#include "permit_documents.h"
#include "record_documents.h"

namespace zhaoyin::authority_service {

using nlohmann::json;

namespace {

// A body over the limit but under this is read and dropped before the 413, so
// the client, still sending, reads the answer instead of a reset connection.
constexpr std::size_t kDrainLimit = 1024 * 1024;

// Reads at most `limit` bytes; false when the body is longer (declared or sent).
bool read_body(Poco::Net::HTTPServerRequest& request, std::size_t limit, std::string& body) {
  const bool declared_too_long =
      request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit);
  if (declared_too_long && request.getContentLength64() > static_cast<Poco::Int64>(kDrainLimit)) return false;
  std::istream& in = request.stream();
  char buffer[4096];
  std::size_t seen = 0;
  while (in && seen <= kDrainLimit) {
    in.read(buffer, sizeof buffer);
    const auto n = static_cast<std::size_t>(in.gcount());
    seen += n;
    if (seen <= limit) body.append(buffer, n);
  }
  if (seen > limit) body.clear();
  return seen <= limit;
}

std::optional<std::int64_t> query_number(const std::string& query, const std::string& name) {
  Poco::URI uri("/?" + query);
  for (const auto& [key, value] : uri.getQueryParameters()) {
    if (key != name) continue;
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n < 0) return -1;
    return n;
  }
  return std::nullopt;
}

// The one value of `name` in the query, URL-decoded; nullopt when absent,
// repeated or not URL-encoding.
std::optional<std::string> query_text(const std::string& query, const std::string& name) {
  std::optional<std::string> found;
  try {
    Poco::URI uri("/?" + query);
    for (const auto& [key, value] : uri.getQueryParameters()) {
      if (key != name) continue;
      if (found) return std::nullopt;
      found = value;
    }
  } catch (const Poco::SyntaxException&) {
    return std::nullopt;
  }
  return found;
}

}  // namespace

Reply json_error(int status, const std::string& code, const std::string& message) {
  Reply r;
  r.status = status;
  r.body = error_body(code, message).dump();
  r.detail = code;
  return r;
}

void AuthorityHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  Incoming in;
  in.method = request.getMethod();
  in.target = request.getURI();
  const auto q = in.target.find('?');
  in.path = in.target.substr(0, q);
  in.query = q == std::string::npos ? "" : in.target.substr(q + 1);
  in.authorization = request.get("Authorization", "");
  Reply reply;
  try {
    if (!read_body(request, kMaxRequestBody, in.body))
      reply = json_error(413, "payload_too_large", "the body is larger than " + std::to_string(kMaxRequestBody) + " bytes");
    else
      reply = serve(in);
  } catch (const std::exception& e) {
    // A bug, not the caller's fault: say so without details, log them.
    reply = json_error(500, "internal_error", "the authority could not answer");
    reply.detail = std::string("internal_error: ") + e.what();
  }
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
  response.setContentType(reply.content_type);
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  response.set("Cache-Control", "no-store");
  if (reply.status == 413) response.setKeepAlive(false);  // the rest of the body is not read
  response.setContentLength64(static_cast<Poco::Int64>(reply.body.size()));
  response.send().write(reply.body.data(), static_cast<std::streamsize>(reply.body.size()));
  context().log(json{{"msg", "request"},
                     {"at", authority::format_request_time(std::chrono::system_clock::now())},
                     {"peer", request.clientAddress().toString()},
                     {"client", reply.client},
                     {"method", in.method},
                     {"target", in.target.size() > 200 ? in.target.substr(0, 200) + "..." : in.target},
                     {"status", reply.status},
                     {"detail", reply.detail}}
                    .dump(-1, ' ', false, json::error_handler_t::replace));
}

Reply CrlHandler::serve(const Incoming&) {
  const auto snapshot = context().snapshot();
  const CaRecord* ca = snapshot->ca_named(ca_);
  if (!ca) return json_error(404, "not_found", "no CRL named " + ca_);
  Reply r;
  r.content_type = "application/pkix-crl";
  const trust::Bytes der = ca->crl.der();
  r.body.assign(der.begin(), der.end());
  r.detail = ca_ + " crlNumber " + std::to_string(ca->crl.crl_number());
  return r;
}

Reply OcspHandler::serve(const Incoming& in) {
  trust::Bytes request;
  if (in.method == "POST") {
    if (in.path != "/ocsp") return json_error(404, "not_found", "POST OCSP requests to /ocsp");
    if (in.body.empty()) return json_error(400, "bad_request", "the body is an OCSPRequest (DER)");
    request = trust::to_bytes(in.body);
  } else {
    // RFC 6960 Appendix A.1: GET {url}/{url-encoding of base-64 encoding of the DER OCSPRequest}.
    try {
      std::string encoded;
      Poco::URI::decode(in.path.substr(std::string("/ocsp/").size()), encoded);
      request = trust::base64_decode(encoded);
    } catch (const Poco::SyntaxException&) {
      return json_error(400, "bad_request", "the path is not URL-encoded");
    } catch (const trust::TrustError&) {
      return json_error(400, "bad_request", "the path does not end in a base64 OCSPRequest");
    }
  }
  const auto snapshot = context().snapshot();
  const OcspAnswer answer = answer_ocsp(*snapshot, request, std::chrono::system_clock::now());
  Reply r;
  // A malformed request is answered as RFC 6960 §2.3 says (malformedRequest),
  // with a 400 so HTTP-level tooling sees the refusal too.
  r.status = answer.well_formed ? 200 : 400;
  r.content_type = "application/ocsp-response";
  r.body.assign(answer.response.begin(), answer.response.end());
  r.detail = answer.summary;
  return r;
}

Reply SignerCertificateHandler::serve(const Incoming&) {
  Reply r;
  r.content_type = "application/x-pem-file";
  r.body = context().snapshot()->status_signer.pem();
  return r;
}

Reply HealthHandler::serve(const Incoming&) {
  Reply r;
  r.body = json{{"status", "ok"}, {"generation", context().snapshot()->state.generation}}.dump();
  return r;
}

Reply StatusHandler::serve(const Incoming& in) {
  const auto snapshot = context().snapshot();
  const auto now = std::chrono::system_clock::now();
  const Authentication auth =
      context().authenticator().check(*snapshot, in.authorization, in.method, in.target, in.body, now);
  if (!auth.ok) {
    Reply r = json_error(auth.http_status, auth.code, auth.message);
    if (auth.http_status == 401) r.headers["WWW-Authenticate"] = "Zhaoyin-SM2";
    return r;
  }
  StatusAnswer answer;
  switch (kind_) {
    case Kind::Enterprise: answer = enterprise_status(*snapshot, key_, now); break;
    case Kind::License: answer = license_status(*snapshot, key_, now); break;
    case Kind::Seal: answer = seal_status(*snapshot, key_, now); break;
    case Kind::Grant: answer = grant_status(*snapshot, key_, now); break;
    case Kind::CaCertificates: answer = ca_certificates(*snapshot, now); break;
    case Kind::LicenseFace: answer = license_face(*snapshot, key_, now); break;
    case Kind::Holders: answer = enterprise_holders(*snapshot, key_, now); break;
    case Kind::EnterpriseSeals: answer = enterprise_seals(*snapshot, key_, now); break;
    case Kind::Holder: answer = holder_record(*snapshot, key_, now); break;
    case Kind::Certificate: answer = certificate_record(*snapshot, key_, now); break;
    case Kind::Permits: answer = enterprise_permits(*snapshot, key_, now); break;
    case Kind::EnterpriseByName: {
      const auto name = query_text(in.query, "name");
      if (!name || name->empty() || name->size() > kMaxEnterpriseName) {
        Reply r = json_error(400, "bad_request", "name is the exact registered name, 1 to " +
                                                     std::to_string(kMaxEnterpriseName) + " bytes");
        r.client = auth.client;
        return r;
      }
      answer = enterprise_by_name(*snapshot, *name, now);
      break;
    }
    case Kind::SealChanges: {
      const auto since = query_number(in.query, "since");
      const auto limit = query_number(in.query, "limit");
      if ((since && *since < 0) || (limit && (*limit < 1 || *limit > kMaxFeedPage))) {
        Reply r = json_error(400, "bad_request", "since is a whole number, limit one from 1 to " +
                                                     std::to_string(kMaxFeedPage));
        r.client = auth.client;
        return r;
      }
      answer = seal_changes(*snapshot, since.value_or(0), limit.value_or(100), now);
      break;
    }
  }
  Reply r;
  r.status = answer.http_status;
  r.body = answer.body.dump(-1, ' ', false);
  r.client = auth.client;
  r.detail = answer.http_status == 200 ? answer.body.value("status", std::string("ok"))
                                       : answer.body["error"]["code"].get<std::string>();
  // The authority's signature over the exact body bytes (docs/AUTHORITY.md §Signed answers).
  const trust::Bytes signature = snapshot->status_signer_key.sign(trust::to_bytes(r.body));
  r.headers["Authority-Signature"] = "signer=\"" + snapshot->status_signer.serial_hex() + "\", signature=\"" +
                                     trust::base64_encode(signature) + "\"";
  return r;
}

}  // namespace zhaoyin::authority_service
