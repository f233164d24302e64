// The ID-token signing key shared by every host on one store (provider.h,
// KeyRing). Before migration 29 each host made its own key in its data
// folder: behind nginx an ID token signed by host A did not verify with the
// JWKS host B served, and B refused it as id_token_hint at logout.
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <zhaoyin/store/database.h>
#include "provider.h"

namespace zhaoyin::oidc {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

std::optional<std::string> stored_pem(store::Database& db) {
  try {
    auto s = db.session();
    Poco::Data::Statement select(s);
    select << "SELECT private_pem FROM oidc_signing_keys WHERE id = 1";
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    return rs.value(0, 0).convert<std::string>();
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot read the OIDC signing key: " + e.displayText());
  }
}

// Stores `pem` unless a key is there already. SQLite: hosts take turns on
// the write lock, the second finds the first one's row. PostgreSQL: two
// first inserts race, the primary key refuses the second (it is read back).
void store_unless_present(store::Database& db, const std::string& pem) {
  try {
    auto s = db.session();
    Poco::Data::Transaction tx(s);
    db.lock_for_write(s);
    Poco::Int64 rows = 0;
    s << "SELECT COUNT(*) FROM oidc_signing_keys WHERE id = 1", into(rows), now;
    if (rows == 0) {
      std::string text = pem;
      Poco::Int64 at = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
      s << "INSERT INTO oidc_signing_keys (id, private_pem, created_at) VALUES (1, ?, ?)", use(text), use(at), now;
    }
    tx.commit();
  } catch (const Poco::Exception&) {
    // Another host's key won; key() reads it back (and fails there if the store itself failed).
  }
}

std::optional<std::string> legacy_pem(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::nullopt;
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

const SigningKey& KeyRing::key() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (key_) return *key_;
  if (auto pem = stored_pem(*db_)) {
    key_ = SigningKey::from_pem(*pem);
    return *key_;
  }
  // None stored yet: this host's older key if it had one, else a new one.
  const auto old = legacy_pem(legacy_file_);
  const SigningKey candidate = old ? SigningKey::from_pem(*old) : SigningKey::generate();
  store_unless_present(*db_, candidate.private_pem());
  const auto pem = stored_pem(*db_);
  if (!pem) throw store::StoreError("cannot store the OIDC signing key");
  key_ = SigningKey::from_pem(*pem);
  return *key_;
}

}  // namespace zhaoyin::oidc
