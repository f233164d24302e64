#include <zhaoyin/authority/status_answer.h>

#include <zhaoyin/authority/connector.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::authority {

std::optional<AuthoritySignature> parse_authority_signature(std::string_view header) {
  if (header.size() > 4096) return std::nullopt;
  AuthoritySignature out;
  bool seen[2] = {false, false};
  std::size_t i = 0;
  while (i < header.size()) {
    while (i < header.size() && (header[i] == ' ' || header[i] == ',')) ++i;
    if (i == header.size()) break;
    const std::size_t name_start = i;
    while (i < header.size() && header[i] >= 'a' && header[i] <= 'z') ++i;
    const std::string_view name = header.substr(name_start, i - name_start);
    if (i + 1 >= header.size() || header[i] != '=' || header[i + 1] != '"') return std::nullopt;
    i += 2;
    const std::size_t value_start = i;
    while (i < header.size() && header[i] != '"') {
      const auto c = static_cast<unsigned char>(header[i]);
      if (c < 0x21 || c > 0x7E || c == '\\') return std::nullopt;
      ++i;
    }
    if (i == header.size()) return std::nullopt;  // unterminated
    std::string value(header.substr(value_start, i - value_start));
    ++i;
    const int slot = name == "signer" ? 0 : name == "signature" ? 1 : -1;
    if (slot < 0 || seen[slot] || value.empty()) return std::nullopt;
    seen[slot] = true;
    if (slot == 0) {
      const auto serial = normalise_serial(value);
      if (!serial) return std::nullopt;
      out.signer_serial = *serial;
    } else {
      out.signature = std::move(value);
    }
  }
  if (!seen[0] || !seen[1]) return std::nullopt;
  return out;
}

std::optional<std::string> status_signer_problem(const trust::Certificate& signer, const trust::Certificate& root,
                                                 trust::TimePoint now) {
  if (!signer.valid()) return "no status signer certificate";
  if (signer.issuer().attributes != root.subject().attributes || !signer.signed_by(root))
    return "the status signer " + signer.serial_hex() + " is not issued by the authority's root";
  if (now < signer.not_before() || now > signer.not_after())
    return "the status signer " + signer.serial_hex() + " is outside its validity";
  if (signer.is_ca()) return "the status signer " + signer.serial_hex() + " is a CA";
  if (!signer.has_extended_key_usage(kStatusSignerPurpose))
    return "the certificate " + signer.serial_hex() + " lacks the status-signer purpose " +
           std::string(kStatusSignerPurpose);
  return std::nullopt;
}

bool authority_signature_valid(std::string_view header, std::string_view body, const trust::Certificate& signer) {
  const auto parsed = parse_authority_signature(header);
  if (!parsed || parsed->signer_serial != signer.serial_hex()) return false;
  try {
    return signer.public_key().verify(trust::to_bytes(body), trust::base64_decode(parsed->signature));
  } catch (const trust::TrustError&) {
    return false;  // not base64
  }
}

}  // namespace zhaoyin::authority
