#include <zhaoyin/http/form.h>

#include <stdexcept>
#include <string_view>
#include <unordered_set>
#include <zhaoyin/trust/text.h>

namespace zhaoyin::http {

std::string form_decode(std::string_view s) {
  auto decoded = trust::percent_decode(s, /*plus_as_space=*/true);
  if (!decoded) throw FormError("invalid_request", "bad %-escape");
  return std::move(*decoded);
}

FormFields parse_form(std::string_view body, std::size_t max_fields) {
  FormFields fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view piece = body.substr(start, end - start);
    if (!piece.empty()) {
      if (fields.size() >= max_fields)
        throw FormError("too_many_fields", "more than " + std::to_string(max_fields) + " fields");
      const std::size_t eq = piece.find('=');
      if (eq == std::string_view::npos) {
        fields.emplace_back(form_decode(piece), std::string());
      } else {
        fields.emplace_back(form_decode(piece.substr(0, eq)), form_decode(piece.substr(eq + 1)));
      }
    }
    start = end + 1;
  }
  return fields;
}

std::optional<std::string> first_repeated_name(const FormFields& fields) {
  std::unordered_set<std::string_view> seen;
  seen.reserve(fields.size());
  for (const auto& [name, value] : fields) {
    if (!seen.insert(name).second) return name;
  }
  return std::nullopt;
}

std::string form_encode(std::string_view s) {
  static const char* const digits = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += digits[u >> 4];
      out += digits[u & 0x0F];
    }
  }
  return out;
}

}  // namespace zhaoyin::http
