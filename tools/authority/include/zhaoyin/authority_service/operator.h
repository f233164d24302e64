#pragma once
// Operator commands that change the sandbox authority, also while
// `zhaoyin authority serve` runs (docs/AUTHORITY.md §Operator commands).
// Each takes DIR/authority/.operator.lock, writes every file it changes
// atomically, and writes DIR/authority/authority-state.json last with a new
// generation: the service reloads when it sees that file change (or on SIGHUP).
// Throws std::invalid_argument for an unknown serial, code or status and
// std::runtime_error when the files cannot be read or written.
#include <filesystem>
#include <string>

namespace zhaoyin::authority_service {

struct RevokeResult {
  std::string serial;
  std::string ca;      // the issuing CA's name (province code)
  long crl_number = 0;  // of the CRL that now lists it
};

// Puts a license certificate on its issuing CA's CRL (re-issued with the next
// crlNumber) and on the registry's "revoked" list. `reason`: an RFC 5280
// CRLReason name (keyCompromise, affiliationChanged, superseded,
// cessationOfOperation, certificateHold, privilegeWithdrawn, unspecified ...).
RevokeResult revoke_license(const std::filesystem::path& dir, const std::string& serial, const std::string& reason);

// 存续 | 吊销 | 注销 | 迁出 (or active | revoked | cancelled | moved_out).
void set_enterprise_status(const std::filesystem::path& dir, const std::string& uscc, const std::string& status);

// Makes a new seal of the same type, name and signers with a new code, which
// takes the old one's place in the registry; returns the new code.
std::string replace_seal(const std::filesystem::path& dir, const std::string& es_id);

// Takes a seal out of the registry; it is reported revoked from then on.
void revoke_seal(const std::filesystem::path& dir, const std::string& es_id);

// An associated permit (关联证照) another department issued to an enterprise.
struct PermitSpec {
  std::string uscc;
  std::string number;      // unique within the enterprise
  std::string kind;        // 食品经营许可证 ...
  std::string issuer;      // 发证机关
  std::string scope;       // 许可范围 (may be empty)
  std::string valid_from;  // YYYY-MM-DD
  std::string valid_to;    // YYYY-MM-DD
};

// Adds a valid permit to the enterprise's list in the registry. Refused
// (std::invalid_argument): unknown USCC, a number the enterprise already holds,
// a field missing or too long, dates that are not YYYY-MM-DD or in the wrong order.
void add_permit(const std::filesystem::path& dir, const PermitSpec& permit);

// Marks the enterprise's permit with this number revoked (revoked_at = now).
// Refused: unknown USCC or number, already revoked.
void revoke_permit(const std::filesystem::path& dir, const std::string& uscc, const std::string& number);

// Withdraws the grant (授权书) of the holder with this certificate serial.
void withdraw_grant(const std::filesystem::path& dir, const std::string& holder_serial);

}  // namespace zhaoyin::authority_service
