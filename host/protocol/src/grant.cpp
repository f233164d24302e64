#include <zhaoyin/protocol/grant.h>

#include <zhaoyin/protocol/json_reader.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/verified_signatures.h>

namespace zhaoyin::protocol {

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
    check.payload = read_json(trust::to_string(payload));
  } catch (const trust::TrustError&) {
    return fail("malformed", "the grant's payload or signature is not valid base64");
  } catch (const JsonInputError& e) {
    return fail("malformed", std::string("the grant's payload is refused: ") + e.what());
  }
  if (grant["signer_cert_serial"].get<std::string>() != legal_rep_cert.serial_hex()) {
    return fail("wrong_signer", "the grant names signer " + grant["signer_cert_serial"].get<std::string>() +
                                    ", not the certificate " + legal_rep_cert.serial_hex());
  }
  // A grant is presented with every code and login of its holder: check its signature once.
  if (!trust::verify_remembered(legal_rep_cert.public_key(), payload, signature)) {
    return fail("bad_signature", "the grant's signature does not verify with the legal representative's key");
  }
  check.ok = true;
  check.code = "ok";
  check.message = "grant signed by " + legal_rep_cert.serial_hex();
  return check;
}

trust::Bytes grant_digest(const nlohmann::json& grant_or_null) {
  if (grant_or_null.is_null()) return trust::Bytes(8, 0);
  if (!grant_or_null.is_object() || !grant_or_null.contains("payload") || !grant_or_null["payload"].is_string())
    throw trust::TrustError("malformed", "a grant needs a payload string");
  trust::Bytes digest = trust::sm3(trust::base64url_decode(grant_or_null["payload"].get<std::string>()));
  digest.resize(8);
  return digest;
}

}  // namespace zhaoyin::protocol
