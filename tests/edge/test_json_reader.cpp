// The bounded JSON reader every outside document goes through
// (protocol::read_json): each limit refuses with its own code, and what is
// within the limits reads exactly as nlohmann's own parser reads it.
#include <catch2/catch.hpp>
#include <string>
#include <zhaoyin/http/form.h>
#include <zhaoyin/protocol/json_reader.h>

using zhaoyin::protocol::JsonInputError;
using zhaoyin::protocol::JsonLimits;
using zhaoyin::protocol::read_json;

namespace {

std::string refusal(const std::string& text, const JsonLimits& limits = {}) {
  try {
    (void)read_json(text, limits);
  } catch (const JsonInputError& e) {
    return e.code();
  }
  return "accepted";
}

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string nested_objects(std::size_t depth) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s += std::string(depth, '}');
  return s;
}

}  // namespace

TEST_CASE("read_json reads ordinary documents exactly as nlohmann does") {
  const std::string text =
      R"({"uscc":"91110108700338416R","n":-42,"big":9007199254740992,"f":1.5,"ok":true,"none":null,)"
      R"("list":[1,"二",{"x":[]}],"名称":"照印"})";
  CHECK(read_json(text) == nlohmann::json::parse(text));
  CHECK(read_json("[]") == nlohmann::json::array());
  CHECK(read_json(" \"text\" ") == "text");
  CHECK(read_json("0") == 0);
}

TEST_CASE("read_json refuses nesting beyond the depth limit, however deep") {
  JsonLimits limits;
  limits.max_depth = 8;
  CHECK(refusal(nested_arrays(8), limits) == "accepted");
  CHECK(refusal(nested_arrays(9), limits) == "json_too_deep");
  CHECK(refusal(nested_objects(8), limits) == "accepted");
  CHECK(refusal(nested_objects(9), limits) == "json_too_deep");
  // The input of the crash report: a few hundred KB of brackets, far under the
  // body limit, refused by the default limit without recursing.
  CHECK(refusal(nested_arrays(300000)) == "json_too_deep");
  CHECK(refusal(std::string(300000, '[')) == "json_too_deep");  // unterminated, too
  CHECK(refusal(nested_objects(100000)) == "json_too_deep");
}

TEST_CASE("read_json refuses numbers that are not finite or beyond 2^53") {
  for (const char* text : {"1e400", "-1e400", "[1e309]", R"({"ttl":1e400})", "9007199254740993",
                           "-9007199254740993", "18446744073709551615", "123456789012345678901234567890",
                           "1e16", "-2e300"}) {
    INFO(text);
    CHECK(refusal(text) == "json_number_out_of_range");
  }
  for (const char* text : {"9007199254740992", "-9007199254740992", "1e15", "0.000001", "-0", "1e-400"}) {
    INFO(text);
    CHECK(refusal(text) == "accepted");
  }
}

TEST_CASE("read_json refuses duplicate member names (RFC 7493 §2.3)") {
  CHECK(refusal(R"({"a":1,"a":2})") == "json_duplicate_key");
  CHECK(refusal(R"({"a":{"b":1,"b":1}})") == "json_duplicate_key");
  CHECK(refusal(R"([{"a":1},{"a":2}])") == "accepted");  // the same name in two objects is fine
}

TEST_CASE("read_json bounds strings, members, items and values") {
  JsonLimits limits;
  limits.max_string_bytes = 4;
  CHECK(refusal(R"("abcd")", limits) == "accepted");
  CHECK(refusal(R"("abcde")", limits) == "json_too_large");
  CHECK(refusal(R"({"abcde":1})", limits) == "json_too_large");
  limits = {};
  limits.max_members = 2;
  CHECK(refusal(R"({"a":1,"b":2})", limits) == "accepted");
  CHECK(refusal(R"({"a":1,"b":2,"c":3})", limits) == "json_too_large");
  limits = {};
  limits.max_items = 3;
  CHECK(refusal("[1,2,3]", limits) == "accepted");
  CHECK(refusal("[1,2,3,4]", limits) == "json_too_large");
  limits = {};
  limits.max_values = 5;
  CHECK(refusal("[1,[2,3]]", limits) == "accepted");  // 5 values: two arrays, three numbers
  CHECK(refusal("[1,[2,3,4]]", limits) == "json_too_large");
}

TEST_CASE("read_json refuses what is not one JSON document") {
  for (const char* text : {"", " ", "{", "[1,]", "{\"a\":1}x", "{\"a\":1} {}", "nul", "'a'", "{a:1}", "[1 2]",
                           "\"\xff\"", "\"\xc3\x28\"", "/* c */ 1", "NaN", "Infinity", "01"}) {
    INFO(text);
    CHECK(refusal(text) == "invalid_json");
  }
}

TEST_CASE("read_json reports where a syntax error is") {
  try {
    (void)read_json("{\"a\": tru }");
    FAIL("accepted");
  } catch (const JsonInputError& e) {
    CHECK(e.code() == "invalid_json");
    CHECK(e.byte() > 0);
    CHECK(std::string(e.what()).find("byte") != std::string::npos);
  }
}

TEST_CASE("forms: bounded field count, linear duplicate check") {
  using namespace zhaoyin::http;
  std::string many;
  for (int i = 0; i < 240000; ++i) many += "a=&";
  try {
    (void)parse_form(many);
    FAIL("accepted");
  } catch (const FormError& e) {
    CHECK(e.code() == "too_many_fields");
  }
  CHECK(parse_form("a=1&b=2", 2).size() == 2);
  CHECK_THROWS_AS(parse_form("a=1&b=2&c=3", 2), FormError);
  CHECK_THROWS_AS(parse_form("a=%zz"), std::invalid_argument);  // FormError is an invalid_argument
  CHECK_FALSE(first_repeated_name(parse_form("a=1&b=2&c=3")));
  CHECK(first_repeated_name(parse_form("a=1&b=2&a=3")) == std::optional<std::string>("a"));
  // Empty pieces are skipped and do not count.
  CHECK(parse_form("&&&a=1&&&", 1).size() == 1);
}
