#pragma once
// A confirmed login's subject, shaped like verification::VerifiedSubject::to_json().
#include <nlohmann/json.hpp>

namespace zhaoyin::test {

inline const char* const kSampleUscc = "91420100MA4K0000XX";

inline nlohmann::json sample_subject() {
  return {
      {"license_serial", "0A1B2C"},
      {"face_info",
       {{"uscc", kSampleUscc},
        {"name", "武汉长江云数科技有限公司（沙箱）"},
        {"legal_representative", "张志伟"},
        {"type", "有限责任公司"}}},
      {"holder",
       {{"name", "王强"},
        {"role", "agent"},
        {"role_label", "办事人"},
        {"authorisation",
         {{"scope", "precise"},
          {"matters", {"电子政务/税务/发票申领"}},
          {"valid_from", "2026-01-01T00:00:00Z"},
          {"valid_to", "2027-01-01T00:00:00Z"}}}}},
      {"checks", nlohmann::json::array()},
      {"verified_at", "2026-11-23T10:00:00Z"},
  };
}

}  // namespace zhaoyin::test
