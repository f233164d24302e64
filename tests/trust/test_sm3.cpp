// SM3, SHA-256, HMAC and the byte encodings.
#include <catch2/catch.hpp>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm3.h>

using namespace zhaoyin::trust;

TEST_CASE("SM3 of \"abc\" is the GB/T 32905 test vector", "[sm3]") {
  CHECK(hex_encode(sm3(std::string_view("abc"))) ==
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  CHECK(hex_encode(sm3(to_bytes("abc"))) ==
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

TEST_CASE("SM3 of the 64-byte GB/T 32905 example", "[sm3]") {
  std::string input;
  for (int i = 0; i < 16; ++i) input += "abcd";
  CHECK(hex_encode(sm3(std::string_view(input))) ==
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
}

TEST_CASE("incremental SM3 equals one-shot SM3 for any split", "[sm3]") {
  Bytes data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 3);
  const Bytes expected = sm3(data);
  for (std::size_t split : {std::size_t{0}, std::size_t{1}, std::size_t{63}, std::size_t{64},
                            std::size_t{65}, std::size_t{999}, std::size_t{1000}}) {
    Sm3Hasher hasher;
    hasher.update(data.data(), split);
    hasher.update(Bytes(data.begin() + static_cast<long>(split), data.end()));
    CHECK(hasher.finish() == expected);
  }
}

TEST_CASE("an Sm3Hasher refuses use after finish()", "[sm3]") {
  Sm3Hasher hasher;
  hasher.update(to_bytes("abc"));
  hasher.finish();
  CHECK_THROWS_AS(hasher.update(to_bytes("x")), TrustError);
  CHECK_THROWS_AS(hasher.finish(), TrustError);
}

TEST_CASE("SHA-256 and HMAC-SHA256 match RFC 4231 / FIPS 180 vectors", "[sm3]") {
  CHECK(hex_encode(sha256(to_bytes("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2
  CHECK(hex_encode(hmac_sha256(to_bytes("Jefe"), to_bytes("what do ya want for nothing?"))) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(hmac_sm3(to_bytes("key"), to_bytes("data")).size() == kSm3Size);
  CHECK(hmac_sm3(to_bytes("key"), to_bytes("data")) != hmac_sm3(to_bytes("key2"), to_bytes("data")));
}

TEST_CASE("hex round-trips and refuses malformed input", "[bytes]") {
  const Bytes b = {0x00, 0x01, 0xAB, 0xFF};
  CHECK(hex_encode(b) == "0001abff");
  CHECK(hex_decode("0001ABff") == b);
  CHECK(hex_decode("").empty());
  for (const char* bad : {"0", "zz", "0g", "12 3"}) {
    INFO(bad);
    try {
      hex_decode(bad);
      FAIL("accepted");
    } catch (const TrustError& e) {
      CHECK(e.code() == "malformed");
    }
  }
}

TEST_CASE("base64 and base64url match RFC 4648 vectors and refuse malformed input", "[bytes]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    CHECK(base64_encode(to_bytes(plain)) == encoded);
    CHECK(to_string(base64_decode(encoded)) == plain);
  }
  const Bytes high = {0xFB, 0xFF, 0xBF};
  CHECK(base64_encode(high) == "+/+/");
  CHECK(base64url_encode(high) == "-_-_");
  CHECK(base64url_decode("-_-_") == high);
  CHECK(base64url_encode(to_bytes("f")) == "Zg");
  CHECK(to_string(base64url_decode("Zg")) == "f");

  for (const char* bad : {"Zg=", "Zm9v!", "Zh==", "Z===", "Zm9v\n"}) {
    INFO(bad);
    CHECK_THROWS_AS(base64_decode(bad), TrustError);
  }
  for (const char* bad : {"Zg==", "+/+/", "Z", "Zh"}) {
    INFO(bad);
    CHECK_THROWS_AS(base64url_decode(bad), TrustError);
  }
}

TEST_CASE("random bytes and constant-time comparison", "[bytes]") {
  const Bytes a = random_bytes(32);
  CHECK(a.size() == 32);
  CHECK(a != random_bytes(32));
  CHECK(random_bytes(0).empty());
  CHECK(equal_constant_time(a, a));
  Bytes b = a;
  b[31] ^= 1;
  CHECK_FALSE(equal_constant_time(a, b));
  CHECK_FALSE(equal_constant_time(a, Bytes(a.begin(), a.end() - 1)));
  CHECK(equal_constant_time({}, {}));
}
