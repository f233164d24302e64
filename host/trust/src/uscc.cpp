// GB 32100-2015 unified social credit codes and the GB 11714 organisation
// codes embedded in them.
#include <zhaoyin/trust/uscc.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace zhaoyin::trust {

namespace {

constexpr std::size_t kUsccLength = 18;
constexpr std::size_t kRegionOffset = 2;
constexpr std::size_t kRegionLength = 6;
constexpr std::size_t kOrgCodeOffset = 8;
constexpr int kUsccModulus = 31;
// 3^(i-1) mod 31 for positions 1..17.
constexpr std::array<int, 17> kUsccWeights = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
constexpr std::array<int, 8> kOrgCodeWeights = {3, 7, 9, 10, 5, 8, 4, 2};

// Value of a character in the USCC charset, or -1. Lower case is not part of
// the charset: a code is printed in capitals and compared as printed.
int uscc_value(char c) {
  const std::size_t pos = kUsccCharset.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// GB 11714 values: digits 0-9, letters A-Z as 10-35.
int org_code_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return -1;
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// splitmix64: a tiny, well-mixed deterministic generator, so the same seed
// always yields the same code on every platform (std:: distributions do not
// promise that).
std::uint64_t next_random(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

std::optional<char> uscc_check_char(std::string_view first17) {
  if (first17.size() != kUsccWeights.size()) return std::nullopt;
  int sum = 0;
  for (std::size_t i = 0; i < first17.size(); ++i) {
    const int value = uscc_value(first17[i]);
    if (value < 0) return std::nullopt;
    sum += value * kUsccWeights[i];
  }
  return kUsccCharset[static_cast<std::size_t>((kUsccModulus - sum % kUsccModulus) % kUsccModulus)];
}

bool uscc_valid(std::string_view code) {
  if (code.size() != kUsccLength) return false;
  if (!all_digits(code.substr(kRegionOffset, kRegionLength))) return false;
  const auto check = uscc_check_char(code.substr(0, kUsccLength - 1));
  return check && *check == code.back();
}

std::optional<std::string> uscc_region(std::string_view code) {
  if (!uscc_valid(code)) return std::nullopt;
  return std::string(code.substr(kRegionOffset, kRegionLength));
}

std::optional<char> org_code_check_char(std::string_view body8) {
  if (body8.size() != kOrgCodeWeights.size()) return std::nullopt;
  int sum = 0;
  for (std::size_t i = 0; i < body8.size(); ++i) {
    const int value = org_code_value(body8[i]);
    if (value < 0) return std::nullopt;
    sum += value * kOrgCodeWeights[i];
  }
  const int check = 11 - sum % 11;
  if (check == 10) return 'X';
  if (check == 11) return '0';
  return static_cast<char>('0' + check);
}

bool org_code_valid(std::string_view code9) {
  if (code9.size() != kOrgCodeWeights.size() + 1) return false;
  const auto check = org_code_check_char(code9.substr(0, kOrgCodeWeights.size()));
  return check && *check == code9.back();
}

std::string uscc_generate(std::string_view region6, char entity_type, unsigned long seed) {
  if (region6.size() != kRegionLength || !all_digits(region6))
    throw std::invalid_argument("uscc_generate: region must be 6 digits");
  if (entity_type < '1' || entity_type > '3')
    throw std::invalid_argument("uscc_generate: entity type must be '1', '2' or '3'");

  std::string code;
  code += '9';  // registration authority: 市场监管 (market regulation)
  code += entity_type;
  code += region6;

  // Organisation code body from the characters GB 11714 and GB 32100 share
  // (the USCC charset, which leaves out I, O, Z, S, V), so every character
  // stays legal in both.
  std::uint64_t state = seed;
  std::string body;
  for (std::size_t i = 0; i < kOrgCodeWeights.size(); ++i)
    body += kUsccCharset[static_cast<std::size_t>(next_random(state) % kUsccCharset.size())];
  code += body;
  code += *org_code_check_char(body);  // '0'-'9' or 'X': all in the USCC charset
  code += *uscc_check_char(code);
  return code;
}

}  // namespace zhaoyin::trust
