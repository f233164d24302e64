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
  select << "SELECT seq, action, from_status, to_status, actor, role, opinion, at, amendment, stage, stage_label"
            " FROM access_trail"
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
    e.amendment = rs.value(8, row).convert<int>();
    e.stage = rs.value(9, row).convert<std::string>();
    e.stage_label = rs.value(10, row).convert<std::string>();
    trail.push_back(std::move(e));
  }
  return trail;
}

const char* const kColumns =
    "id, owner, status, form_json, client_id, created_at, updated_at, review_plan, review_stage, review_round, version";

AccessForm stored_form(const std::string& what, const std::string& text) {
  try {
    return form_from_json(nlohmann::json::parse(text));
  } catch (const std::exception& e) {
    throw store::StoreError(what + ": the stored form is not readable: " + e.what());
  }
}

// '' (an application from before migration 27, or not yet submitted): no snapshot.
ReviewPlan stored_plan(const std::string& what, const std::string& text) {
  if (text.empty()) return {};
  try {
    return plan_from_json(nlohmann::json::parse(text));
  } catch (const std::exception& e) {
    throw store::StoreError(what + ": " + e.what());
  }
}

std::vector<Amendment> read_amendments(Poco::Data::Session& s, const std::string& id) {
  std::string aid = id;
  Poco::Data::Statement select(s);
  select << "SELECT number, state, form_json, review_plan, review_stage, review_round, created_by, created_at,"
            " updated_at FROM access_amendments WHERE application_id = ? ORDER BY number",
      use(aid);
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<Amendment> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    Amendment m;
    m.number = rs.value(0, row).convert<int>();
    const auto state = amendment_state_from(rs.value(1, row).convert<std::string>());
    if (!state) throw store::StoreError("access amendment: unknown stored state");
    m.state = *state;
    const auto what = "access application " + id + " amendment " + std::to_string(m.number);
    m.form = stored_form(what, rs.value(2, row).convert<std::string>());
    m.plan = stored_plan(what, rs.value(3, row).convert<std::string>());
    m.stage = rs.value(4, row).convert<int>();
    m.round = rs.value(5, row).convert<int>();
    m.created_by = rs.value(6, row).convert<std::string>();
    m.created_at = from_seconds(rs.value(7, row).convert<Poco::Int64>());
    m.updated_at = from_seconds(rs.value(8, row).convert<Poco::Int64>());
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<ApprovedVersion> read_versions(Poco::Data::Session& s, const std::string& id) {
  std::string aid = id;
  Poco::Data::Statement select(s);
  select << "SELECT version, amendment, form_json, approved_by, approved_at FROM access_versions"
            " WHERE application_id = ? ORDER BY version",
      use(aid);
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<ApprovedVersion> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    ApprovedVersion v;
    v.version = rs.value(0, row).convert<int>();
    v.amendment = rs.value(1, row).convert<int>();
    v.form = stored_form("access application " + id + " version " + std::to_string(v.version),
                         rs.value(2, row).convert<std::string>());
    v.approved_by = rs.value(3, row).convert<std::string>();
    v.approved_at = from_seconds(rs.value(4, row).convert<Poco::Int64>());
    out.push_back(std::move(v));
  }
  return out;
}

// Everything of one application besides its row: trail, amendments, versions.
void read_details(Poco::Data::Session& s, AccessApplication& a) {
  a.trail = read_trail(s, a.id);
  a.amendments = read_amendments(s, a.id);
  a.versions = read_versions(s, a.id);
}

AccessApplication from_row(const Poco::Data::RecordSet& rs, std::size_t row) {
  AccessApplication a;
  a.id = rs.value(0, row).convert<std::string>();
  a.owner = rs.value(1, row).convert<std::string>();
  a.status = stored_status(rs.value(2, row).convert<std::string>());
  a.form = stored_form("access application " + a.id, rs.value(3, row).convert<std::string>());
  a.client_id = rs.isNull(4, row) ? std::string() : rs.value(4, row).convert<std::string>();
  a.created_at = from_seconds(rs.value(5, row).convert<Poco::Int64>());
  a.updated_at = from_seconds(rs.value(6, row).convert<Poco::Int64>());
  a.plan = stored_plan("access application " + a.id, rs.value(7, row).convert<std::string>());
  a.stage = rs.value(8, row).convert<int>();
  a.round = rs.value(9, row).convert<int>();
  a.version = rs.value(10, row).convert<int>();
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
    read_details(s, a);
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
      read_details(s, out.back());
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

std::optional<std::int64_t> AccessRepository::transact(const std::string& id, const std::vector<Change>& changes,
                                                       const std::optional<TrailEntry>& entry) {
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    for (const auto& change : changes) {
      // Poco binds by reference: the values live in `bound` until execute().
      std::vector<std::string> texts;
      std::vector<Poco::Int64> numbers;
      texts.reserve(change.values.size());
      numbers.reserve(change.values.size());
      Poco::Data::Statement statement(s);
      statement << change.sql;
      for (const auto& v : change.values) {
        if (const auto* text = std::get_if<std::string>(&v)) {
          texts.push_back(*text);
          statement, use(texts.back());
        } else {
          numbers.push_back(std::get<std::int64_t>(v));
          statement, use(numbers.back());
        }
      }
      const auto changed = statement.execute();
      if (change.guarded && changed != 1) {
        tx.rollback();
        return std::nullopt;
      }
    }
    Poco::Int64 seq = 0;
    if (entry) {
      std::string aid = id;
      s << "SELECT COALESCE(MAX(seq), 0) + 1 FROM access_trail WHERE application_id = ?", into(seq), use(aid), now;
      std::string action = to_string(entry->action), from = to_string(entry->from), to = to_string(entry->to),
                  actor = entry->actor, role = entry->role, opinion = entry->opinion, stage = entry->stage,
                  stage_label = entry->stage_label;
      Poco::Int64 when = seconds(entry->at), amendment = entry->amendment;
      s << "INSERT INTO access_trail (application_id, seq, action, from_status, to_status, actor, role, opinion, at,"
           " amendment, stage, stage_label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          use(aid), use(seq), use(action), use(from), use(to), use(actor), use(role), use(opinion), use(when),
          use(amendment), use(stage), use(stage_label), now;
    }
    tx.commit();
    return seq;
  } catch (const Poco::Exception& e) {
    rethrow("cannot record the step on access application " + id, e);
  }
}

std::optional<AccessRepository::ProviderLink> AccessRepository::find_link(const std::string& token_hash) const {
  try {
    auto s = db_.session();
    std::string hash = token_hash;
    Poco::Data::Statement select(s);
    select << "SELECT application_id, amendment, review_round, stage, minted_by, expires_at, used_at"
              " FROM access_provider_links WHERE token_hash = ?",
        use(hash);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    ProviderLink link;
    link.application_id = rs.value(0, 0).convert<std::string>();
    link.amendment = rs.value(1, 0).convert<int>();
    link.round = rs.value(2, 0).convert<int>();
    link.stage = rs.value(3, 0).convert<std::string>();
    link.minted_by = rs.value(4, 0).convert<std::string>();
    link.expires_at = rs.value(5, 0).convert<Poco::Int64>();
    link.used = !rs.isNull(6, 0);
    return link;
  } catch (const Poco::Exception& e) {
    rethrow("cannot read the provider link", e);
  }
}

}  // namespace zhaoyin::access
