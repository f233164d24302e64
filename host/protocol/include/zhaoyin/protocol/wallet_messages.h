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
#include <chrono>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <vector>
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
bool verify_message(const nlohmann::json& message, const trust::Bytes& signature_der, const trust::Sm2Key& key);

// The ticket of a QR text "<anything>/wallet/v1/requests/<ticket>" (no query,
// no further segments); nullopt if the text is not a wallet request URL.
std::optional<std::string> ticket_from_qr_text(std::string_view qr_text);

// ---- Answers, read strictly (docs/PROTOCOL.md §3.2 "Answer format") ----
//
// A wallet answer that does not have exactly the documented shape is refused
// before anything in it is believed: an unknown or missing member, a chain
// that is not a list of PEM strings, a grant that is neither null nor an
// object, a signature that is not padded base64 (RFC 4648 §4) or a time that is
// not "YYYY-MM-DDTHH:MM:SSZ". Lenient readers let two implementations sign and
// check different things; strict ones make every wallet fail the same way.

// A refusal of the answer's format; code is "invalid_request" (HTTP 400).
class AnswerFormatError : public std::runtime_error {
 public:
  explicit AnswerFormatError(const std::string& message) : std::runtime_error(message) {}
  static constexpr const char* code() { return "invalid_request"; }
};

struct AnswerEnvelope {
  nlohmann::json answer;             // the signed object (its members checked by the flow)
  std::string certificate_pem;       // the holder's license certificate
  std::vector<std::string> chain;    // informative: the host validates against its own trust store
  nlohmann::json grant;              // null or the grant object
  trust::Bytes signature;            // DER SM2 signature over canonical_json(answer)
};

// The body {"answer", "certificate", "chain", "grant", "signature"} — all five,
// nothing else. Throws AnswerFormatError.
AnswerEnvelope parse_answer_envelope(const nlohmann::json& body);

// Checks that `object` has every member of `required` and no other; `where`
// names it in the message ("answer"). Throws AnswerFormatError.
void require_exact_members(const nlohmann::json& object, std::initializer_list<const char*> required,
                           const char* where);

// A wallet message time: RFC 3339 in UTC, whole seconds, "Z" (20 characters).
std::optional<std::chrono::system_clock::time_point> parse_wallet_time(std::string_view text);

// How far a wallet's answered_at may be from the host's clock (either way).
inline constexpr std::chrono::seconds kMaxAnswerClockSkew{300};

// The answer's "answered_at" as a wallet time; throws AnswerFormatError when it
// is missing or not of that form.
std::chrono::system_clock::time_point answered_at_of(const nlohmann::json& answer);
// True when `answered_at` is within kMaxAnswerClockSkew of `now`, either way.
bool within_clock_window(std::chrono::system_clock::time_point answered_at, std::chrono::system_clock::time_point now);

// A fresh random ticket / nonce: base64url of 16 random bytes (22 characters).
std::string new_ticket();
std::string new_nonce();

}  // namespace zhaoyin::protocol
