// Unified social credit codes (GB 32100-2015) and the GB 11714 organisation
// codes inside them.
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>
#include <zhaoyin/trust/uscc.h>

using namespace zhaoyin::trust;

namespace {
constexpr std::string_view kKnownGood = "91110108700338416R";
}

TEST_CASE("USCC: a known real code is valid and yields its region") {
  CHECK(uscc_valid(kKnownGood));
  CHECK(uscc_region(kKnownGood) == std::optional<std::string>("110108"));
  CHECK(uscc_check_char(kKnownGood.substr(0, 17)) == std::optional<char>('R'));
  // Its characters 9-17 are the GB 11714 organisation code 70033841-6.
  CHECK(org_code_valid(kKnownGood.substr(8, 9)));
}

TEST_CASE("USCC: every single-character change of a valid code is refused") {
  int changes = 0;
  for (std::size_t pos = 0; pos < kKnownGood.size(); ++pos) {
    for (char c : kUsccCharset) {
      if (c == kKnownGood[pos]) continue;
      std::string changed(kKnownGood);
      changed[pos] = c;
      INFO(changed);
      CHECK_FALSE(uscc_valid(changed));
      ++changes;
    }
  }
  CHECK(changes == 18 * 30);
}

TEST_CASE("USCC: wrong length, lower case, forbidden letters and a non-numeric region are refused") {
  CHECK_FALSE(uscc_valid(""));
  CHECK_FALSE(uscc_valid(kKnownGood.substr(0, 17)));
  CHECK_FALSE(uscc_valid(std::string(kKnownGood) + "0"));
  CHECK_FALSE(uscc_valid("91110108700338416r"));
  // I, O, Z, S, V are left out of the charset (they look like 1, 0, 2, 5, U).
  for (char forbidden : {'I', 'O', 'Z', 'S', 'V'}) {
    std::string code(kKnownGood);
    code[17] = forbidden;
    CHECK_FALSE(uscc_valid(code));
    code = kKnownGood;
    code[10] = forbidden;
    CHECK_FALSE(uscc_check_char(code.substr(0, 17)).has_value());
  }
  // A letter in the region is refused even with a matching check character.
  std::string lettered = "91A10108700338416";
  lettered += *uscc_check_char(lettered);
  CHECK_FALSE(uscc_valid(lettered));
  CHECK_FALSE(uscc_region(lettered).has_value());
  CHECK_FALSE(uscc_region("91110108700338416Q").has_value());
  CHECK_FALSE(uscc_check_char("9111010870033841").has_value());
}

TEST_CASE("GB 11714 organisation codes: check character rules") {
  CHECK(org_code_check_char("70033841") == std::optional<char>('6'));
  // Σ mod 11 == 1 → 10 → 'X'; Σ mod 11 == 0 → 11 → '0'.
  CHECK(org_code_check_char("00000004") == std::optional<char>('3'));  // Σ = 8
  CHECK(org_code_check_char("00000005") == std::optional<char>('1'));  // Σ = 10
  CHECK(org_code_check_char("10000000") == std::optional<char>('8'));  // Σ = 3
  CHECK(org_code_check_char("40000000") == std::optional<char>('X'));  // Σ = 12 → 1 → 10
  CHECK(org_code_check_char("00000000") == std::optional<char>('0'));  // Σ = 0 → 11
  CHECK(org_code_valid("70033841-6") == false);  // the hyphen is print layout, not part of the code
  CHECK(org_code_valid("700338416"));
  CHECK_FALSE(org_code_valid("700338417"));
  CHECK_FALSE(org_code_check_char("7003384").has_value());
  CHECK_FALSE(org_code_check_char("7003384a").has_value());
}

TEST_CASE("USCC: generated codes are valid, carry the region and a valid organisation code") {
  std::set<std::string> seen;
  for (unsigned long seed = 0; seed < 2000; ++seed) {
    const std::string code = uscc_generate("420100", seed % 2 == 0 ? '1' : '2', seed);
    INFO(code);
    REQUIRE(uscc_valid(code));
    CHECK(code[0] == '9');
    CHECK(code[1] == (seed % 2 == 0 ? '1' : '2'));
    CHECK(uscc_region(code) == std::optional<std::string>("420100"));
    CHECK(org_code_valid(code.substr(8, 9)));
    seen.insert(code);
  }
  CHECK(seen.size() == 2000);  // distinct seeds give distinct codes here
  CHECK(uscc_generate("110108", '1', 42) == uscc_generate("110108", '1', 42));  // deterministic
  CHECK(uscc_generate("110108", '1', 42) != uscc_generate("110108", '1', 43));
}

TEST_CASE("USCC: generation refuses a bad region or entity type") {
  CHECK_THROWS_AS(uscc_generate("42010", '1', 1), std::invalid_argument);
  CHECK_THROWS_AS(uscc_generate("42010A", '1', 1), std::invalid_argument);
  CHECK_THROWS_AS(uscc_generate("420100", '9', 1), std::invalid_argument);
}
