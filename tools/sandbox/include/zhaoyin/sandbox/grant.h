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
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::sandbox {

nlohmann::json grant_payload(const std::string& uscc, const std::string& holder_name,
                             const std::string& holder_cert_serial, domain::HolderRole role,
                             const domain::Authorisation& authorisation);

using protocol::canonical_json;

nlohmann::json sign_grant(const nlohmann::json& payload, const trust::Sm2Key& legal_rep_key,
                          const std::string& legal_rep_cert_serial);

// Verification lives with the protocol (the host checks grants too).
using protocol::GrantCheck;
using protocol::verify_grant;

}  // namespace zhaoyin::sandbox
