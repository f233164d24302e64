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
