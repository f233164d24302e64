// DER writer and strict reader: known encodings from X.690, round trips, and
// refusal of every non-DER or broken input with TrustError("malformed").
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>

namespace der = zhaoyin::trust::der;
using zhaoyin::trust::Bytes;
using zhaoyin::trust::TrustError;

namespace {

std::string code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const TrustError& e) {
    return e.code();
  }
  return "no error";
}

std::string parse_code(const Bytes& b) { return code_of([&] { der::parse(b); }); }

std::chrono::system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

}  // namespace

TEST_CASE("DER INTEGER uses the minimal two's complement encoding") {
  CHECK(der::integer(0) == Bytes{0x02, 0x01, 0x00});
  CHECK(der::integer(127) == Bytes{0x02, 0x01, 0x7F});
  CHECK(der::integer(128) == Bytes{0x02, 0x02, 0x00, 0x80});
  CHECK(der::integer(256) == Bytes{0x02, 0x02, 0x01, 0x00});
  CHECK(der::integer(-1) == Bytes{0x02, 0x01, 0xFF});
  CHECK(der::integer(-128) == Bytes{0x02, 0x01, 0x80});
  CHECK(der::integer(-129) == Bytes{0x02, 0x02, 0xFF, 0x7F});
  CHECK(der::integer(INT64_MIN) == Bytes{0x02, 0x08, 0x80, 0, 0, 0, 0, 0, 0, 0});

  for (std::int64_t v : {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{127}, std::int64_t{128},
                         std::int64_t{-128}, std::int64_t{-129}, std::int64_t{65535}, std::int64_t{-65536},
                         INT64_MAX, INT64_MIN})
    CHECK(der::parse(der::integer(v)).as_integer() == v);
}

TEST_CASE("DER unsigned INTEGER adds a zero octet only when the top bit is set") {
  CHECK(der::integer_unsigned({0x80}) == Bytes{0x02, 0x02, 0x00, 0x80});
  CHECK(der::integer_unsigned({0x00, 0x00, 0x7F}) == Bytes{0x02, 0x01, 0x7F});
  CHECK(der::integer_unsigned({}) == Bytes{0x02, 0x01, 0x00});
}

TEST_CASE("DER refuses INTEGERs that are not minimal, empty or too large to read") {
  CHECK(parse_code(Bytes{0x02, 0x02, 0x00, 0x7F}) == "no error");  // the TLV itself is fine...
  CHECK(code_of([] { der::parse(Bytes{0x02, 0x02, 0x00, 0x7F}).as_integer(); }) == "malformed");  // ...its value is not DER
  CHECK(code_of([] { der::parse(Bytes{0x02, 0x02, 0xFF, 0x80}).as_integer(); }) == "malformed");
  CHECK(code_of([] { der::parse(Bytes{0x02, 0x00}).as_integer(); }) == "malformed");
  CHECK(code_of([] { der::parse(Bytes{0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}).as_integer(); }) == "malformed");
  CHECK(code_of([] { der::parse(der::octet_string({1})).as_integer(); }) == "malformed");
}

TEST_CASE("DER OBJECT IDENTIFIER encodes multi-byte arcs") {
  const Bytes sm2_with_sm3 = {0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x83, 0x75};
  CHECK(der::oid("1.2.156.10197.1.501") == sm2_with_sm3);
  CHECK(der::parse(sm2_with_sm3).as_oid() == "1.2.156.10197.1.501");
  CHECK(der::oid("1.2.840.113549") == Bytes{0x06, 0x06, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D});
  CHECK(der::oid("2.999.3") == Bytes{0x06, 0x03, 0x88, 0x37, 0x03});

  for (const char* dotted : {"0.0", "1.39", "2.5.29.15", "2.999.1234567", "1.2.156.10197.1.301.1",
                             "1.3.6.1.4.1.18446744073709551615"})
    CHECK(der::parse(der::oid(dotted)).as_oid() == dotted);
}

TEST_CASE("DER refuses bad object identifiers when writing and reading") {
  for (const char* bad : {"", "1", "3.1", "1.40", "1..2", "1.2.", ".1.2", "1.a", "01.2", "1.2.-3"})
    CHECK(code_of([bad] { der::oid(bad); }) == "malformed");
  CHECK(code_of([] { der::parse(Bytes{0x06, 0x00}).as_oid(); }) == "malformed");
  CHECK(code_of([] { der::parse(Bytes{0x06, 0x02, 0x2A, 0x81}).as_oid(); }) == "malformed");        // arc never ends
  CHECK(code_of([] { der::parse(Bytes{0x06, 0x03, 0x2A, 0x80, 0x01}).as_oid(); }) == "malformed");  // 0x80 padding
  Bytes huge_arc = {0x06, 0x0C, 0x2A};
  for (int i = 0; i < 10; ++i) huge_arc.push_back(0xFF);
  huge_arc.push_back(0x7F);
  CHECK(code_of([&] { der::parse(huge_arc).as_oid(); }) == "malformed");
}

TEST_CASE("DER lengths use the short form below 128 and the minimal long form above") {
  CHECK(der::octet_string(Bytes(127, 0xAB)).size() == 2 + 127);
  const Bytes b128 = der::octet_string(Bytes(128, 0xAB));
  CHECK(Bytes(b128.begin(), b128.begin() + 3) == Bytes{0x04, 0x81, 0x80});
  const Bytes b256 = der::octet_string(Bytes(256, 0xAB));
  CHECK(Bytes(b256.begin(), b256.begin() + 4) == Bytes{0x04, 0x82, 0x01, 0x00});
  const Bytes big = der::octet_string(Bytes(70000, 0x5A));
  CHECK(Bytes(big.begin(), big.begin() + 5) == Bytes{0x04, 0x83, 0x01, 0x11, 0x70});
  CHECK(der::parse(big).as_octets() == Bytes(70000, 0x5A));
}

TEST_CASE("DER reader refuses indefinite, non-minimal, truncated and trailing input") {
  CHECK(parse_code(Bytes{0x30, 0x80, 0x00, 0x00}) == "malformed");         // indefinite length
  CHECK(parse_code(Bytes{0x04, 0x81, 0x05, 1, 2, 3, 4, 5}) == "malformed");  // long form for a short length
  CHECK(parse_code(Bytes{0x04, 0x82, 0x00, 0x81}) == "malformed");         // leading zero length octet
  CHECK(parse_code(Bytes{0x04, 0x85, 1, 0, 0, 0, 0}) == "malformed");      // absurd length field
  CHECK(parse_code(Bytes{0x04, 0x05, 1, 2, 3}) == "malformed");            // content cut short
  CHECK(parse_code(Bytes{0x04, 0x82, 0x01}) == "malformed");               // length cut short
  CHECK(parse_code(Bytes{0x04}) == "malformed");
  CHECK(parse_code(Bytes{}) == "malformed");
  CHECK(parse_code(Bytes{0x04, 0x01, 0x00, 0x00}) == "malformed");         // trailing byte
  CHECK(parse_code(Bytes{0x1F, 0x81, 0x01, 0x00}) == "malformed");         // high tag number form
  // A child that overruns its parent is caught when the children are read.
  CHECK(code_of([] { der::parse(Bytes{0x30, 0x03, 0x04, 0x05, 0x00}).children(); }) == "malformed");
  CHECK(code_of([] { der::parse(der::octet_string({1, 2})).children(); }) == "malformed");  // primitive
}

TEST_CASE("DER strings, booleans, bit strings and nesting round-trip") {
  CHECK(der::parse(der::utf8_string("武汉长江数据科技有限公司合同专用章")).as_string() ==
        "武汉长江数据科技有限公司合同专用章");
  CHECK(der::ia5_string("ES") == Bytes{0x16, 0x02, 'E', 'S'});
  CHECK(der::parse(der::printable_string("sm3")).as_string() == "sm3");
  CHECK(der::boolean(true) == Bytes{0x01, 0x01, 0xFF});
  CHECK(der::parse(der::boolean(false)).as_boolean() == false);
  CHECK(der::bit_string({0xDE, 0xAD}) == Bytes{0x03, 0x03, 0x00, 0xDE, 0xAD});
  CHECK(der::parse(der::bit_string({0xDE, 0xAD})).as_bits() == Bytes{0xDE, 0xAD});

  const Bytes seq = der::sequence({der::integer(4), der::sequence({der::ia5_string("a")}),
                                   der::context(0, der::integer(7), true)});
  const auto children = der::parse(seq).children();
  REQUIRE(children.size() == 3);
  CHECK(children[0].as_integer() == 4);
  CHECK(children[1].children().at(0).as_string() == "a");
  CHECK(children[2].tag == 0xA0);
  CHECK(children[2].children().at(0).as_integer() == 7);
  CHECK(children[1].raw_bytes() == der::sequence({der::ia5_string("a")}));
  CHECK(der::context(1, {0x01}, false) == Bytes{0x81, 0x01, 0x01});
}

TEST_CASE("DER refuses strings and booleans that break their type's rules") {
  CHECK(code_of([] { der::ia5_string("中"); }) == "malformed");
  CHECK(code_of([] { der::printable_string("a@b"); }) == "malformed");
  CHECK(code_of([] { der::utf8_string("\xC0\xAF"); }) == "malformed");  // overlong '/'
  CHECK(code_of([] { der::parse(Bytes{0x0C, 0x02, 0xC0, 0xAF}).as_string(); }) == "malformed");
  CHECK(code_of([] { der::parse(Bytes{0x0C, 0x01, 0xE4}).as_string(); }) == "malformed");  // cut multibyte
  CHECK(code_of([] { der::parse(Bytes{0x16, 0x01, 0x80}).as_string(); }) == "malformed");
  CHECK(code_of([] { der::parse(Bytes{0x01, 0x01, 0x01}).as_boolean(); }) == "malformed");  // BER true, not DER
  CHECK(code_of([] { der::parse(Bytes{0x03, 0x02, 0x01, 0xFE}).as_bits(); }) == "malformed");  // unused bits
  CHECK(code_of([] { der::parse(Bytes{0x03, 0x00}).as_bits(); }) == "malformed");
  CHECK(code_of([] { der::parse(der::integer(1)).as_string(); }) == "malformed");
}

TEST_CASE("DER times are written in UTC with 'Z' and read back to the second") {
  const auto t = utc(2026, 3, 9, 8, 5, 7);
  CHECK(der::utc_time(t) == der::tlv(der::kUtcTime, Bytes{'2', '6', '0', '3', '0', '9', '0', '8', '0', '5', '0', '7', 'Z'}));
  const std::string gt = "20260309080507Z";
  CHECK(der::generalized_time(t) == der::tlv(der::kGeneralizedTime, Bytes(gt.begin(), gt.end())));
  CHECK(der::parse(der::utc_time(t)).as_time() == t);
  CHECK(der::parse(der::generalized_time(t)).as_time() == t);
  // Sub-second parts are dropped, not rounded.
  CHECK(der::parse(der::generalized_time(t + std::chrono::milliseconds(999))).as_time() == t);
  // UTCTime's two-digit years: 50-99 are 19xx, 00-49 are 20xx.
  CHECK(der::parse(der::utc_time(utc(1999, 12, 31, 23, 59, 59))).as_time() == utc(1999, 12, 31, 23, 59, 59));
  CHECK(der::parse(der::utc_time(utc(2049, 1, 1, 0, 0, 0))).as_time() == utc(2049, 1, 1, 0, 0, 0));
  CHECK(code_of([] { der::utc_time(utc(2050, 1, 1, 0, 0, 0)); }) == "malformed");
  CHECK(der::parse(der::generalized_time(utc(2099, 2, 28, 1, 2, 3))).as_time() == utc(2099, 2, 28, 1, 2, 3));
  const std::string with_fraction = "20260309080507.5Z";
  CHECK(der::parse(der::tlv(der::kGeneralizedTime, Bytes(with_fraction.begin(), with_fraction.end()))).as_time() == t);
}

TEST_CASE("DER refuses times that are local, malformed or impossible") {
  auto time_code = [](std::uint8_t tag, const std::string& text) {
    return code_of([&] { der::parse(der::tlv(tag, Bytes(text.begin(), text.end()))).as_time(); });
  };
  CHECK(time_code(der::kUtcTime, "2603090805Z") == "malformed");          // no seconds
  CHECK(time_code(der::kUtcTime, "260309080507+0800") == "malformed");    // offset instead of Z
  CHECK(time_code(der::kGeneralizedTime, "20260309080507") == "malformed");  // local time
  CHECK(time_code(der::kGeneralizedTime, "20260230080507Z") == "malformed");  // 30 February
  CHECK(time_code(der::kGeneralizedTime, "20261301080507Z") == "malformed");  // month 13
  CHECK(time_code(der::kGeneralizedTime, "20260309240507Z") == "malformed");  // hour 24
  CHECK(time_code(der::kGeneralizedTime, "2026030908050AZ") == "malformed");
  CHECK(time_code(der::kGeneralizedTime, "20260309080507.50Z") == "malformed");  // trailing zero in fraction
  CHECK(time_code(der::kGeneralizedTime, "20260309080507.Z") == "malformed");
  CHECK(time_code(der::kOctetString, "20260309080507Z") == "malformed");
  // Valid GeneralizedTime, but past what system_clock's nanoseconds can hold (2262).
  CHECK(time_code(der::kGeneralizedTime, "30250101000000Z") == "malformed");
  CHECK(time_code(der::kGeneralizedTime, "99991231235959Z") == "malformed");
  CHECK(time_code(der::kGeneralizedTime, "22620101000000Z") == "no error");
}
