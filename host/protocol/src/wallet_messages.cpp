#include <zhaoyin/protocol/wallet_messages.h>

#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::protocol {

std::string sign_message(const nlohmann::json& message, const trust::Sm2Key& key) {
  return trust::base64_encode(key.sign(canonical_bytes(message)));
}

bool verify_message(const nlohmann::json& message, const std::string& signature_b64, const trust::Sm2Key& key) {
  try {
    return key.verify(canonical_bytes(message), trust::base64_decode(signature_b64));
  } catch (const trust::TrustError&) {
    return false;
  } catch (const CanonicalJsonError&) {  // a message RFC 8785 cannot express (ill-formed UTF-8, NaN, ...)
    return false;
  }
}

AnswerEnvelope parse_answer_envelope(const nlohmann::json& body) {
  if (!body.is_object()) throw AnswerFormatError("the body must be a JSON object");
  require_exact_members(body, {"answer", "certificate", "chain", "grant", "signature"}, "the body");
  AnswerEnvelope e;
  if (!body["answer"].is_object()) throw AnswerFormatError("answer must be an object");
  e.answer = body["answer"];
  if (!body["certificate"].is_string()) throw AnswerFormatError("certificate must be a PEM string");
  e.certificate_pem = body["certificate"].get<std::string>();
  const auto& chain = body["chain"];
  if (!chain.is_array() || chain.size() > 8) throw AnswerFormatError("chain must be a list of at most 8 PEM strings");
  for (const auto& pem : chain) {
    if (!pem.is_string()) throw AnswerFormatError("chain must be a list of PEM strings");
    e.chain.push_back(pem.get<std::string>());
  }
  e.grant = body["grant"];
  if (!e.grant.is_null() && !e.grant.is_object()) throw AnswerFormatError("grant must be null or an object");
  if (!body["signature"].is_string()) throw AnswerFormatError("signature must be a base64 string");
  try {
    e.signature = trust::base64_decode(body["signature"].get<std::string>());
  } catch (const trust::TrustError&) {
    throw AnswerFormatError("signature must be padded base64 (RFC 4648 section 4)");
  }
  return e;
}

void require_exact_members(const nlohmann::json& object, std::initializer_list<const char*> required,
                           const char* where) {
  if (!object.is_object()) throw AnswerFormatError(std::string(where) + " must be an object");
  for (const char* name : required)
    if (!object.contains(name)) throw AnswerFormatError(std::string(where) + " has no \"" + name + "\"");
  if (object.size() != required.size()) {
    for (const auto& [name, value] : object.items()) {
      bool known = false;
      for (const char* r : required) known = known || name == r;
      if (!known) throw AnswerFormatError(std::string(where) + " has an unknown member \"" + name + "\"");
    }
  }
}

std::optional<std::chrono::system_clock::time_point> parse_wallet_time(std::string_view text) {
  // "2026-11-23T09:58:20Z": exactly 20 characters, so no fraction and no offset.
  if (text.size() != 20) return std::nullopt;
  return parse_rfc3339(text);
}

bool verify_message(const nlohmann::json& message, const trust::Bytes& signature_der, const trust::Sm2Key& key) {
  try {
    return key.verify(canonical_bytes(message), signature_der);
  } catch (const trust::TrustError&) {
    return false;
  } catch (const nlohmann::json::exception&) {
    return false;
  } catch (const std::exception&) {  // a value canonical JSON cannot represent
    return false;
  }
}

std::chrono::system_clock::time_point answered_at_of(const nlohmann::json& answer) {
  const auto it = answer.find("answered_at");
  const auto t = it != answer.end() && it->is_string() ? parse_wallet_time(it->get<std::string>()) : std::nullopt;
  if (!t) throw AnswerFormatError("answer.answered_at must be UTC with whole seconds, e.g. 2026-11-23T09:58:20Z");
  return *t;
}

bool within_clock_window(std::chrono::system_clock::time_point answered_at, std::chrono::system_clock::time_point now) {
  const auto skew = answered_at - now;
  return skew <= kMaxAnswerClockSkew && -skew <= kMaxAnswerClockSkew;
}

std::optional<std::string> ticket_from_qr_text(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  const auto at = text.rfind(kWalletRequestPath);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view ticket = text.substr(at + kWalletRequestPath.size());
  if (ticket.empty() || ticket.size() > 64) return std::nullopt;
  for (const char c : ticket) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return std::nullopt;
  }
  return std::string(ticket);
}

std::string new_ticket() { return trust::base64url_encode(trust::random_bytes(16)); }
std::string new_nonce() { return trust::base64url_encode(trust::random_bytes(16)); }

}  // namespace zhaoyin::protocol
