// protocol::canonical_json is RFC 8785 (JCS). Expected strings are written
// from the RFC's text: §3.2.2 (primitives), §3.2.3 (member order), §3.2.4
// (the UTF-8 bytes of its example) and Appendix B (number serialisations),
// plus what the header promises beyond the RFC (refusals, unbounded depth) and
// that messages Zhaoyin signed before JCS keep their exact bytes.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <zhaoyin/protocol/canonical_json.h>

using namespace zhaoyin;
using nlohmann::json;

namespace {

double from_bits(std::uint64_t bits) {
  double d = 0;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

std::string hex_of(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!out.empty()) out += ' ';
    out += kHex[u >> 4];
    out += kHex[u & 0x0F];
  }
  return out;
}

// The serialisation Zhaoyin signed with before RFC 8785: nlohmann's dump().
std::string old_form(const json& j) { return j.dump(-1, ' ', false); }

void check_refused(const json& value, const std::string& code) {
  try {
    (void)protocol::canonical_json(value);
    FAIL("accepted: " << code);
  } catch (const protocol::CanonicalJsonError& e) {
    CHECK(e.code() == code);
  }
}

}  // namespace

TEST_CASE("RFC 8785 §3.2.2-§3.2.4: the RFC's example, byte for byte", "[protocol][jcs]") {
  // §3.2.2's input, as the RFC prints it.
  const json input = json::parse(R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })");
  const std::string canonical = protocol::canonical_json(input);
  // §3.2.3's result (members sorted) ...
  CHECK(canonical == "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                     "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
  // ... and §3.2.4's bytes.
  CHECK(hex_of(canonical) ==
        "7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72 "
        "75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a "
        "5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31 "
        "65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37 "
        "5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30 "
        "30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d");
  CHECK(protocol::canonical_bytes(input) == trust::to_bytes(canonical));
}

TEST_CASE("RFC 8785 §3.2.3: members sorted by UTF-16 code units, the RFC's example", "[protocol][jcs]") {
  const json input = json::parse(R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })");
  // The RFC lists the values in this order.
  CHECK(protocol::canonical_json(input) ==
        "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xC2\x80\":\"Control\","
        "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\",\"\xE2\x82\xAC\":\"Euro Sign\","
        "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\",\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

TEST_CASE("names beyond U+FFFF sort before U+E000..U+FFFF (UTF-16 order, not UTF-8 order)", "[protocol][jcs]") {
  // UTF-8 (and code point) order: U+E000 < U+FFFF < U+10000 < U+1F600. UTF-16
  // order: U+10000 (D800 DC00) < U+1F600 (D83D DE00) < U+E000 < U+FFFF.
  json j = json::object();
  j["\xEE\x80\x80"] = 1;          // U+E000
  j["\xEF\xBF\xBF"] = 2;          // U+FFFF
  j["\xF0\x90\x80\x80"] = 3;      // U+10000
  j["\xF0\x9F\x98\x80"] = 4;      // U+1F600
  j["\xED\x9F\xBF"] = 5;          // U+D7FF, below the surrogates: first of the non-ASCII
  j["a"] = 6;
  j["a\xF0\x9F\x98\x80"] = 7;     // "a" + U+1F600
  j["a\xEF\xBF\xBF"] = 8;         // "a" + U+FFFF
  j[""] = 9;
  const std::string expected =
      "{\"\":9,\"a\":6,\"a\xF0\x9F\x98\x80\":7,\"a\xEF\xBF\xBF\":8,\"\xED\x9F\xBF\":5,"
      "\"\xF0\x90\x80\x80\":3,\"\xF0\x9F\x98\x80\":4,\"\xEE\x80\x80\":1,\"\xEF\xBF\xBF\":2}";
  CHECK(protocol::canonical_json(j) == expected);
  // nlohmann keeps UTF-8 order, which is what the old form signed.
  CHECK(old_form(j) != expected);
  // Nested objects, also inside arrays, are sorted the same way (§3.2.3).
  const json nested = {{"outer", json::array({j, json::array({j})})}};
  CHECK(protocol::canonical_json(nested) == "{\"outer\":[" + expected + ",[" + expected + "]]}");
}

TEST_CASE("RFC 8785 Appendix B: numbers as ECMAScript prints their IEEE-754 value", "[protocol][jcs]") {
  const std::pair<std::uint64_t, const char*> table[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };
  for (const auto& [bits, text] : table) {
    INFO(std::hex << bits);
    CHECK(protocol::canonical_json(json(from_bits(bits))) == text);
  }
  // NaN and Infinity are the table's "error" rows.
  check_refused(json(from_bits(0x7fffffffffffffff)), "json_number_out_of_range");
  check_refused(json(from_bits(0x7ff0000000000000)), "json_number_out_of_range");
}

TEST_CASE("numbers: one form per value, whatever the JSON text or C++ type held", "[protocol][jcs]") {
  const std::pair<const char*, const char*> read[] = {
      {"1.0", "1"}, {"1e2", "100"}, {"1E+2", "100"}, {"100.000", "100"}, {"-0", "0"}, {"-0.0", "0"},
      {"0e10", "0"}, {"0.5", "0.5"}, {"-1.50", "-1.5"}, {"1e21", "1e+21"}, {"1e20", "100000000000000000000"},
      {"123456789012345678901", "123456789012345680000"}, {"1e-6", "0.000001"}, {"1e-7", "1e-7"},
      {"0.000001234", "0.000001234"}, {"0.0000001234", "1.234e-7"}, {"12.5e-8", "1.25e-7"},
      {"1.5e300", "1.5e+300"}, {"9007199254740992", "9007199254740992"}, {"-9007199254740992", "-9007199254740992"},
      {"9007199254740991", "9007199254740991"}, {"4294967296", "4294967296"}, {"0.30000000000000004", "0.30000000000000004"},
      {"2e-3", "0.002"}, {"100e-2", "1"}, {"17", "17"}, {"-17", "-17"},
  };
  for (const auto& [text, expected] : read) {
    INFO(text);
    CHECK(protocol::canonical_json(json::parse(text)) == expected);
  }
  // The same values built by code, in each of nlohmann's three number kinds.
  CHECK(protocol::canonical_json(json(1.0)) == "1");
  CHECK(protocol::canonical_json(json(-0.0)) == "0");
  CHECK(protocol::canonical_json(json(0.1 + 0.2)) == "0.30000000000000004");
  CHECK(protocol::canonical_json(json(std::int64_t{-42})) == "-42");
  CHECK(protocol::canonical_json(json(std::uint64_t{42})) == "42");
  CHECK(protocol::canonical_json(json(std::int64_t{1} << 53)) == "9007199254740992");
  CHECK(protocol::canonical_json(json(-(std::int64_t{1} << 53))) == "-9007199254740992");
  CHECK(protocol::canonical_json(json(std::uint64_t{1} << 53)) == "9007199254740992");
  CHECK(protocol::canonical_json(json(std::ldexp(1.0, 60))) == "1152921504606847000");  // 2^60: shortest digits
  CHECK(protocol::canonical_json(json(1e30)) == "1e+30");
  CHECK(protocol::canonical_json(json(std::numeric_limits<double>::denorm_min())) == "5e-324");
}

TEST_CASE("strings: every control character, quote and backslash escaped as §3.2.2.2 says", "[protocol][jcs]") {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int c = 0; c < 0x20; ++c) {
    std::string expected;
    switch (c) {
      case 0x08: expected = "\\b"; break;
      case 0x09: expected = "\\t"; break;
      case 0x0A: expected = "\\n"; break;
      case 0x0C: expected = "\\f"; break;
      case 0x0D: expected = "\\r"; break;
      default: expected = std::string("\\u00") + kHex[c >> 4] + kHex[c & 0xF];
    }
    INFO("U+00" << kHex[c >> 4] << kHex[c & 0xF]);
    const std::string s(1, static_cast<char>(c));
    CHECK(protocol::canonical_json(json(s)) == "\"" + expected + "\"");
    CHECK(protocol::canonical_json(json{{s, s}}) == "{\"" + expected + "\":\"" + expected + "\"}");
  }
  CHECK(protocol::canonical_json(json("\"")) == R"("\"")");
  CHECK(protocol::canonical_json(json("\\")) == R"("\\")");
  // Everything else as is: solidus, DEL, non-ASCII, U+2028/U+2029, beyond the BMP.
  const std::string literal = "/\x7F\xC2\x80\xE2\x80\xA8\xE2\x80\xA9\xEF\xBF\xBF\xF0\x9F\x98\x80电子营业执照";
  CHECK(protocol::canonical_json(json(literal)) == "\"" + literal + "\"");
  // An escaped form in the input is decoded, then written canonically.
  CHECK(protocol::canonical_json(json::parse(R"("\u0041\u00e9\/\ud83d\ude00\u001F\u007f")")) ==
        "\"A\xC3\xA9/\xF0\x9F\x98\x80\\u001f\x7F\"");
}

TEST_CASE("what RFC 8785 cannot express exactly is refused, with a JsonInputError", "[protocol][jcs]") {
  check_refused(json(std::numeric_limits<double>::quiet_NaN()), "json_number_out_of_range");
  check_refused(json(std::numeric_limits<double>::infinity()), "json_number_out_of_range");
  check_refused(json(-std::numeric_limits<double>::infinity()), "json_number_out_of_range");
  // Integers beyond 2^53 that JCS would write as another number (the nearest
  // double's shortest digits): 2^53 + 1 → 9007199254740992, 2^60 →
  // 1152921504606847000, INT64_MIN → -9223372036854776000.
  check_refused(json((std::int64_t{1} << 53) + 1), "json_number_out_of_range");
  check_refused(json(-(std::int64_t{1} << 53) - 1), "json_number_out_of_range");
  check_refused(json((std::uint64_t{1} << 53) + 1), "json_number_out_of_range");
  check_refused(json(std::int64_t{1} << 60), "json_number_out_of_range");
  check_refused(json::parse("1152921504606846976"), "json_number_out_of_range");
  check_refused(json(std::numeric_limits<std::int64_t>::min()), "json_number_out_of_range");
  check_refused(json(std::numeric_limits<std::int64_t>::max()), "json_number_out_of_range");
  check_refused(json(std::numeric_limits<std::uint64_t>::max()), "json_number_out_of_range");
  // Those JCS writes digit for digit are kept: they are what the canonical
  // text of a large double reads back as (found by fuzz_canonical_json:
  // -7e16 is written -70000000000000000, which json::parse reads as an integer).
  CHECK(protocol::canonical_json(json::parse("18014398509481984")) == "18014398509481984");  // 2^54
  CHECK(protocol::canonical_json(json::parse("-70000000000000000")) == "-70000000000000000");
  CHECK(protocol::canonical_json(json::parse("10000000000000000000")) == "10000000000000000000");  // a uint64
  CHECK(protocol::canonical_json(json(-7e16)) == "-70000000000000000");
  CHECK(protocol::canonical_json(json::parse(protocol::canonical_json(json(std::ldexp(1.0, 60))))) == "1152921504606847000");
  // Ill-formed UTF-8 (RFC 3629): lone continuation, overlong, surrogate,
  // beyond U+10FFFF, truncated, F5.
  for (const char* bad : {"\x80", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE4\xB8", "a\xF5",
                          "\xF0\x9F\x98"}) {
    INFO(hex_of(bad));
    check_refused(json(std::string(bad)), "invalid_json");
    check_refused(json{{std::string(bad), 1}}, "invalid_json");
    check_refused(json::array({1, json{{"deep", json::array({std::string(bad)})}}}), "invalid_json");
  }
  // Not JSON at all.
  check_refused(json::binary({1, 2, 3}), "invalid_json");
  check_refused(json(json::value_t::discarded), "invalid_json");
  // Callers that handle read_json's refusals handle these too.
  CHECK_THROWS_AS(protocol::canonical_json(json(std::nan(""))), protocol::JsonInputError);
}

TEST_CASE("messages signed before RFC 8785 keep their exact bytes", "[protocol][jcs]") {
  // Everything Zhaoyin signs in the wallet protocol holds strings (Chinese
  // text, URLs, base64, RFC 3339 times), small integers, booleans and null,
  // with ASCII member names. For such values RFC 8785 and the earlier form
  // (nlohmann's dump) agree byte for byte, so stored signatures still verify.
  const json request = {{"protocol", "zhaoyin-wallet/1"},
                        {"type", "sign"},
                        {"ticket", "q9Xz0T3mZx1o8k2LQvB7aA"},
                        {"nonce", "bm9uY2Utbm9uY2Utbm9uYw"},
                        {"relying_party", {{"client_id", "demo-tax"}, {"name", "湖北省电子税务局（沙箱）"}, {"department", "tax"}}},
                        {"document", {{"kind", "pdf"}, {"name", "技术服务合同.pdf"}, {"pages", 3}, {"sm3", "9f3b..."}}},
                        {"seals", {{"mode", "all_of"}, {"accepted", json::array({{{"type", "contract"}, {"label", "合同专用章"}}})}, {"signed", json::array()}}},
                        {"signer", json::object()},
                        {"matter", "电子政务/税务/发票申领"},
                        {"channel", nullptr},
                        {"issued_at", "2026-11-23T09:58:00Z"},
                        {"expires_at", "2026-11-23T10:00:00Z"},
                        {"answer_url", "http://127.0.0.1:8080/wallet/v1/requests/q9Xz0T3mZx1o8k2LQvB7aA/answer"}};
  const json answer = {{"protocol", "zhaoyin-wallet/1"},
                       {"type", "login"},
                       {"ticket", "q9Xz0T3mZx1o8k2LQvB7aA"},
                       {"nonce", "bm9uY2Utbm9uY2Utbm9uYw"},
                       {"client_id", "demo-tax"},
                       {"matter", nullptr},
                       {"decision", "approve"},
                       {"license_serial", "5A1B2C3D4E5F60718293A4B5C6D7E8F9"},
                       {"answered_at", "2026-11-23T09:58:20Z"}};
  const json grant = {{"uscc", "91420100MA4K2XXXX1"},
                      {"holder_name", "王小明"},
                      {"holder_cert_serial", "0A1B"},
                      {"role", "agent"},
                      {"authorisation", {{"kind", "precise"}, {"matters", json::array({"电子政务/税务"})}, {"not_after", "2027-01-01T00:00:00Z"}, {"limit", 5}, {"revocable", true}}}};
  for (const json* m : {&request, &answer, &grant}) CHECK(protocol::canonical_json(*m) == old_form(*m));
  CHECK(protocol::canonical_json(answer) ==
        R"({"answered_at":"2026-11-23T09:58:20Z","client_id":"demo-tax","decision":"approve",)"
        R"("license_serial":"5A1B2C3D4E5F60718293A4B5C6D7E8F9","matter":null,"nonce":"bm9uY2Utbm9uY2Utbm9uYw",)"
        R"("protocol":"zhaoyin-wallet/1","ticket":"q9Xz0T3mZx1o8k2LQvB7aA","type":"login"})");

  // And for any value of that shape: strings of BMP characters (control
  // characters, CJK, U+E000..U+FFFF included) in values and names, integers
  // within ±2^53, booleans, null, nested arrays and objects.
  std::mt19937_64 rng(18);
  const auto pick = [&](std::uint64_t n) { return static_cast<std::size_t>(rng() % n); };
  const char32_t alphabet[] = {U'a', U'Z', U'0', U'"', U'\\', U'/', U'\n', U'\t', 0x01, 0x1F, 0x7F, 0x80, 0xE9,
                               0x4E2D, 0x7167, 0x5370, 0xD7FF, 0xE000, 0xFB33, 0xFFFD, 0xFFFF, U' ', U'-'};
  const auto random_string = [&] {
    std::string s;
    for (std::size_t n = pick(8); n > 0; --n) {
      const char32_t c = alphabet[pick(std::size(alphabet))];
      if (c < 0x80) {
        s += static_cast<char>(c);
      } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
      } else {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    return s;
  };
  const std::int64_t limit = std::int64_t{1} << 53;
  std::function<json(int)> random_value = [&](int depth) -> json {
    switch (pick(depth > 3 ? 5 : 7)) {
      case 0: return nullptr;
      case 1: return pick(2) == 0;
      case 2: return static_cast<std::int64_t>(rng() % (2 * static_cast<std::uint64_t>(limit) + 1)) - limit;
      case 3: return static_cast<std::int64_t>(pick(2000)) - 1000;
      case 4: return random_string();
      case 5: {
        json a = json::array();
        for (std::size_t n = pick(5); n > 0; --n) a.push_back(random_value(depth + 1));
        return a;
      }
      default: {
        json o = json::object();
        for (std::size_t n = pick(6); n > 0; --n) o[random_string()] = random_value(depth + 1);
        return o;
      }
    }
  };
  for (int i = 0; i < 3000; ++i) {
    const json v = random_value(0);
    INFO(old_form(v));
    REQUIRE(protocol::canonical_json(v) == old_form(v));
  }
}

TEST_CASE("canonical text reads back to the same value and is its own canonical form", "[protocol][jcs]") {
  const json v = json::parse(R"({"z":[1.5,-0.0,1e-7,{"b":"\u0007","a":null}],"\ud83d\ude00":{"\ue000":true},"k":1e21})");
  const std::string c = protocol::canonical_json(v);
  CHECK(c == "{\"k\":1e+21,\"z\":[1.5,0,1e-7,{\"a\":null,\"b\":\"\\u0007\"}],\"\xF0\x9F\x98\x80\":{\"\xEE\x80\x80\":true}}");
  const json again = json::parse(c);
  CHECK(protocol::canonical_json(again) == c);
  CHECK(again["z"][0].get<double>() == 1.5);
  CHECK(again["z"][2].get<double>() == 1e-7);
}

TEST_CASE("100 000 nested arrays and objects serialise without recursion", "[protocol][jcs]") {
  // read_json refuses nesting beyond 32, but values built by code have no
  // such limit; the serialiser keeps its own stack (the stack overflow of
  // docs/security/fuzzing.md, "deep nesting", cannot come back this way).
  constexpr std::size_t kDepth = 100000;
  json deep = json::array();
  for (std::size_t i = 1; i < kDepth; ++i) {
    json outer = i % 2 ? json::object() : json::array();
    if (outer.is_object())
      outer["k"] = std::move(deep);
    else
      outer.push_back(std::move(deep));
    deep = std::move(outer);
  }
  const std::string c = protocol::canonical_json(deep);
  CHECK(c.size() == kDepth / 2 * std::string("[]").size() + kDepth / 2 * std::string("{\"k\":}").size());
  CHECK(c.substr(0, 13) == "{\"k\":[{\"k\":[{");
  CHECK(c.substr(c.size() - 6) == "]}]}]}");
}
