#include <zhaoyin/http/holder_signed_request.h>

#include <chrono>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::http {

std::string answer_text(const nlohmann::json& answer, const char* name) {
  if (!answer.is_object() || !answer.contains(name) || !answer[name].is_string())
    throw ApiError::bad_request(std::string("answer.") + name + " must be a string");
  return answer[name].get<std::string>();
}

trust::Certificate verify_holder_signed_request(const protocol::AnswerEnvelope& envelope, std::string_view type,
                                                const std::string& answer_url, std::string_view request_name) {
  const nlohmann::json& a = envelope.answer;
  const auto answered_at = protocol::answered_at_of(a);  // 400 invalid_request
  trust::Certificate cert;
  try {
    cert = trust::Certificate::from_pem(envelope.certificate_pem);
  } catch (const trust::TrustError&) {
    throw ApiError::bad_request("certificate is not a PEM certificate");
  }
  auto mismatch = [&](const char* field) {
    return ApiError(422, "answer_mismatch", std::string("answer.") + field + " does not match " + std::string(request_name));
  };
  if (answer_text(a, "protocol") != protocol::kWalletProtocol) throw mismatch("protocol");
  if (answer_text(a, "type") != type) throw mismatch("type");
  if (answer_text(a, "answer_url") != answer_url) throw mismatch("answer_url");
  if (answer_text(a, "license_serial") != cert.serial_hex()) throw mismatch("license_serial");
  if (!protocol::within_clock_window(answered_at, std::chrono::system_clock::now()))
    throw ApiError(422, "clock_skew", "answer.answered_at is more than 5 minutes from the host's clock");
  if (!protocol::verify_message(a, envelope.signature, cert.public_key()))
    throw ApiError(422, "bad_signature", "the signature does not verify with the presented certificate");
  return cert;
}

}  // namespace zhaoyin::http
