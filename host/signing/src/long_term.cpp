#include "long_term.h"

#include <Poco/Data/Session.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>
#include <nlohmann/json.hpp>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/timestamp.h>

namespace zhaoyin::signing {

namespace {

using namespace Poco::Data::Keywords;

// A TimeStampResp with a TSA chain of a few certificates is a few kilobytes.
constexpr std::size_t kMaxReplyBytes = 64 * 1024;
constexpr auto kMaxClockDistance = std::chrono::minutes(5);

[[noreturn]] void unavailable(const std::string& why) {
  throw http::ApiError(503, "tsa_unavailable", "the time-stamping authority: " + why, {{"Retry-After", "30"}});
}
[[noreturn]] void invalid(const std::string& why) {
  throw http::ApiError(502, "timestamp_invalid", "the time-stamping authority's reply: " + why);
}

Bytes post_query(const http::HostSettings::Timestamping& settings, const Bytes& query) {
  try {
    const Poco::URI uri(settings.url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(static_cast<long>(settings.timeout.count()), 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    request.setContentType("application/timestamp-query");
    request.setContentLength(static_cast<std::streamsize>(query.size()));
    session.sendRequest(request).write(reinterpret_cast<const char*>(query.data()), static_cast<std::streamsize>(query.size()));
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    Bytes body;
    char buffer[4096];
    while (in && body.size() <= kMaxReplyBytes) {
      in.read(buffer, sizeof buffer);
      body.insert(body.end(), buffer, buffer + in.gcount());
    }
    if (body.size() > kMaxReplyBytes) invalid("longer than " + std::to_string(kMaxReplyBytes) + " bytes");
    // RFC 3161 §3.4: a refusal is also a TimeStampResp; read it for its reason.
    if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
      std::string reason;
      try {
        reason = trust::parse_timestamp_response(body).status_text;
      } catch (const trust::TrustError&) {
      }
      unavailable("HTTP " + std::to_string(static_cast<int>(response.getStatus())) + (reason.empty() ? "" : " (" + reason + ")"));
    }
    if (response.getContentType().rfind("application/timestamp-reply", 0) != 0)
      invalid("Content-Type " + response.getContentType() + " is not application/timestamp-reply");
    return body;
  } catch (const Poco::Exception& e) {
    unavailable(settings.url + " cannot be reached: " + e.displayText());
  }
}

std::string b64(const Bytes& b) { return trust::base64_encode(b); }

}  // namespace

trust::TrustStore tsa_trust_store(const http::HostSettings::Timestamping& settings) {
  trust::TrustStore store;
  for (const auto& anchor : settings.trust_anchors) store.add_root(anchor);
  return store;
}

Bytes obtain_timestamp(const http::HostSettings::Timestamping& settings, const Bytes& signature_value, TimePoint now) {
  trust::TimestampRequest request;
  request.hash_oid = std::string(trust::kOidSm3);
  request.hashed_message = trust::sm3(signature_value);
  Bytes nonce = trust::random_bytes(8);
  nonce[0] = static_cast<std::uint8_t>((nonce[0] & 0x7F) | 0x01);  // positive, minimal
  request.nonce = nonce;
  request.cert_req = true;
  const Bytes reply = post_query(settings, trust::encode_timestamp_request(request));
  trust::TimestampResponse response;
  try {
    response = trust::parse_timestamp_response(reply);
  } catch (const trust::TrustError& e) {
    invalid(std::string("not a TimeStampResp: ") + e.what());
  }
  if (response.status != 0 && response.status != 1)
    unavailable("refused the request (PKIStatus " + std::to_string(response.status) +
                (response.status_text.empty() ? "" : ": " + response.status_text) + ")");
  const auto check = trust::verify_timestamp_token(*response.token, signature_value, tsa_trust_store(settings));
  if (!check.ok) invalid(check.message + " (" + check.code + ")");
  const auto& info = check.token->info;
  if (info.nonce != request.nonce) invalid("the nonce is not the one sent (RFC 3161 §2.4.2)");
  if (info.gen_time > now + kMaxClockDistance || info.gen_time < now - kMaxClockDistance)
    invalid("genTime is more than five minutes from the host's clock");
  return *response.token;
}

SignatureEvidence collect_evidence(const trust::TrustStore& authority, const trust::ParsedSealSignature& signature,
                                   TimePoint at) {
  return collect_evidence(authority, {&signature.signer_cert, &signature.seal.maker_cert}, at);
}

SignatureEvidence collect_evidence(const trust::TrustStore& authority, const std::vector<const trust::Certificate*>& leaves,
                                   TimePoint at) {
  SignatureEvidence evidence;
  evidence.captured_at = at;
  auto add_certificate = [&evidence](const trust::Certificate& c) {
    for (const auto& known : evidence.certificates)
      if (known.der() == c.der()) return;
    evidence.certificates.push_back(c);
  };
  for (const auto* leaf : leaves) {
    const auto chain = authority.verify(*leaf, at, true);
    for (std::size_t i = 0; i < chain.path.size(); ++i) {
      if (i + 1 < chain.path.size() || chain.path.size() == 1) add_certificate(chain.path[i]);
      if (i == 0) continue;  // CRLs of the issuers: every certificate above the leaf
      for (const auto& crl : authority.crls())
        if (crl.issuer().attributes == chain.path[i].subject().attributes) {
          bool known = false;
          for (const auto& k : evidence.crls) known = known || k.der() == crl.der();
          if (!known) evidence.crls.push_back(crl);
        }
    }
  }
  return evidence;
}

void save_evidence(Poco::Data::Session& session, const std::string& task_id, const Bytes& signature_value,
                   const SignatureEvidence& evidence) {
  nlohmann::json certs = nlohmann::json::array(), crls = nlohmann::json::array();
  for (const auto& c : evidence.certificates) certs.push_back(b64(c.der()));
  for (const auto& c : evidence.crls) crls.push_back(b64(c.der()));
  std::string key = trust::hex_encode(trust::sm3(signature_value)), task = task_id, cert_text = certs.dump(),
              crl_text = crls.dump();
  Poco::Int64 captured = std::chrono::duration_cast<std::chrono::seconds>(evidence.captured_at.time_since_epoch()).count();
  session << "INSERT INTO signature_evidence (signature_sm3, task_id, certificates, crls, captured_at) VALUES (?, ?, ?, ?, ?)",
      use(key), use(task), use(cert_text), use(crl_text), use(captured), now;
}

std::optional<SignatureEvidence> load_evidence(store::Database& db, const Bytes& signature_value) {
  try {
    auto session = db.session();
    std::string key = trust::hex_encode(trust::sm3(signature_value));
    Poco::Data::Statement select(session);
    select << "SELECT certificates, crls, captured_at FROM signature_evidence WHERE signature_sm3 = ?", use(key);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    SignatureEvidence evidence;
    for (const auto& c : nlohmann::json::parse(rs.value(0, 0).convert<std::string>()))
      evidence.certificates.push_back(trust::Certificate::from_der(trust::base64_decode(c.get<std::string>())));
    for (const auto& c : nlohmann::json::parse(rs.value(1, 0).convert<std::string>()))
      evidence.crls.push_back(trust::Crl::from_der(trust::base64_decode(c.get<std::string>())));
    evidence.captured_at = TimePoint(std::chrono::seconds(rs.value(2, 0).convert<Poco::Int64>()));
    return evidence;
  } catch (const Poco::Exception& e) {
    throw http::ApiError(503, "store_unavailable", "cannot read signature evidence: " + e.displayText());
  }
}

trust::TrustStore evidence_trust_store(const trust::TrustStore& authority, const SignatureEvidence& evidence) {
  trust::TrustStore store;
  for (const auto& root : authority.roots()) store.add_root(root);
  for (const auto& ca : authority.intermediates()) store.add_intermediate(ca);
  for (const auto& c : evidence.certificates)
    if (c.is_ca()) store.add_intermediate(c);
  for (const auto& crl : evidence.crls) store.add_crl(crl);
  // Evidence captured while the authority answered by OCSP holds no CRLs:
  // the authority's own source (its responder) is asked instead.
  if (evidence.crls.empty()) store.set_revocation_source(authority.revocation_source());
  return store;
}

}  // namespace zhaoyin::signing
