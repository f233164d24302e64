#pragma once
// Unified social credit code (统一社会信用代码), GB 32100-2015.
//
// 18 characters from 0123456789ABCDEFGHJKLMNPQRTUWXY:
//   1     registration authority code (9 = 工商/市场监管)
//   2     entity type (1 企业, 2 个体工商户, 3 农民专业合作社 under authority 9)
//   3-8   administrative region code (GB/T 2260)
//   9-17  organisation code (GB 11714: 8-character body + its own check character)
//   18    check character: charset[(31 - Σ(value_i × 3^(i-1) mod 31) mod 31) mod 31]
// uscc_valid also requires characters 3-8 to be digits (GB/T 2260 codes are numeric).
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
// Characters 9-17 form a valid GB 11714 organisation code. Throws
// std::invalid_argument for a region that is not 6 digits or an entity type
// outside '1'..'3'.
std::string uscc_generate(std::string_view region6, char entity_type, unsigned long seed);

// GB 11714-1997 organisation code (组织机构代码): 8 characters from 0-9A-Z and a
// check character C9 = 11 - (Σ value_i × (3,7,9,10,5,8,4,2)_i mod 11), where
// 10 is written 'X' and 11 is written '0'.
std::optional<char> org_code_check_char(std::string_view body8);  // nullopt on a bad body
bool org_code_valid(std::string_view code9);

}  // namespace zhaoyin::trust
