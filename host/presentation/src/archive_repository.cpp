#include "archive_repository.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <Poco/Types.h>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::presentation {

using namespace Poco::Data::Keywords;

namespace {

const char* const kColumns =
    "id, client_id, license_serial, uscc, matter, code, subject, chain, verified_at, public_token, display_token";

std::optional<std::string> optional_text(const Poco::Data::RecordSet& rs, std::size_t col) {
  if (rs.value(col, 0).isEmpty()) return std::nullopt;
  return rs.value(col, 0).convert<std::string>();
}

Archive from_row(const Poco::Data::RecordSet& rs) {
  Archive a;
  a.id = rs.value(0, 0).convert<std::string>();
  a.client_id = rs.value(1, 0).convert<std::string>();
  a.license_serial = rs.value(2, 0).convert<std::string>();
  a.uscc = rs.value(3, 0).convert<std::string>();
  a.matter = optional_text(rs, 4);
  a.code = rs.value(5, 0).convert<std::string>();
  a.subject = nlohmann::json::parse(rs.value(6, 0).convert<std::string>());
  a.chain = nlohmann::json::parse(rs.value(7, 0).convert<std::string>());
  a.verified_at = rs.value(8, 0).convert<Poco::Int64>();
  a.public_token = rs.value(9, 0).convert<std::string>();
  a.display_token = optional_text(rs, 10);
  return a;
}

bool nonce_recorded(store::Database& db, std::string serial, std::string nonce) {
  auto s = db.session();
  int count = 0;
  s << "SELECT COUNT(*) FROM presentation_nonces WHERE license_serial = ? AND nonce = ?", into(count), use(serial),
      use(nonce), now;
  return count > 0;
}

}  // namespace

std::string random_id(const std::string& prefix) { return prefix + trust::hex_encode(trust::random_bytes(16)); }

void ArchiveRepository::record(const std::string& nonce_hex, const Archive& archive) {
  std::string serial = archive.license_serial, nonce = nonce_hex, client = archive.client_id;
  std::string id = archive.id, uscc = archive.uscc, code = archive.code, subject = archive.subject.dump(),
              chain = archive.chain.dump(), token = archive.public_token;
  Poco::Nullable<std::string> matter;
  if (archive.matter) matter = *archive.matter;
  Poco::Int64 at = archive.verified_at;
  try {
    // The nonce row and the archive commit together (one savepoint), with the
    // other presentations arriving at the same moment (one fsync for all).
    db_.write_together([&](Poco::Data::Session& s) {
      s << "INSERT INTO presentation_nonces (license_serial, nonce, client_id, used_at) VALUES (?, ?, ?, ?)",
          use(serial), use(nonce), use(client), use(at), now;
      s << "INSERT INTO presentation_archives (id, client_id, license_serial, uscc, matter, code, subject, chain,"
           " verified_at, public_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          use(id), use(client), use(serial), use(uscc), use(matter), use(code), use(subject), use(chain), use(at),
          use(token), now;
    });
  } catch (const store::StoreError& e) {
    throw store::StoreError(std::string("cannot archive the presentation: ") + e.what());
  } catch (const Poco::Exception& e) {
    // The constraint error's class differs between drivers; the store itself
    // says whether the nonce is the reason.
    bool used = false;
    try {
      used = nonce_recorded(db_, serial, nonce);
    } catch (const Poco::Exception&) {
    }
    if (used) throw CodeAlreadyUsed("this presentation code was already accepted");
    throw store::StoreError("cannot archive the presentation: " + e.displayText());
  }
}

void ArchiveRepository::record_authority_copy(const Archive& archive) {
  std::string client = archive.client_id, serial = archive.license_serial, id = archive.id, uscc = archive.uscc,
              code = archive.code, subject = archive.subject.dump(), chain = archive.chain.dump(),
              token = archive.public_token;
  Poco::Nullable<std::string> matter;
  if (archive.matter) matter = *archive.matter;
  Poco::Int64 at = archive.verified_at;
  try {
    auto s = db_.session();
    s << "INSERT INTO presentation_archives (id, client_id, license_serial, uscc, matter, code, subject, chain,"
         " verified_at, public_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        use(id), use(client), use(serial), use(uscc), use(matter), use(code), use(subject), use(chain), use(at),
        use(token), now;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot archive the license copy: " + e.displayText());
  }
}

void ArchiveRepository::record_issued_copy(const std::string& digest_hex, const std::string& archive_id,
                                           const std::string& client_id, std::int64_t at) {
  if (archive_of_copy(digest_hex)) return;
  std::string digest = digest_hex, id = archive_id, client = client_id;
  Poco::Int64 when = at;
  try {
    auto s = db_.session();
    s << "INSERT INTO issued_copies (digest, archive_id, client_id, issued_at) VALUES (?, ?, ?, ?)", use(digest),
        use(id), use(client), use(when), now;
  } catch (const Poco::Exception& e) {
    // Two requests for the same bytes at once: the other one recorded it.
    if (archive_of_copy(digest_hex)) return;
    throw store::StoreError("cannot record the issued copy: " + e.displayText());
  }
}

std::optional<std::string> ArchiveRepository::archive_of_copy(const std::string& digest_hex) const {
  try {
    auto s = db_.session();
    std::string digest = digest_hex;
    std::vector<std::string> ids;
    s << "SELECT archive_id FROM issued_copies WHERE digest = ?", into(ids), use(digest), now;
    if (ids.empty()) return std::nullopt;
    return ids.front();
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot read the issued copies: " + e.displayText());
  }
}

std::optional<Archive> ArchiveRepository::find(const std::string& id) const {
  try {
    auto s = db_.session();
    std::string key = id;
    Poco::Data::Statement select(s);
    select << "SELECT " << kColumns << " FROM presentation_archives WHERE id = ?", use(key);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    return from_row(rs);
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot read archive: " + e.displayText());
  }
}

std::optional<Archive> ArchiveRepository::find_by_token(const std::string& token) const {
  try {
    auto s = db_.session();
    std::string a = token, b = token;
    Poco::Data::Statement select(s);
    select << "SELECT " << kColumns << " FROM presentation_archives WHERE public_token = ? OR display_token = ?",
        use(a), use(b);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    return from_row(rs);
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot read archive: " + e.displayText());
  }
}

bool ArchiveRepository::set_display_token(const std::string& id, const std::optional<std::string>& token) {
  try {
    auto s = db_.session();
    std::string key = id;
    Poco::Nullable<std::string> value;
    if (token) value = *token;
    Poco::Data::Statement update(s);
    update << "UPDATE presentation_archives SET display_token = ? WHERE id = ?", use(value), use(key);
    return update.execute() > 0;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot update archive: " + e.displayText());
  }
}

}  // namespace zhaoyin::presentation
