#pragma once
// The store's record of display codes revoked by their enterprise
// (migration 22): one code by display id, or every code of the enterprise
// issued before a time. Read at every view of a code, never cached.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <zhaoyin/store/database.h>

namespace zhaoyin::presentation {

// The revocation already on record covers this one (a replay, or a cutoff
// that is not later than the current one). HTTP: 409 already_revoked.
class AlreadyRevoked : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DisplayRevocation {
  std::int64_t revoked_at = 0;  // when the host recorded it
  std::string revoked_by;       // license serial of the signer
  bool whole_enterprise = false;  // by a cutoff rather than by display id
};

class DisplayRevocations {
 public:
  explicit DisplayRevocations(store::Database& db) : db_(db) {}

  // Throws AlreadyRevoked when (uscc, display_id) is on record.
  void revoke_code(const std::string& uscc, const std::string& display_id_hex, const std::string& code_serial,
                   const std::string& signer_serial, std::int64_t at);
  // Moves the enterprise's cutoff forward to `issued_before`; throws
  // AlreadyRevoked when the current cutoff is not earlier.
  void revoke_before(const std::string& uscc, std::int64_t issued_before, const std::string& signer_serial,
                     std::int64_t at);
  // Whether a code of `uscc` with this display id, issued at `issued_at`, is revoked.
  std::optional<DisplayRevocation> find(const std::string& uscc, const std::string& display_id_hex,
                                        std::int64_t issued_at) const;

 private:
  store::Database& db_;
};

}  // namespace zhaoyin::presentation
