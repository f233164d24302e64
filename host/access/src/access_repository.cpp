#include "access_repository.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <Poco/Types.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::access {

using namespace Poco::Data::Keywords;
using Clock = std::chrono::system_clock;

namespace {

Poco::Int64 seconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }
TimePoint from_seconds(Poco::Int64 s) { return TimePoint(std::chrono::seconds(s)); }

[[noreturn]] void rethrow(const std::string& what, const Poco::Exception& e) {
  throw store::StoreError(what + ": " + e.displayText());
}

Status stored_status(const std::string& text) {
  auto s = status_from(text);
  if (!s) throw store::StoreError("access application: unknown stored status '" + text + "'");
  return *s;
}

std::vector<TrailEntry> read_trail(Poco::Data::Session& s, const std::string& id) {
  std::string aid = id;
  Poco::Data::Statement select(s);
  select << "SELECT seq, action, from_status, to_status, actor, role, opinion, at FROM access_trail"
            " WHERE application_id = ? ORDER BY seq",
      use(aid);
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<TrailEntry> trail;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    TrailEntry e;
    e.seq = rs.value(0, row).convert<Poco::Int64>();
    const auto action = action_from(rs.value(1, row).convert<std::string>());
    if (!action) throw store::StoreError("access trail: unknown stored action");
    e.action = *action;
    e.from = stored_status(rs.value(2, row).convert<std::string>());
    e.to = stored_status(rs.value(3, row).convert<std::string>());
    e.actor = rs.value(4, row).convert<std::string>();
    e.role = rs.value(5, row).convert<std::string>();
    e.opinion = rs.isNull(6, row) ? std::string() : rs.value(6, row).convert<std::string>();
    e.at = from_seconds(rs.value(7, row).convert<Poco::Int64>());
    trail.push_back(std::move(e));
  }
  return trail;
}

const char* const kColumns = "id, owner, status, form_json, client_id, created_at, updated_at";

AccessApplication from_row(const Poco::Data::RecordSet& rs, std::size_t row) {
  AccessApplication a;
  a.id = rs.value(0, row).convert<std::string>();
  a.owner = rs.value(1, row).convert<std::string>();
  a.status = stored_status(rs.value(2, row).convert<std::string>());
  try {
    a.form = form_from_json(nlohmann::json::parse(rs.value(3, row).convert<std::string>()));
  } catch (const std::exception& e) {
    throw store::StoreError("access application " + a.id + ": the stored form is not readable: " + e.what());
  }
  a.client_id = rs.isNull(4, row) ? std::string() : rs.value(4, row).convert<std::string>();
  a.created_at = from_seconds(rs.value(5, row).convert<Poco::Int64>());
  a.updated_at = from_seconds(rs.value(6, row).convert<Poco::Int64>());
  return a;
}

}  // namespace

void AccessRepository::insert(const AccessApplication& a) {
  try {
    auto s = db_.session();
    std::string id = a.id, owner = a.owner, status = to_string(a.status), form = to_json(a.form).dump();
    Poco::Int64 created = seconds(a.created_at), updated = seconds(a.updated_at);
    s << "INSERT INTO access_applications (id, owner, status, form_json, client_id, created_at, updated_at)"
         " VALUES (?, ?, ?, ?, NULL, ?, ?)",
        use(id), use(owner), use(status), use(form), use(created), use(updated), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot store access application", e);
  }
}

std::optional<AccessApplication> AccessRepository::find(const std::string& id) const {
  try {
    auto s = db_.session();
    std::string aid = id;
    Poco::Data::Statement select(s);
    select << "SELECT " << kColumns << " FROM access_applications WHERE id = ?", use(aid);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    auto a = from_row(rs, 0);
    a.trail = read_trail(s, a.id);
    return a;
  } catch (const Poco::Exception& e) {
    rethrow("cannot read access application", e);
  }
}

std::vector<AccessApplication> AccessRepository::list(const std::optional<std::string>& owner,
                                                      std::optional<Status> status) const {
  try {
    auto s = db_.session();
    std::string who = owner.value_or(""), state = status ? to_string(*status) : "";
    Poco::Data::Statement select(s);
    select << "SELECT " << kColumns << " FROM access_applications WHERE 1 = 1";
    if (owner) select << " AND owner = ?", use(who);
    if (status) select << " AND status = ?", use(state);
    select << " ORDER BY created_at DESC, id";
    select.execute();
    Poco::Data::RecordSet rs(select);
    std::vector<AccessApplication> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
      out.push_back(from_row(rs, row));
      out.back().trail = read_trail(s, out.back().id);
    }
    return out;
  } catch (const Poco::Exception& e) {
    rethrow("cannot list access applications", e);
  }
}

bool AccessRepository::update_form(const std::string& id, const AccessForm& form, const std::vector<Status>& editable,
                                   TimePoint at) {
  try {
    auto s = db_.session();
    std::string aid = id, text = to_json(form).dump();
    Poco::Int64 when = seconds(at);
    std::vector<std::string> states;
    for (auto st : editable) states.push_back(to_string(st));
    Poco::Data::Statement update(s);
    update << "UPDATE access_applications SET form_json = ?, updated_at = ? WHERE id = ? AND status IN (", use(text),
        use(when), use(aid);
    for (std::size_t i = 0; i < states.size(); ++i) update << (i ? ", ?" : "?"), use(states[i]);
    update << ")";
    return update.execute() == 1;
  } catch (const Poco::Exception& e) {
    rethrow("cannot save access application", e);
  }
}

std::optional<std::int64_t> AccessRepository::step(const std::string& id, TrailEntry entry,
                                                   const std::optional<std::string>& client_id) {
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    std::string aid = id, from = to_string(entry.from), to = to_string(entry.to);
    Poco::Int64 when = seconds(entry.at);
    // The write comes first in the transaction: SQLite then queues a
    // concurrent step behind this one (busy timeout) instead of failing its
    // snapshot, and that step finds the status changed.
    Poco::Data::Statement update(s);
    std::string client = client_id.value_or("");
    if (client_id) {
      update << "UPDATE access_applications SET status = ?, client_id = ?, updated_at = ? WHERE id = ? AND status = ?",
          use(to), use(client), use(when), use(aid), use(from);
    } else {
      update << "UPDATE access_applications SET status = ?, updated_at = ? WHERE id = ? AND status = ?", use(to),
          use(when), use(aid), use(from);
    }
    if (update.execute() != 1) {
      tx.rollback();
      return std::nullopt;
    }
    Poco::Int64 seq = 0;
    s << "SELECT COALESCE(MAX(seq), 0) + 1 FROM access_trail WHERE application_id = ?", into(seq), use(aid), now;
    std::string action = to_string(entry.action), actor = entry.actor, role = entry.role, opinion = entry.opinion;
    s << "INSERT INTO access_trail (application_id, seq, action, from_status, to_status, actor, role, opinion, at)"
         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        use(aid), use(seq), use(action), use(from), use(to), use(actor), use(role), use(opinion), use(when), now;
    tx.commit();
    return seq;
  } catch (const Poco::Exception& e) {
    rethrow("cannot record the step on access application " + id, e);
  }
}

void AccessRepository::undo_step(const std::string& id, const TrailEntry& entry, bool clear_client) {
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    std::string aid = id, from = to_string(entry.from), to = to_string(entry.to);
    Poco::Int64 seq = entry.seq;
    if (clear_client) {
      s << "UPDATE access_applications SET status = ?, client_id = NULL WHERE id = ? AND status = ?", use(from),
          use(aid), use(to), now;
    } else {
      s << "UPDATE access_applications SET status = ? WHERE id = ? AND status = ?", use(from), use(aid), use(to), now;
    }
    s << "DELETE FROM access_trail WHERE application_id = ? AND seq = ?", use(aid), use(seq), now;
    tx.commit();
  } catch (const Poco::Exception& e) {
    rethrow("cannot take back the step on access application " + id, e);
  }
}

}  // namespace zhaoyin::access
