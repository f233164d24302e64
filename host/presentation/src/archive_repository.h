#pragma once
// Archived presentations (执照存档) and the single-use record of the codes that
// made them. One accepted code = one nonce row + one archive row, written in
// one transaction.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <zhaoyin/store/database.h>

namespace zhaoyin::presentation {

// The code's nonce is already recorded: the code was accepted before.
class CodeAlreadyUsed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Archive {
  std::string id;               // "arc_" + 32 hex
  std::string client_id;        // the application that verified it
  std::string license_serial;   // the holder's certificate
  std::string uscc;
  std::optional<std::string> matter;
  std::string code;             // the presentation code as scanned (signed)
  nlohmann::json subject;       // VerifiedSubject::to_json() (face info, holder, checks, verified_at)
  nlohmann::json chain;         // PEM strings, leaf first
  std::int64_t verified_at = 0; // Unix seconds
  std::string public_token;     // names the printed copy's verification page
  std::optional<std::string> display_token;  // set while published for display (亮照)
};

class ArchiveRepository {
 public:
  explicit ArchiveRepository(store::Database& db) : db_(db) {}

  // Records the nonce and the archive together. Throws CodeAlreadyUsed when
  // (serial, nonce) is already recorded; store::StoreError when the store fails.
  void record(const std::string& nonce_hex, const Archive& archive);

  // Records an archive made from the authority's records rather than from a
  // holder's code (the data interface's copy): no nonce, `code` empty.
  void record_authority_copy(const Archive& archive);

  // The SM3 digest (hex) of a printable copy handed out for an archive
  // (migration 24, issued_copies); recording the same bytes twice is one row.
  void record_issued_copy(const std::string& digest_hex, const std::string& archive_id, const std::string& client_id,
                          std::int64_t at);
  // The archive a copy with this digest was issued for.
  std::optional<std::string> archive_of_copy(const std::string& digest_hex) const;

  std::optional<Archive> find(const std::string& id) const;
  // By public_token or display_token.
  std::optional<Archive> find_by_token(const std::string& token) const;

  // Sets (or clears, with nullopt) the display token; false if no such archive.
  bool set_display_token(const std::string& id, const std::optional<std::string>& token);

 private:
  store::Database& db_;
};

// A fresh random identifier: prefix + 32 lower-case hex characters.
std::string random_id(const std::string& prefix);

}  // namespace zhaoyin::presentation
