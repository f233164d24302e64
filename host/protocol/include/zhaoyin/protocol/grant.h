#pragma once
// The grant (授权书) that comes with every administrator's and agent's
// authorisation: the legal representative signs, with their license key, the
// canonical JSON
//   {"authorisation":{…},"holder_cert_serial":…,"holder_name":…,"role":…,"uscc":…}
// and the grant carries those exact bytes (base64url) so a verifier never
// re-serialises:
//   {"payload": base64url(bytes), "signature": base64(DER SM2 signature),
//    "signer_cert_serial": the legal representative's certificate serial}
#include <nlohmann/json.hpp>
#include <string>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::protocol {

struct GrantCheck {
  bool ok = false;
  std::string code;        // ok | malformed | wrong_signer | bad_signature
  std::string message;
  nlohmann::json payload;  // the signed payload when it could be decoded
};

// Checks the grant's form, that it names `legal_rep_cert` as signer, and the
// signature over the payload bytes. Never throws for bad input.
GrantCheck verify_grant(const nlohmann::json& grant, const trust::Certificate& legal_rep_cert);

// The first 8 bytes of SM3 over the grant's payload bytes: how a presentation
// code names the authorisation it was made under. Eight zero bytes for
// "no grant" (the legal representative). Throws TrustError("malformed") when
// the payload is not base64url.
trust::Bytes grant_digest(const nlohmann::json& grant_or_null);

}  // namespace zhaoyin::protocol
