#pragma once
// The grant (授权书) that comes with every administrator's and agent's
// authorisation: the legal representative signs, with their license key, the
// UTF-8 JSON
//   {"authorisation":{…},"holder_cert_serial":…,"holder_name":…,"role":…,"uscc":…}
// serialised with keys sorted and no spaces. The grant carries those exact
// bytes (base64url) so a verifier never re-serialises:
//   {"payload": base64url(bytes), "signature": base64(DER SM2 signature),
//    "signer_cert_serial": the legal representative's certificate serial}
#include <nlohmann/json.hpp>
#include <string>
#include <zhaoyin/domain/license.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::sandbox {

nlohmann::json grant_payload(const std::string& uscc, const std::string& holder_name,
                             const std::string& holder_cert_serial, domain::HolderRole role,
                             const domain::Authorisation& authorisation);

// Keys sorted (nlohmann's object is ordered by key), no spaces, UTF-8 kept as is.
std::string canonical_json(const nlohmann::json& value);

nlohmann::json sign_grant(const nlohmann::json& payload, const trust::Sm2Key& legal_rep_key,
                          const std::string& legal_rep_cert_serial);

struct GrantCheck {
  bool ok = false;
  std::string code;     // ok | malformed | wrong_signer | bad_signature
  std::string message;
  nlohmann::json payload;  // the signed payload when it could be decoded
};

// Checks the grant's form, that it names `legal_rep_cert` as signer, and the
// signature over the payload bytes. Never throws for bad input.
GrantCheck verify_grant(const nlohmann::json& grant, const trust::Certificate& legal_rep_cert);

}  // namespace zhaoyin::sandbox
