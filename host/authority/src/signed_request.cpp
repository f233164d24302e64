#include <zhaoyin/authority/signed_request.h>

#include <cstdio>
#include <ctime>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::authority {

namespace {

bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

void skip_spaces(std::string_view text, std::size_t& i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
}

}  // namespace

std::optional<RequestAuthorization> parse_request_authorization(std::string_view header) {
  if (header.size() > kMaxAuthorizationHeader) return std::nullopt;
  if (header.substr(0, kSignedRequestScheme.size()) != kSignedRequestScheme) return std::nullopt;
  std::size_t i = kSignedRequestScheme.size();
  if (i >= header.size() || header[i] != ' ') return std::nullopt;
  RequestAuthorization out;
  bool seen[4] = {false, false, false, false};
  bool first = true;
  while (true) {
    skip_spaces(header, i);
    if (i == header.size()) break;
    if (!first) {
      if (header[i] != ',') return std::nullopt;
      ++i;
      skip_spaces(header, i);
    }
    first = false;
    // auth-param = token "=" quoted-string (RFC 9110 §11.2), restricted here to
    // values without escapes or quotes: base64, base64url and a timestamp.
    const std::size_t name_start = i;
    while (i < header.size() && header[i] >= 'a' && header[i] <= 'z') ++i;
    const std::string_view name = header.substr(name_start, i - name_start);
    if (i + 1 >= header.size() || header[i] != '=' || header[i + 1] != '"') return std::nullopt;
    i += 2;
    const std::size_t value_start = i;
    while (i < header.size() && header[i] != '"') {
      const unsigned char c = static_cast<unsigned char>(header[i]);
      if (c < 0x21 || c > 0x7E || c == '\\') return std::nullopt;
      ++i;
    }
    if (i == header.size()) return std::nullopt;  // unterminated
    std::string value(header.substr(value_start, i - value_start));
    ++i;  // closing quote
    int slot = -1;
    if (name == "cert") slot = 0;
    else if (name == "timestamp") slot = 1;
    else if (name == "nonce") slot = 2;
    else if (name == "signature") slot = 3;
    if (slot < 0 || seen[slot] || value.empty()) return std::nullopt;
    seen[slot] = true;
    std::string* fields[] = {&out.cert, &out.timestamp, &out.nonce, &out.signature};
    *fields[slot] = std::move(value);
  }
  if (!(seen[0] && seen[1] && seen[2] && seen[3])) return std::nullopt;
  if (out.nonce.size() < 16 || out.nonce.size() > 64) return std::nullopt;
  for (const char c : out.nonce)
    if (!is_base64url_char(c)) return std::nullopt;
  if (!parse_request_time(out.timestamp)) return std::nullopt;
  return out;
}

std::string canonical_request(std::string_view method, std::string_view target, std::string_view timestamp,
                              std::string_view nonce, std::string_view body) {
  std::string out = "ZHAOYIN-AUTHORITY-REQUEST-V1\n";
  out.append(method).append("\n");
  out.append(target).append("\n");
  out.append(timestamp).append("\n");
  out.append(nonce).append("\n");
  out += trust::hex_encode(trust::sm3(trust::to_bytes(body)));
  return out;
}

std::string format_request_time(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char buffer[32];
  return std::string(buffer, std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts));
}

std::optional<std::chrono::system_clock::time_point> parse_request_time(std::string_view text) {
  // Exactly YYYY-MM-DDTHH:MM:SSZ (RFC 3339 §5.6 in UTC, no fraction).
  if (text.size() != 20) return std::nullopt;
  static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:ddZ";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != shape[i]) return std::nullopt;
  }
  const auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  using namespace std::chrono;
  // system_clock counts nanoseconds in 64 bits (years 1677 to 2262): a year
  // outside 1970..2199 would overflow the conversion (found by
  // fuzz_authority_request with "0886-12-07T10:00:00Z"), and no request is
  // ever that far from the service's clock.
  if (number(0, 4) < 1970 || number(0, 4) > 2199) return std::nullopt;
  const year_month_day date{year{number(0, 4)}, month{static_cast<unsigned>(number(5, 2))},
                            day{static_cast<unsigned>(number(8, 2))}};
  const int h = number(11, 2), m = number(14, 2), s = number(17, 2);
  if (!date.ok() || h > 23 || m > 59 || s > 59) return std::nullopt;
  return time_point_cast<system_clock::duration>(sys_days{date} + hours{h} + minutes{m} + seconds{s});
}

std::string sign_request(const trust::Certificate& host_cert, const trust::Sm2Key& host_key,
                         std::string_view method, std::string_view target, std::string_view body,
                         std::chrono::system_clock::time_point now, std::string nonce) {
  if (nonce.empty()) nonce = trust::base64url_encode(trust::random_bytes(18));
  const std::string timestamp = format_request_time(now);
  const trust::Bytes signature =
      host_key.sign(trust::to_bytes(canonical_request(method, target, timestamp, nonce, body)));
  return std::string(kSignedRequestScheme) + " cert=\"" + trust::base64_encode(host_cert.der()) +
         "\", timestamp=\"" + timestamp + "\", nonce=\"" + nonce + "\", signature=\"" +
         trust::base64_encode(signature) + "\"";
}

}  // namespace zhaoyin::authority
