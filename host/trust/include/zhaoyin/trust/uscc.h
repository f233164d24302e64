#pragma once
// Unified social credit code (统一社会信用代码), GB 32100-2015.
//
// 18 characters from 0123456789ABCDEFGHJKLMNPQRTUWXY:
//   1     registration authority code (9 = 工商/市场监管)
//   2     entity type (1 企业, 2 个体工商户, 3 农民专业合作社 under authority 9)
//   3-8   administrative region code (GB/T 2260)
//   9-17  organisation code body
//   18    check character: charset[(31 - Σ(value_i × 3^(i-1) mod 31) mod 31) mod 31]
#include <optional>
#include <string>
#include <string_view>

namespace zhaoyin::trust {

inline constexpr std::string_view kUsccCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";

bool uscc_valid(std::string_view code);
// Check character for the first 17 characters; nullopt if any is outside the charset.
std::optional<char> uscc_check_char(std::string_view first17);
// "420100" from a valid code's characters 3-8; nullopt if the code is invalid.
std::optional<std::string> uscc_region(std::string_view code);
// Builds a valid code: authority '9', entity type ('1' enterprise, '2' individual
// business), a 6-digit region, and an organisation-code body derived from `seed`.
std::string uscc_generate(std::string_view region6, char entity_type, unsigned long seed);

}  // namespace zhaoyin::trust
