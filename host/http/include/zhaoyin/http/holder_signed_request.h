#pragma once
// A request a holder signs with the license key outside any QR ticket — the
// signing inbox (POST /wallet/v1/inbox) and display-code revocations (POST
// /wallet/v1/display-codes/revocations). Both carry a wallet answer envelope
// (docs/PROTOCOL.md §3.2) whose answer names this host's endpoint, the
// signer's license serial and a time; the checks that make such an answer
// believable are the same for both, so they live here once. What the answer
// asks for, and whether the authority vouches for the signer, stay with each
// endpoint.
#include <string>
#include <string_view>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::http {

// Checks, in this order, and throws ApiError on the first that fails:
//   400 invalid_request  the certificate is not a PEM certificate;
//   422 answer_mismatch  answer.protocol is not zhaoyin-wallet/1, answer.type
//                        is not `type`, answer.answer_url is not `answer_url`,
//                        or answer.license_serial is not the certificate's;
//   422 clock_skew       answer.answered_at more than 5 minutes from now;
//   422 bad_signature    the signature does not verify with the certificate.
// The caller has already checked the answer's members (exactly those of its
// type). `request_name` completes the mismatch message ("this inbox request").
// Returns the certificate that made the signature.
trust::Certificate verify_holder_signed_request(const protocol::AnswerEnvelope& envelope, std::string_view type,
                                                const std::string& answer_url, std::string_view request_name);

// answer.<name> as a string; 400 invalid_request when absent or not a string.
std::string answer_text(const nlohmann::json& answer, const char* name);

}  // namespace zhaoyin::http
