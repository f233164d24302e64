// DER (X.690 §10) writer and strict reader. Strictness matters because the
// seal maker signs DER bytes: a lenient reader would accept encodings whose
// re-encoding differs from what was signed, and garbage from the network must
// end in TrustError("malformed"), never in undefined behaviour.
#include <zhaoyin/trust/der.h>

#include <array>
#include <charconv>
#include <limits>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::trust::der {

namespace {

[[noreturn]] void malformed(const std::string& what) {
  throw TrustError("malformed", "DER: " + what);
}

constexpr std::uint8_t kConstructedBit = 0x20;
constexpr std::uint8_t kContextClass = 0x80;
constexpr std::uint8_t kHighTagNumber = 0x1F;
// Nothing we read comes close to 4 GiB; refusing longer length fields keeps
// the arithmetic below free of overflow.
constexpr std::size_t kMaxLengthOctets = 4;

void append_length(Bytes& out, std::size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<std::uint8_t>(length));
    return;
  }
  std::array<std::uint8_t, sizeof(std::size_t)> octets{};
  std::size_t count = 0;
  for (std::size_t rest = length; rest != 0; rest >>= 8) octets[count++] = static_cast<std::uint8_t>(rest & 0xFF);
  out.push_back(static_cast<std::uint8_t>(0x80 | count));
  for (std::size_t i = count; i > 0; --i) out.push_back(octets[i - 1]);
}

void append(Bytes& out, const Bytes& more) { out.insert(out.end(), more.begin(), more.end()); }

// ---- calendar helpers (UTC, whole seconds) ----

struct CivilTime {
  int year, month, day, hour, minute, second;
};

CivilTime to_civil(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto days = floor<std::chrono::days>(secs);
  const year_month_day ymd{days};
  const hh_mm_ss hms{secs - days};
  return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
          static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count())};
}

void append_digits(std::string& out, int value, int width) {
  std::string digits = std::to_string(value);
  if (digits.size() < static_cast<std::size_t>(width)) out.append(static_cast<std::size_t>(width) - digits.size(), '0');
  out += digits;
}

std::string format_time(const CivilTime& c, bool four_digit_year) {
  std::string s;
  append_digits(s, four_digit_year ? c.year : c.year % 100, four_digit_year ? 4 : 2);
  append_digits(s, c.month, 2);
  append_digits(s, c.day, 2);
  append_digits(s, c.hour, 2);
  append_digits(s, c.minute, 2);
  append_digits(s, c.second, 2);
  s += 'Z';
  return s;
}

int read_digits(std::string_view text, std::size_t pos, std::size_t width) {
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') malformed("time has a non-digit");
    value = value * 10 + (c - '0');
  }
  return value;
}

std::chrono::system_clock::time_point from_civil(const CivilTime& c) {
  using namespace std::chrono;
  const year_month_day ymd{year{c.year}, month{static_cast<unsigned>(c.month)}, day{static_cast<unsigned>(c.day)}};
  if (!ymd.ok() || c.hour > 23 || c.minute > 59 || c.second > 59) malformed("time out of range");
  const sys_seconds t = sys_days{ymd} + hours{c.hour} + minutes{c.minute} + seconds{c.second};
  // system_clock counts nanoseconds in 64 bits (about 1677-2262); a later
  // GeneralizedTime would overflow the conversion, so it is refused instead.
  constexpr auto earliest = time_point_cast<seconds>(system_clock::time_point::min());
  constexpr auto latest = time_point_cast<seconds>(system_clock::time_point::max());
  if (t < earliest || t > latest) malformed("time outside the representable range");
  return time_point_cast<system_clock::duration>(t);
}

bool valid_utf8(const std::uint8_t* p, std::size_t n) {
  std::size_t i = 0;
  while (i < n) {
    const std::uint8_t lead = p[i];
    std::size_t extra;
    std::uint32_t code;
    if (lead < 0x80) { ++i; continue; }
    if ((lead & 0xE0) == 0xC0) { extra = 1; code = lead & 0x1F; }
    else if ((lead & 0xF0) == 0xE0) { extra = 2; code = lead & 0x0F; }
    else if ((lead & 0xF8) == 0xF0) { extra = 3; code = lead & 0x07; }
    else return false;
    if (n - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

bool printable_char(std::uint8_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  static constexpr std::string_view kPunctuation = " '()+,-./:=?";
  return kPunctuation.find(static_cast<char>(c)) != std::string_view::npos;
}

// Reads one TLV at data[0..n) and reports how many bytes it spans.
Element read_element(const std::uint8_t* data, std::size_t n) {
  if (n < 2) malformed("truncated header");
  Element e;
  e.tag = data[0];
  if ((e.tag & kHighTagNumber) == kHighTagNumber) malformed("high tag numbers are not used here");
  std::size_t pos = 1;
  const std::uint8_t first = data[pos++];
  std::size_t length = 0;
  if (first < 0x80) {
    length = first;
  } else {
    const std::size_t count = first & 0x7F;
    if (count == 0) malformed("indefinite length");
    if (count > kMaxLengthOctets) malformed("length field too long");
    if (n - pos < count) malformed("truncated length");
    if (data[pos] == 0) malformed("non-minimal length");
    for (std::size_t i = 0; i < count; ++i) length = (length << 8) | data[pos++];
    if (length < 0x80) malformed("non-minimal length");
  }
  if (n - pos < length) malformed("truncated content");
  e.content = data + pos;
  e.length = length;
  e.raw = data;
  e.raw_length = pos + length;
  return e;
}

void expect_tag(const Element& e, std::uint8_t tag, const char* what) {
  if (e.tag != tag) malformed(std::string("expected ") + what);
}

}  // namespace

// ---------------------------------------------------------------- writing

Bytes tlv(std::uint8_t tag, const Bytes& content) {
  if ((tag & kHighTagNumber) == kHighTagNumber) throw TrustError("malformed", "DER: high tag numbers are not supported");
  Bytes out;
  out.reserve(content.size() + 6);
  out.push_back(tag);
  append_length(out, content.size());
  append(out, content);
  return out;
}

Bytes boolean(bool v) { return tlv(kBoolean, Bytes{static_cast<std::uint8_t>(v ? 0xFF : 0x00)}); }

Bytes integer(std::int64_t v) {
  // Big-endian two's complement, then drop leading octets that only repeat the sign.
  Bytes octets(8);
  auto u = static_cast<std::uint64_t>(v);
  for (std::size_t i = 8; i > 0; --i) { octets[i - 1] = static_cast<std::uint8_t>(u & 0xFF); u >>= 8; }
  std::size_t start = 0;
  while (start < 7) {
    const bool redundant_zero = octets[start] == 0x00 && (octets[start + 1] & 0x80) == 0;
    const bool redundant_ones = octets[start] == 0xFF && (octets[start + 1] & 0x80) != 0;
    if (!redundant_zero && !redundant_ones) break;
    ++start;
  }
  return tlv(kInteger, Bytes(octets.begin() + static_cast<std::ptrdiff_t>(start), octets.end()));
}

Bytes integer_unsigned(const Bytes& big_endian_magnitude) {
  std::size_t start = 0;
  while (start < big_endian_magnitude.size() && big_endian_magnitude[start] == 0) ++start;
  Bytes content;
  if (start == big_endian_magnitude.size() || (big_endian_magnitude[start] & 0x80) != 0) content.push_back(0x00);
  content.insert(content.end(), big_endian_magnitude.begin() + static_cast<std::ptrdiff_t>(start), big_endian_magnitude.end());
  return tlv(kInteger, content);
}

Bytes octet_string(const Bytes& v) { return tlv(kOctetString, v); }

Bytes bit_string(const Bytes& v) {
  Bytes content;
  content.reserve(v.size() + 1);
  content.push_back(0x00);  // no unused bits: we only carry whole octets
  append(content, v);
  return tlv(kBitString, content);
}

Bytes oid(std::string_view dotted) {
  std::vector<std::uint64_t> arcs;
  std::size_t pos = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', pos);
    const std::string_view part = dotted.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    std::uint64_t arc = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), arc);
    if (part.empty() || ec != std::errc{} || end != part.data() + part.size() || (part.size() > 1 && part[0] == '0'))
      throw TrustError("malformed", "DER: bad object identifier '" + std::string(dotted) + "'");
    arcs.push_back(arc);
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  if (arcs.size() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) ||
      arcs[1] > std::numeric_limits<std::uint64_t>::max() - 80)
    throw TrustError("malformed", "DER: bad object identifier '" + std::string(dotted) + "'");

  Bytes content;
  auto append_arc = [&content](std::uint64_t arc) {
    std::array<std::uint8_t, 10> groups{};
    std::size_t count = 0;
    do { groups[count++] = static_cast<std::uint8_t>(arc & 0x7F); arc >>= 7; } while (arc != 0);
    for (std::size_t i = count; i > 0; --i) content.push_back(static_cast<std::uint8_t>(groups[i - 1] | (i > 1 ? 0x80 : 0x00)));
  };
  append_arc(arcs[0] * 40 + arcs[1]);
  for (std::size_t i = 2; i < arcs.size(); ++i) append_arc(arcs[i]);
  return tlv(kOid, content);
}

Bytes utf8_string(std::string_view v) {
  const Bytes content(v.begin(), v.end());
  if (!valid_utf8(content.data(), content.size())) throw TrustError("malformed", "DER: UTF8String is not UTF-8");
  return tlv(kUtf8String, content);
}

Bytes ia5_string(std::string_view v) {
  for (char c : v)
    if (static_cast<unsigned char>(c) > 0x7F) throw TrustError("malformed", "DER: IA5String must be ASCII");
  return tlv(kIa5String, Bytes(v.begin(), v.end()));
}

Bytes printable_string(std::string_view v) {
  for (char c : v)
    if (!printable_char(static_cast<std::uint8_t>(c)))
      throw TrustError("malformed", "DER: character not allowed in PrintableString");
  return tlv(kPrintableString, Bytes(v.begin(), v.end()));
}

Bytes utc_time(std::chrono::system_clock::time_point t) {
  const CivilTime c = to_civil(t);
  // X.509's convention (RFC 5280 §4.1.2.5.1): two-digit years cover 1950..2049.
  if (c.year < 1950 || c.year > 2049) throw TrustError("malformed", "DER: UTCTime covers 1950-2049 only");
  const std::string text = format_time(c, false);
  return tlv(kUtcTime, Bytes(text.begin(), text.end()));
}

Bytes generalized_time(std::chrono::system_clock::time_point t) {
  const CivilTime c = to_civil(t);
  if (c.year < 0 || c.year > 9999) throw TrustError("malformed", "DER: GeneralizedTime covers years 0-9999 only");
  const std::string text = format_time(c, true);
  return tlv(kGeneralizedTime, Bytes(text.begin(), text.end()));
}

Bytes sequence(const std::vector<Bytes>& elements) {
  Bytes content;
  for (const Bytes& e : elements) append(content, e);
  return tlv(kSequence, content);
}

Bytes context(unsigned number, const Bytes& content, bool constructed) {
  if (number >= kHighTagNumber) throw TrustError("malformed", "DER: context tag number too large");
  const auto tag = static_cast<std::uint8_t>(kContextClass | (constructed ? kConstructedBit : 0) | number);
  return tlv(tag, content);
}

// ---------------------------------------------------------------- reading

Element parse(const std::uint8_t* data, std::size_t n) {
  if (data == nullptr) malformed("no input");
  Element e = read_element(data, n);
  if (e.raw_length != n) malformed("trailing bytes after the element");
  return e;
}

Element parse(const Bytes& buffer) { return parse(buffer.data(), buffer.size()); }

std::vector<Element> Element::children() const {
  if ((tag & kConstructedBit) == 0) malformed("expected a constructed element");
  std::vector<Element> out;
  std::size_t pos = 0;
  while (pos < length) {
    Element child = read_element(content + pos, length - pos);
    pos += child.raw_length;
    out.push_back(child);
  }
  return out;
}

std::int64_t Element::as_integer() const {
  expect_tag(*this, kInteger, "INTEGER");
  if (length == 0) malformed("empty INTEGER");
  if (length > 8) malformed("INTEGER too large");
  if (length > 1) {
    const bool redundant_zero = content[0] == 0x00 && (content[1] & 0x80) == 0;
    const bool redundant_ones = content[0] == 0xFF && (content[1] & 0x80) != 0;
    if (redundant_zero || redundant_ones) malformed("non-minimal INTEGER");
  }
  // Sign-extend from the first octet, then shift the rest in.
  std::uint64_t value = (content[0] & 0x80) != 0 ? ~std::uint64_t{0} : 0;
  for (std::size_t i = 0; i < length; ++i) value = (value << 8) | content[i];
  return static_cast<std::int64_t>(value);
}

Bytes Element::as_octets() const {
  expect_tag(*this, kOctetString, "OCTET STRING");
  return content_bytes();
}

Bytes Element::as_bits() const {
  expect_tag(*this, kBitString, "BIT STRING");
  if (length == 0) malformed("empty BIT STRING");
  if (content[0] != 0) malformed("BIT STRING with unused bits");
  return Bytes(content + 1, content + length);
}

std::string Element::as_string() const {
  switch (tag) {
    case kUtf8String:
      if (!valid_utf8(content, length)) malformed("UTF8String is not UTF-8");
      break;
    case kIa5String:
      for (std::size_t i = 0; i < length; ++i)
        if (content[i] > 0x7F) malformed("IA5String is not ASCII");
      break;
    case kPrintableString:
      for (std::size_t i = 0; i < length; ++i)
        if (!printable_char(content[i])) malformed("bad PrintableString character");
      break;
    default:
      malformed("expected a string");
  }
  return std::string(reinterpret_cast<const char*>(content), length);
}

std::string Element::as_oid() const {
  expect_tag(*this, kOid, "OBJECT IDENTIFIER");
  if (length == 0) malformed("empty OBJECT IDENTIFIER");
  std::string dotted;
  std::uint64_t arc = 0;
  bool first = true;
  bool at_arc_start = true;
  for (std::size_t i = 0; i < length; ++i) {
    const std::uint8_t octet = content[i];
    if (at_arc_start && octet == 0x80) malformed("non-minimal OID arc");
    if (arc > (std::numeric_limits<std::uint64_t>::max() >> 7)) malformed("OID arc too large");
    arc = (arc << 7) | (octet & 0x7F);
    at_arc_start = (octet & 0x80) == 0;
    if (!at_arc_start) continue;
    if (first) {
      // The first subidentifier packs two arcs: 40 * a + b, where only a = 2 allows b >= 40.
      const std::uint64_t top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
      dotted = std::to_string(top) + "." + std::to_string(arc - top * 40);
      first = false;
    } else {
      dotted += "." + std::to_string(arc);
    }
    arc = 0;
  }
  if (!at_arc_start) malformed("truncated OID arc");
  return dotted;
}

bool Element::as_boolean() const {
  expect_tag(*this, kBoolean, "BOOLEAN");
  if (length != 1) malformed("BOOLEAN must be one octet");
  if (content[0] == 0x00) return false;
  if (content[0] == 0xFF) return true;
  malformed("BOOLEAN must be 00 or FF in DER");
}

std::chrono::system_clock::time_point Element::as_time() const {
  const std::string_view text(reinterpret_cast<const char*>(content), length);
  CivilTime c{};
  std::size_t pos = 0;
  if (tag == kUtcTime) {
    if (length != 13) malformed("UTCTime must be YYMMDDHHMMSSZ");
    const int yy = read_digits(text, 0, 2);
    c.year = yy < 50 ? 2000 + yy : 1900 + yy;
    pos = 2;
  } else if (tag == kGeneralizedTime) {
    if (length < 15) malformed("GeneralizedTime must be YYYYMMDDHHMMSS[.f]Z");
    c.year = read_digits(text, 0, 4);
    pos = 4;
  } else {
    malformed("expected UTCTime or GeneralizedTime");
  }
  c.month = read_digits(text, pos, 2);
  c.day = read_digits(text, pos + 2, 2);
  c.hour = read_digits(text, pos + 4, 2);
  c.minute = read_digits(text, pos + 6, 2);
  c.second = read_digits(text, pos + 8, 2);
  pos += 10;
  if (text.back() != 'Z') malformed("time must be UTC ('Z')");
  if (tag == kGeneralizedTime && pos != length - 1) {
    // DER allows a fraction of a second without trailing zeros; we keep whole seconds.
    const std::string_view fraction = text.substr(pos, length - 1 - pos);
    if (fraction.size() < 2 || fraction[0] != '.' || fraction.back() == '0') malformed("bad GeneralizedTime fraction");
    read_digits(fraction, 1, fraction.size() - 1);
  }
  return from_civil(c);
}

}  // namespace zhaoyin::trust::der
