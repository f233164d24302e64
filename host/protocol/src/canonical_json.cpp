#include <zhaoyin/protocol/canonical_json.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace zhaoyin::protocol {

// RFC 8785 (JSON Canonicalization Scheme), written from its text; section
// numbers below are the RFC's.

namespace {

using json = nlohmann::json;

[[noreturn]] void refuse(const char* code, const std::string& message) { throw CanonicalJsonError(code, message); }

// RFC 3629 §4: the well-formed UTF-8 sequences (no overlong forms, no
// surrogates U+D800..U+DFFF, nothing above U+10FFFF). Appends the text's
// UTF-16 code units to `units` when it is not null (§3.2.3 sorts names as
// UTF-16). Returns false for ill-formed text.
bool decode_utf8(std::string_view s, std::u16string* units) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 < 0x80) {
      cp = b0;
      len = 1;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      cp = b0 & 0x1Fu;
      len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      cp = b0 & 0x0Fu;
      len = 3;
      if (b0 == 0xE0) lo = 0xA0;  // overlong
      if (b0 == 0xED) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      cp = b0 & 0x07u;
      len = 4;
      if (b0 == 0xF0) lo = 0x90;  // overlong
      if (b0 == 0xF4) hi = 0x8F;  // beyond U+10FFFF
    } else {
      return false;  // a continuation byte first, C0/C1 (overlong), F5..FF
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (units) {
      if (cp < 0x10000) {
        units->push_back(static_cast<char16_t>(cp));
      } else {
        cp -= 0x10000;
        units->push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
        units->push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
      }
    }
    i += len;
  }
  return true;
}

// §3.2.2.2: '"' and '\\' escaped, U+0008/0009/000A/000C/000D as \b \t \n \f
// \r, the other controls U+0000..U+001F as \u00xx in lower-case hex;
// everything else (DEL, non-ASCII, U+2028/2029) as is, in UTF-8 (§3.2.4).
// The caller has checked that `s` is well-formed.
void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (u) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case 0x08: out += "\\b"; break;
      case 0x09: out += "\\t"; break;
      case 0x0A: out += "\\n"; break;
      case 0x0C: out += "\\f"; break;
      case 0x0D: out += "\\r"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0x0F];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void append_checked_string(std::string& out, std::string_view s, const char* what) {
  if (!decode_utf8(s, nullptr)) refuse("invalid_json", std::string(what) + " is not well-formed UTF-8");
  append_string(out, s);
}

// §3.2.2.3: a number is written as ECMAScript's Number::toString of its
// IEEE-754 double (ECMA-262, "Number::toString", §7.1.12.1 in ES2015), with
// the shortest digits that read back as the same double (the spec's Note 2,
// which V8 and so Node implement): the closest such digits, ties to even —
// exactly what std::to_chars promises for the shortest form.
void append_double(std::string& out, double v) {
  if (!std::isfinite(v)) refuse("json_number_out_of_range", "NaN and Infinity have no JSON form (RFC 8785 §3.2.2.3)");
  if (v == 0) {  // +0 and -0 both print "0" (Number::toString step 2)
    out += '0';
    return;
  }
  // Shortest round-trip digits in scientific form: [-]d[.ddd]e(+|-)xx.
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
  std::size_t pos = 0;
  if (sci[pos] == '-') {
    out += '-';
    ++pos;
  }
  const std::size_t e = sci.find('e', pos);
  std::string digits(1, sci[pos]);
  if (pos + 1 < e) digits.append(sci.substr(pos + 2, e - pos - 2));  // skip the '.'
  std::size_t exp_at = e + 1;
  if (sci[exp_at] == '+') ++exp_at;
  int exponent = 0;
  std::from_chars(sci.data() + exp_at, sci.data() + sci.size(), exponent);

  // Number::toString's k (digit count) and n (the value is 0.digits × 10^n).
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;
  if (k <= n && n <= 21) {  // an integer below 10^21: digits, then n-k zeros
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {  // a decimal point inside the digits
    out.append(digits, 0, static_cast<std::size_t>(n));
    out += '.';
    out.append(digits, static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {  // 0.00000ddd: at most 5 zeros after the point
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {  // exponent form: d[.ddd]e+x or e-x
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += std::to_string(n - 1 >= 0 ? n - 1 : 1 - n);
  }
}

// An integer is written as JCS writes its double (§3.2.2.3), provided that
// text spells the integer itself. Up to 2^53 in magnitude it always does.
// Beyond, JCS writes the nearest double's shortest digits: 9007199254740993
// comes out as 9007199254740992 and 2^60 (1152921504606846976) as
// 1152921504606847000 — a signature over another number than the one held, so
// such integers are refused (see the header). Those beyond 2^53 that JCS
// spells exactly (70000000000000000, 2^54 = 18014398509481984) are kept:
// they are what a double becomes when its canonical text is read back as an
// integer, and refusing them would make canonical text fail to canonicalise.
constexpr std::uint64_t kTwo53 = std::uint64_t{1} << 53;

void append_integer(std::string& out, bool negative, std::uint64_t magnitude) {
  const double d = negative ? -static_cast<double>(magnitude) : static_cast<double>(magnitude);
  if (magnitude <= kTwo53) {
    append_double(out, d);
    return;
  }
  std::string text;
  append_double(text, d);
  if (text != (negative ? "-" : "") + std::to_string(magnitude))
    refuse("json_number_out_of_range",
           "the integer " + std::string(negative ? "-" : "") + std::to_string(magnitude) +
               " has no exact RFC 8785 form (beyond 2^53, JCS writes " + text + "); send it as a string");
  out += text;
}

void append_number(std::string& out, const json& v) {
  if (v.is_number_unsigned()) {
    append_integer(out, false, v.get<std::uint64_t>());
  } else if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    // |INT64_MIN| computed in unsigned arithmetic, where it does not overflow.
    append_integer(out, i < 0, i < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(i) : static_cast<std::uint64_t>(i));
  } else {
    append_double(out, v.get<double>());
  }
}

// One open array or object on the serialiser's own stack.
struct Frame {
  const json* container;
  json::const_iterator next_item;  // arrays
  std::vector<std::pair<std::u16string, json::const_iterator>> members;  // objects, in §3.2.3 order
  std::size_t next_member = 0;
  bool first = true;
};

// Writes a scalar, or opens a container and pushes its frame.
void begin_value(std::string& out, std::vector<Frame>& stack, const json& v) {
  switch (v.type()) {
    case json::value_t::null: out += "null"; return;
    case json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: append_number(out, v); return;
    case json::value_t::string: append_checked_string(out, v.get_ref<const std::string&>(), "a string"); return;
    case json::value_t::array: {
      out += '[';
      Frame f{&v, v.cbegin(), {}, 0, true};
      stack.push_back(std::move(f));
      return;
    }
    case json::value_t::object: {
      out += '{';
      Frame f{&v, v.cend(), {}, 0, true};
      f.members.reserve(v.size());
      for (auto it = v.cbegin(); it != v.cend(); ++it) {
        std::u16string units;
        if (!decode_utf8(it.key(), &units)) refuse("invalid_json", "a member name is not well-formed UTF-8");
        f.members.emplace_back(std::move(units), it);
      }
      // §3.2.3: names compared as arrays of UTF-16 code units, unsigned,
      // shorter first on a common prefix — std::u16string's order. (nlohmann
      // keeps members in UTF-8 byte order, which differs once a name holds a
      // character beyond U+FFFF and another one in U+E000..U+FFFF.)
      std::sort(f.members.begin(), f.members.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      stack.push_back(std::move(f));
      return;
    }
    case json::value_t::binary:
    case json::value_t::discarded: break;
  }
  refuse("invalid_json", "the value is not JSON (binary or discarded)");
}

}  // namespace

std::string canonical_json(const nlohmann::json& value) {
  // §3.2.1: no whitespace anywhere. Iterative, so nesting depth costs heap,
  // never call stack (docs/security/fuzzing.md, "deep nesting").
  std::string out;
  std::vector<Frame> stack;
  begin_value(out, stack, value);
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.container->is_array()) {
      if (f.next_item == f.container->cend()) {
        out += ']';
        stack.pop_back();
        continue;
      }
      if (!f.first) out += ',';
      f.first = false;
      const json& item = *f.next_item++;
      begin_value(out, stack, item);  // may push: f is not used after this
    } else {
      if (f.next_member == f.members.size()) {
        out += '}';
        stack.pop_back();
        continue;
      }
      if (!f.first) out += ',';
      f.first = false;
      const auto it = f.members[f.next_member++].second;
      append_string(out, it.key());  // checked when the members were sorted
      out += ':';
      begin_value(out, stack, it.value());
    }
  }
  return out;
}

trust::Bytes canonical_bytes(const nlohmann::json& value) { return trust::to_bytes(canonical_json(value)); }

std::string rfc3339(TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  for (std::size_t i = pos; i < pos + n; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return std::from_chars(s.data() + pos, s.data() + pos + n, out).ec == std::errc{};
}
}  // namespace

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || s[10] != 'T' || !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) ||
      s[16] != ':' || !digits(s, 17, 2, se))
    return std::nullopt;
  std::size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return std::nullopt;
  }
  if (pos + 1 != s.size() || s[pos] != 'Z') return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  const std::time_t t = timegm(&tm);
  std::tm check{};
  gmtime_r(&t, &check);
  if (check.tm_mday != d || check.tm_mon != mo - 1) return std::nullopt;  // 2026-02-31
  // system_clock counts nanoseconds in 64 bits (years 1677-2262); from_time_t
  // of a time outside that overflows (UB, found by fuzz_canonical_json with
  // "3026-11-23T10:00:20.123Z"). Such a time is refused, as der::as_time does.
  using namespace std::chrono;
  constexpr auto earliest = time_point_cast<seconds>(system_clock::time_point::min()).time_since_epoch().count();
  constexpr auto latest = time_point_cast<seconds>(system_clock::time_point::max()).time_since_epoch().count();
  if (t < earliest || t > latest) return std::nullopt;
  return system_clock::from_time_t(t);
}

}  // namespace zhaoyin::protocol
