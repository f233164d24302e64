#include <zhaoyin/flow/flow_repository.h>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>
#include <zhaoyin/http/callback_outbox.h>

namespace zhaoyin::flow {

using namespace Poco::Data::Keywords;

namespace {

Poco::Int64 seconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }
TimePoint from_seconds(Poco::Int64 s) { return TimePoint(std::chrono::seconds(s)); }

[[noreturn]] void rethrow(const std::string& what, const Poco::Exception& e) {
  throw store::StoreError(what + ": " + e.displayText());
}

// "?, ?, ?" for n values.
std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

}  // namespace

void FlowRepository::append_event(Poco::Data::Session& s, const std::string& id, const std::string& status,
                                  TimePoint at) const {
  const auto& t = flow_.tables;
  std::string owner = id, st = status, owner_again = id;
  Poco::Int64 when = seconds(at);
  // The CAST types the parameter for PostgreSQL, which cannot infer it from a SELECT list.
  s << "INSERT INTO " + t.events + " (" + t.event_owner + ", seq, status, at) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?,"
           " CAST(? AS BIGINT) FROM " + t.events + " WHERE " + t.event_owner + " = ?",
      use(owner), use(st), use(when), use(owner_again), now;
}

std::optional<std::string> FlowRepository::record_change(Poco::Data::Session& s, const std::string& id,
                                                         const std::string& status, TimePoint at) {
  append_event(s, id, status, at);
  held_callback_ = http::hold_callback(s, flow_.callback_flow, flow_.tables.items, id);
  return held_callback_;
}

std::vector<StatusEvent> FlowRepository::events(Poco::Data::Session& s, const std::string& id) const {
  const auto& t = flow_.tables;
  std::string owner = id;
  Poco::Data::Statement select(s);
  select << "SELECT status, at FROM " + t.events + " WHERE " + t.event_owner + " = ? ORDER BY seq", use(owner);
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<StatusEvent> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row)
    out.push_back({rs.value(0, row).convert<std::string>(), from_seconds(rs.value(1, row).convert<Poco::Int64>())});
  return out;
}

bool FlowRepository::transition(const std::string& id, const std::vector<std::string>& from, const std::string& to,
                                TimePoint at, Deadline deadline, const AlsoInTransaction& also) {
  held_callback_.reset();
  const auto& t = flow_.tables;
  std::string sql = "UPDATE " + t.items + " SET status = ?, updated_at = ?";
  if (!t.version_column.empty()) sql += ", " + t.version_column + " = " + t.version_column + " + 1";
  sql += " WHERE id = ? AND status IN (" + placeholders(from.size()) + ")";
  if (deadline == Deadline::BeforeExpiry) sql += " AND expires_at > ?";
  if (deadline == Deadline::AfterExpiry) sql += " AND expires_at <= ?";
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    Poco::Data::Statement update(s);
    std::string status = to, sid = id;
    std::vector<std::string> from_values = from;
    Poco::Int64 when = seconds(at);
    update << sql, use(status), use(when), use(sid);
    for (auto& f : from_values) update, use(f);
    if (deadline != Deadline::Ignore) update, use(when);
    if (update.execute() == 0) {
      tx.rollback();
      return false;
    }
    if (also) also(s);
    std::optional<std::string> held = record_change(s, id, to, at);
    tx.commit();
    held_callback_ = std::move(held);
    return true;
  } catch (const Poco::Exception& e) {
    held_callback_.reset();
    rethrow("cannot update " + flow_.noun, e);
  } catch (...) {
    held_callback_.reset();  // the transaction rolled back: nothing is held
    throw;
  }
}

std::vector<std::string> FlowRepository::overdue_with_callback(TimePoint at, std::size_t limit) const {
  const std::vector<std::string> open = flow_.states.open_states();
  try {
    auto s = db_.session();
    std::vector<std::string> states = open;
    Poco::Int64 when = seconds(at);
    Poco::Int64 max = static_cast<Poco::Int64>(limit);
    std::vector<std::string> ids;
    Poco::Data::Statement select(s);
    select << "SELECT id FROM " + flow_.tables.items + " WHERE status IN (" + placeholders(states.size()) +
                  ") AND expires_at <= ? AND callback_url IS NOT NULL ORDER BY expires_at LIMIT ?";
    for (auto& st : states) select, use(st);
    select, use(when), use(max), into(ids);
    select.execute();
    return ids;
  } catch (const Poco::Exception& e) {
    rethrow("cannot list overdue " + flow_.noun + "s", e);
  }
}

}  // namespace zhaoyin::flow
