#pragma once
// Wallet ↔ host messages for the QR flows (login, signing). docs/PROTOCOL.md is
// the normative description; this header is the shared code for both sides.
//
//   QR text          <public_url>/wallet/v1/requests/<ticket>
//   GET  that URL    → {"request":{…}, "signature":"<b64 DER>", "host_certificates":["<PEM>", …]}
//                      signed by the host's key (certificate issued by the authority)
//   POST …/answer    ← {"answer":{…}, "certificate":"<PEM>", "chain":["<PEM>",…],
//                       "grant":null|{…}, "signature":"<b64 DER>"} signed by the holder's license key
//
// Each signature is SM2/SM3 with ID 1234567812345678 over canonical_json(the
// request or answer object), DER, base64.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <zhaoyin/trust/sm2.h>

namespace zhaoyin::protocol {

inline constexpr std::string_view kWalletProtocol = "zhaoyin-wallet/1";
inline constexpr std::string_view kWalletRequestPath = "/wallet/v1/requests/";

// Base64 DER signature over canonical_json(message).
std::string sign_message(const nlohmann::json& message, const trust::Sm2Key& key);
// False for a bad, malformed or missing signature; never throws for bad input.
bool verify_message(const nlohmann::json& message, const std::string& signature_b64, const trust::Sm2Key& key);

// The ticket of a QR text "<anything>/wallet/v1/requests/<ticket>" (no query,
// no further segments); nullopt if the text is not a wallet request URL.
std::optional<std::string> ticket_from_qr_text(std::string_view qr_text);

// A fresh random ticket / nonce: base64url of 16 random bytes (22 characters).
std::string new_ticket();
std::string new_nonce();

}  // namespace zhaoyin::protocol
