#pragma once
// What an ID token and /oidc/userinfo say about the person who signed in: the
// enterprise on the license and the holder who scanned (docs/api/oidc.md).
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace zhaoyin::oidc {

// The authentication context class every Zhaoyin login has: the holder scanned
// a QR code with the license wallet and approved with the license password.
inline constexpr const char* kAcrLicenseQr = "urn:zhaoyin:acr:license-qr";
// RFC 8176 methods: a software-secured key ("swk") unlocked with a PIN ("pin").
inline const nlohmann::json kAmr = nlohmann::json::array({"swk", "pin"});

// The `sub` claim: the enterprise, stable whoever of its holders scans and
// whatever their name or role becomes (issue 22: a holder renamed or replaced
// must not turn into a new account at the relying party); the same for every
// client (subject type "public"). Who scanned is in the "holder" claim.
//   base64url(SM3("zhaoyin:oidc:sub:v2|" uscc)) truncated to 24 bytes (32 characters).
// (v1, before 2026-12-07, hashed uscc|holder name|role: one sub per holder.)
std::string subject_identifier(const std::string& uscc);

// The identity claims from a confirmed login session's subject
// (verification::VerifiedSubject::to_json()):
//   {"sub","uscc","name","legal_representative",
//    "holder":{"name","role","role_label","matters"},"license_serial"}
// Throws std::invalid_argument when the subject lacks one of the fields.
nlohmann::json identity_claims(const nlohmann::json& subject);

}  // namespace zhaoyin::oidc
