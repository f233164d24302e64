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

std::string canonical_json(const nlohmann::json& value) {
  // dump() without indent uses "," and ":" with no spaces; ensure_ascii off
  // keeps Chinese text as UTF-8 bytes rather than \u escapes.
  return value.dump(-1, ' ', false);
}

nlohmann::json sign_grant(const nlohmann::json& payload, const trust::Sm2Key& legal_rep_key,
                          const std::string& legal_rep_cert_serial) {
  const trust::Bytes bytes = trust::to_bytes(canonical_json(payload));
  return nlohmann::json{{"payload", trust::base64url_encode(bytes)},
                        {"signature", trust::base64_encode(legal_rep_key.sign(bytes))},
                        {"signer_cert_serial", legal_rep_cert_serial}};
}

GrantCheck verify_grant(const nlohmann::json& grant, const trust::Certificate& legal_rep_cert) {
  GrantCheck check;
  const auto fail = [&check](std::string code, std::string message) {
    check.ok = false;
    check.code = std::move(code);
    check.message = std::move(message);
    return check;
  };
  if (!grant.is_object() || !grant.contains("payload") || !grant["payload"].is_string() ||
      !grant.contains("signature") || !grant["signature"].is_string() ||
      !grant.contains("signer_cert_serial") || !grant["signer_cert_serial"].is_string()) {
    return fail("malformed", "a grant needs payload, signature and signer_cert_serial strings");
  }
  trust::Bytes payload;
  trust::Bytes signature;
  try {
    payload = trust::base64url_decode(grant["payload"].get<std::string>());
    signature = trust::base64_decode(grant["signature"].get<std::string>());
    check.payload = nlohmann::json::parse(trust::to_string(payload));
  } catch (const trust::TrustError&) {
    return fail("malformed", "the grant's payload or signature is not valid base64");
  } catch (const nlohmann::json::exception&) {
    return fail("malformed", "the grant's payload is not JSON");
  }
  if (grant["signer_cert_serial"].get<std::string>() != legal_rep_cert.serial_hex()) {
    return fail("wrong_signer", "the grant names signer " + grant["signer_cert_serial"].get<std::string>() +
                                    ", not the certificate " + legal_rep_cert.serial_hex());
  }
  if (!legal_rep_cert.public_key().verify(payload, signature)) {
    return fail("bad_signature", "the grant's signature does not verify with the legal representative's key");
  }
  check.ok = true;
  check.code = "ok";
  check.message = "grant signed by " + legal_rep_cert.serial_hex();
  return check;
}

}  // namespace zhaoyin::sandbox
