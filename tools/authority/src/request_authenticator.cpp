#include "request_authenticator.h"

#include <zhaoyin/authority/signed_request.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::authority_service {

namespace {

Authentication refuse(std::string code, std::string message, int status = 401) {
  Authentication a;
  a.http_status = status;
  a.code = std::move(code);
  a.message = std::move(message);
  return a;
}

}  // namespace

Authentication RequestAuthenticator::check(const Snapshot& snapshot, const std::string& header,
                                           const std::string& method, const std::string& target,
                                           const std::string& body, std::chrono::system_clock::time_point now) {
  if (header.empty())
    return refuse("unauthenticated", "sign the request with your relying-party host certificate (docs/AUTHORITY.md)");
  const auto parsed = authority::parse_request_authorization(header);
  if (!parsed) return refuse("bad_authorization", "the Authorization header is not a Zhaoyin-SM2 signed request");

  trust::Certificate cert;
  trust::Bytes signature;
  try {
    cert = trust::Certificate::from_der(trust::base64_decode(parsed->cert));
    signature = trust::base64_decode(parsed->signature);
  } catch (const trust::TrustError&) {
    return refuse("bad_authorization", "the certificate or signature is not base64 DER");
  }
  // Only the relying-party CA issues host certificates: the chain is built
  // through it alone, so a license certificate cannot authenticate a host.
  trust::TrustStore hosts;
  hosts.add_root(snapshot.root);
  hosts.add_intermediate(snapshot.relying_party_ca);
  const trust::ChainResult chain = hosts.verify(cert, now, false);
  if (!chain.ok || !cert.has_extended_key_usage(trust::kRelyingPartyHostPurpose))
    return refuse("untrusted_client", "not a relying-party host certificate of this authority: " +
                                          (chain.ok ? std::string("no relying-party host purpose") : chain.message));

  const auto timestamp = authority::parse_request_time(parsed->timestamp);
  if (!timestamp || *timestamp < now - kClockWindow || *timestamp > now + kClockWindow)
    return refuse("stale_request", "the request's timestamp is more than " + std::to_string(kClockWindow.count()) +
                                       " seconds from the authority's clock");

  const std::string canonical = authority::canonical_request(method, target, parsed->timestamp, parsed->nonce, body);
  if (!cert.public_key().verify(trust::to_bytes(canonical), signature))
    return refuse("bad_signature", "the signature does not verify with the host certificate's key");

  bool full = false;
  if (!remember(parsed->nonce, *timestamp + kClockWindow, now, full)) {
    if (full) return refuse("too_many_requests", "too many recent requests to remember; try again shortly", 503);
    return refuse("replayed_request", "this nonce was used already");
  }
  Authentication ok;
  ok.ok = true;
  ok.http_status = 200;
  ok.client = cert.subject().get("CN") + " serial " + cert.serial_hex();
  return ok;
}

bool RequestAuthenticator::remember(const std::string& nonce, std::chrono::system_clock::time_point expires,
                                    std::chrono::system_clock::time_point now, bool& full) {
  std::lock_guard lock(mutex_);
  // A nonce only has to be remembered while its timestamp is inside the window;
  // after that the timestamp check refuses the request anyway.
  while (!expiry_.empty() && expiry_.front().first < now) {
    nonces_.erase(expiry_.front().second);
    expiry_.pop_front();
  }
  if (nonces_.count(nonce)) return false;
  if (nonces_.size() >= kMaxRememberedNonces) {
    full = true;
    return false;
  }
  nonces_.insert(nonce);
  // Kept in order of insertion; expiry times differ by at most the window, so
  // a late one behind an early one is only dropped a little later.
  expiry_.emplace_back(expires, nonce);
  return true;
}

}  // namespace zhaoyin::authority_service
