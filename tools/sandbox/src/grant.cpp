#include <zhaoyin/sandbox/grant.h>

#include <zhaoyin/trust/error.h>

namespace zhaoyin::sandbox {

nlohmann::json grant_payload(const std::string& uscc, const std::string& holder_name,
                             const std::string& holder_cert_serial, domain::HolderRole role,
                             const domain::Authorisation& authorisation) {
  return nlohmann::json{{"uscc", uscc},
                        {"holder_name", holder_name},
                        {"holder_cert_serial", holder_cert_serial},
                        {"role", domain::to_string(role)},
                        {"authorisation", domain::to_json(authorisation)}};
}

nlohmann::json sign_grant(const nlohmann::json& payload, const trust::Sm2Key& legal_rep_key,
                          const std::string& legal_rep_cert_serial) {
  const trust::Bytes bytes = trust::to_bytes(canonical_json(payload));
  return nlohmann::json{{"payload", trust::base64url_encode(bytes)},
                        {"signature", trust::base64_encode(legal_rep_key.sign(bytes))},
                        {"signer_cert_serial", legal_rep_cert_serial}};
}

}  // namespace zhaoyin::sandbox
