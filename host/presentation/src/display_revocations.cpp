#include "display_revocations.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>

namespace zhaoyin::presentation {

using namespace Poco::Data::Keywords;

namespace {

std::optional<DisplayRevocation> by_id(Poco::Data::Session& s, std::string uscc, std::string id) {
  Poco::Data::Statement select(s);
  select << "SELECT revoked_at, revoked_by FROM display_code_revocations WHERE uscc = ? AND display_id = ?",
      use(uscc), use(id);
  select.execute();
  Poco::Data::RecordSet rs(select);
  if (rs.rowCount() == 0) return std::nullopt;
  return DisplayRevocation{rs.value(0, 0).convert<Poco::Int64>(), rs.value(1, 0).convert<std::string>(), false};
}

struct Cutoff {
  std::int64_t issued_before = 0;
  DisplayRevocation revocation;
};

std::optional<Cutoff> cutoff_of(Poco::Data::Session& s, std::string uscc) {
  Poco::Data::Statement select(s);
  select << "SELECT issued_before, revoked_at, revoked_by FROM display_code_cutoffs WHERE uscc = ?", use(uscc);
  select.execute();
  Poco::Data::RecordSet rs(select);
  if (rs.rowCount() == 0) return std::nullopt;
  return Cutoff{rs.value(0, 0).convert<Poco::Int64>(),
                {rs.value(1, 0).convert<Poco::Int64>(), rs.value(2, 0).convert<std::string>(), true}};
}

}  // namespace

void DisplayRevocations::revoke_code(const std::string& uscc, const std::string& display_id_hex,
                                     const std::string& code_serial, const std::string& signer_serial,
                                     std::int64_t at) {
  std::string u = uscc, id = display_id_hex, serial = code_serial, by = signer_serial;
  Poco::Int64 when = at;
  bool exists = false;
  try {
    db_.write_together([&](Poco::Data::Session& s) {
      if (by_id(s, u, id)) {
        exists = true;
        return;
      }
      s << "INSERT INTO display_code_revocations (uscc, display_id, license_serial, revoked_at, revoked_by)"
           " VALUES (?, ?, ?, ?, ?)",
          use(u), use(id), use(serial), use(when), use(by), now;
    });
  } catch (const Poco::Exception& e) {
    // Two revocations of one code at the same moment: the key refused the second.
    auto s = db_.session();
    if (by_id(s, u, id)) throw AlreadyRevoked("this display code is already revoked");
    throw store::StoreError("cannot record the revocation: " + e.displayText());
  }
  if (exists) throw AlreadyRevoked("this display code is already revoked");
}

void DisplayRevocations::revoke_before(const std::string& uscc, std::int64_t issued_before,
                                       const std::string& signer_serial, std::int64_t at) {
  std::string u = uscc, by = signer_serial;
  Poco::Int64 before = issued_before, when = at;
  bool not_later = false;
  try {
    db_.write_together([&](Poco::Data::Session& s) {
      const auto current = cutoff_of(s, u);
      if (current && current->issued_before >= before) {
        not_later = true;
        return;
      }
      if (current)
        s << "UPDATE display_code_cutoffs SET issued_before = ?, revoked_at = ?, revoked_by = ? WHERE uscc = ?",
            use(before), use(when), use(by), use(u), now;
      else
        s << "INSERT INTO display_code_cutoffs (uscc, issued_before, revoked_at, revoked_by) VALUES (?, ?, ?, ?)",
            use(u), use(before), use(when), use(by), now;
    });
  } catch (const Poco::Exception& e) {
    auto s = db_.session();
    const auto current = cutoff_of(s, u);
    if (current && current->issued_before >= before)
      throw AlreadyRevoked("the enterprise's codes issued before this time are already revoked");
    throw store::StoreError("cannot record the revocation: " + e.displayText());
  }
  if (not_later) throw AlreadyRevoked("the enterprise's codes issued before this time are already revoked");
}

std::optional<DisplayRevocation> DisplayRevocations::find(const std::string& uscc, const std::string& display_id_hex,
                                                          std::int64_t issued_at) const {
  try {
    auto s = db_.session();
    if (auto r = by_id(s, uscc, display_id_hex)) return r;
    if (const auto c = cutoff_of(s, uscc); c && issued_at < c->issued_before) return c->revocation;
    return std::nullopt;
  } catch (const Poco::Exception& e) {
    throw store::StoreError("cannot read display code revocations: " + e.displayText());
  }
}

}  // namespace zhaoyin::presentation
