#pragma once
// Associated permits (关联证照): licences other departments issued to an
// enterprise (食品经营许可证, 道路运输经营许可证, 建筑业企业资质证书 ...),
// which the license platform holds with the business license as their index
// (docs/AUTHORITY.md §Permits). The same JSON shape in the sandbox's
// registry.json and in the authority's signed answers.
#include <chrono>
#include <optional>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::authority {

struct PermitRecord {
  std::string uscc;        // the enterprise it was issued to
  std::string number;      // 许可证编号
  std::string kind;        // 食品经营许可证 ...
  std::string issuer;      // 发证机关
  std::string scope;       // 许可范围
  std::string valid_from;  // YYYY-MM-DD
  std::string valid_to;    // YYYY-MM-DD (inclusive)
  std::string status;      // valid | revoked | expired, on the day it was read
  std::string revoked_at;  // YYYY-MM-DDTHH:MM:SSZ when revoked, else empty
  // The authority's signed statement of this permit (http driver only; the
  // sandbox file driver reads the registry itself and leaves them empty):
  // `record` is base64 of the exact bytes signed, a JSON object with the fields
  // above and `signed_at`; `signature` base64 DER SM2-with-SM3 (ID
  // 1234567812345678) by the status signer whose serial is `signer_serial`.
  std::string record;
  std::string signature;
  std::string signer_serial;
};

// Bounds on what a permit's fields may hold (characters of UTF-8 text).
inline constexpr std::size_t kMaxPermitText = 200;
inline constexpr std::size_t kMaxPermitsPerEnterprise = 200;

// Reads one permit of `uscc` from the registry/answer JSON
// {number, kind, issuer, scope, valid_from, valid_to, status, revoked_at};
// `status` as stored (valid | revoked) or as answered (also expired).
// Throws std::invalid_argument naming the field at fault.
PermitRecord permit_from_json(const nlohmann::json& j, const std::string& uscc);
// The fields above as JSON (no record/signature).
nlohmann::json to_json(const PermitRecord& p);

// The permits of a GET /v1/enterprises/{uscc}/permits answer document
// ({uscc, permits:[{fields..., record, signature, signer_serial}]}): each
// permit's record must be signed by `signer` (the status signer, SM2 with the
// ID 1234567812345678) and state exactly what the item states, for `uscc`.
// Throws std::invalid_argument on anything else.
std::vector<PermitRecord> permits_from_answer(const nlohmann::json& document, const std::string& uscc,
                                              const trust::Certificate& signer);

// A stored `valid` permit whose valid_to lies before `today` (UTC date) is
// `expired`; `revoked` stays revoked.
std::string permit_status_on(const std::string& stored_status, const std::string& valid_to,
                             std::chrono::system_clock::time_point today);

// YYYY-MM-DD and a real calendar day.
bool is_calendar_date(const std::string& text);

}  // namespace zhaoyin::authority
