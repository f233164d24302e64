#include <zhaoyin/authority/connector.h>

#include <cctype>

namespace zhaoyin::authority {

std::string to_string(CertificateState s) {
  switch (s) {
    case CertificateState::Good: return "good";
    case CertificateState::Revoked: return "revoked";
    case CertificateState::Unknown: break;
  }
  return "unknown";
}

std::optional<std::string> normalise_serial(const std::string& serial_hex) {
  if (serial_hex.empty() || serial_hex.size() > 128) return std::nullopt;
  std::string out;
  out.reserve(serial_hex.size());
  for (char c : serial_hex) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isxdigit(u)) return std::nullopt;
    out.push_back(static_cast<char>(std::toupper(u)));
  }
  return out;
}

}  // namespace zhaoyin::authority
