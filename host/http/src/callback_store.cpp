#include "callback_store.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/Types.h>
#include <atomic>
#include <chrono>
#include <Poco/Nullable.h>
#include <zhaoyin/http/callback_outbox.h>
#include <zhaoyin/http/trace_context.h>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::http {

using namespace Poco::Data::Keywords;

namespace {

[[noreturn]] void rethrow(const std::string& what, const Poco::Exception& e) {
  throw store::StoreError(what + ": " + e.displayText());
}

// Microseconds, strictly increasing within the process: orders one
// application's deliveries even when two are queued in the same instant.
Poco::Int64 creation_stamp() {
  static std::atomic<Poco::Int64> last{0};
  const Poco::Int64 t = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  Poco::Int64 prev = last.load();
  Poco::Int64 next = 0;
  do {
    next = std::max(t, prev + 1);
  } while (!last.compare_exchange_weak(prev, next));
  return next;
}

// The span of the request being served, stored with a delivery it queues;
// NULL outside a request (an expiry sweep).
Poco::Nullable<std::string> current_trace() {
  if (const TraceParent* span = TraceScope::current()) return span->header();
  return Poco::Nullable<std::string>();
}

const char* const kDue = " flow = ? AND status = 'pending' AND due_at <= ? AND lease_until <= ?";

}  // namespace

std::int64_t CallbackStore::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string queue_callback(Poco::Data::Session& session, const std::string& flow, const std::string& client_id,
                           const std::string& url, const std::string& body) {
  std::string id = trust::hex_encode(trust::random_bytes(16)), f = flow, client = client_id, u = url, b = body;
  Poco::Int64 created = creation_stamp(), due = CallbackStore::now_ms(), updated = due;
  Poco::Nullable<std::string> trace = current_trace();
  session << "INSERT INTO callback_deliveries (id, flow, client_id, url, body, status, attempts, created_at, due_at,"
             " lease_until, updated_at, trace_parent) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, 0, ?, ?)",
      use(id), use(f), use(client), use(u), use(b), use(created), use(due), use(updated), use(trace), now;
  return id;
}

std::string CallbackStore::add(const std::string& client_id, const std::string& url, const std::string& body) {
  try {
    auto s = db_.session();
    return queue_callback(s, flow_, client_id, url, body);
  } catch (const Poco::Exception& e) {
    rethrow("cannot queue a callback", e);
  }
}

bool CallbackStore::fill_held(const std::string& id, const std::string& body) {
  try {
    auto s = db_.session();
    std::string key = id, b = body;
    Poco::Int64 at = now_ms(), updated = at, unleased = at;
    Poco::Data::Statement update(s);
    // Conditional: a dispatcher that claimed the row after its hold ran out
    // renders the body itself, and this late fill must not race it.
    update << "UPDATE callback_deliveries SET body = ?, due_at = ?, updated_at = ?"
              " WHERE id = ? AND body = '' AND status = 'pending' AND lease_until <= ?",
        use(b), use(at), use(updated), use(key), use(unleased);
    return update.execute() == 1;
  } catch (const Poco::Exception& e) {
    rethrow("cannot release a held callback", e);
  }
}

void CallbackStore::set_body(const std::string& id, const std::string& body) {
  try {
    auto s = db_.session();
    std::string key = id, b = body;
    s << "UPDATE callback_deliveries SET body = ? WHERE id = ?", use(b), use(key), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot store a rendered callback", e);
  }
}

std::optional<std::string> hold_callback(Poco::Data::Session& session, const std::string& flow,
                                         const std::string& subject_table, const std::string& subject_id) {
  const std::string& from = subject_table;
  std::string id = trust::hex_encode(trust::random_bytes(16)), f = flow, subject = subject_id;
  Poco::Int64 created = creation_stamp(), updated = CallbackStore::now_ms(), due = updated + kCallbackHoldMs;
  Poco::Nullable<std::string> trace = current_trace();
  Poco::Data::Statement insert(session);
  // The CASTs type the parameters for PostgreSQL, which cannot infer them
  // from an INSERT's SELECT list.
  insert << std::string("INSERT INTO callback_deliveries (id, flow, client_id, url, body, status, attempts, created_at,"
                        " due_at, lease_until, updated_at, subject_id, trace_parent)"
                        " SELECT CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(64)), client_id, callback_url, '', 'pending', 0,"
                        " CAST(? AS BIGINT), CAST(? AS BIGINT), 0, CAST(? AS BIGINT), id, CAST(? AS VARCHAR(55)) FROM ") +
                from + " WHERE id = ? AND callback_url IS NOT NULL",
      use(id), use(f), use(created), use(due), use(updated), use(trace), use(subject);
  if (insert.execute() == 0) return std::nullopt;
  return id;
}

std::vector<std::string> CallbackStore::clients_due(std::int64_t at_ms) {
  std::vector<std::string> out;
  try {
    auto s = db_.session();
    std::string flow = flow_;
    Poco::Int64 at = at_ms, at2 = at_ms;
    Poco::Data::Statement select(s);
    select << std::string("SELECT DISTINCT client_id FROM callback_deliveries WHERE") + kDue, use(flow), use(at), use(at2);
    select.execute();
    Poco::Data::RecordSet rs(select);
    for (std::size_t i = 0; i < rs.rowCount(); ++i) out.push_back(rs.value(0, i).convert<std::string>());
  } catch (const Poco::Exception& e) {
    rethrow("cannot read the callback queue", e);
  }
  return out;
}

std::optional<PendingDelivery> CallbackStore::claim_next(const std::string& client_id, std::int64_t at_ms,
                                                         std::int64_t lease_until_ms) {
  try {
    auto s = db_.session();
    std::string flow = flow_, client = client_id;
    Poco::Int64 at = at_ms, at2 = at_ms;
    Poco::Data::Statement select(s);
    select << std::string("SELECT id, url, body, attempts, COALESCE(subject_id, ''), COALESCE(trace_parent, '')"
                          " FROM callback_deliveries WHERE") + kDue +
                  " AND client_id = ? ORDER BY due_at, created_at, id LIMIT 1",
        use(flow), use(at), use(at2), use(client);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    PendingDelivery d;
    d.id = rs.value(0, 0).convert<std::string>();
    d.client_id = client_id;
    d.url = rs.value(1, 0).convert<std::string>();
    d.body = rs.value(2, 0).convert<std::string>();
    d.attempts = rs.value(3, 0).convert<int>();
    d.subject_id = rs.value(4, 0).convert<std::string>();
    d.trace_parent = rs.value(5, 0).convert<std::string>();
    // Conditional: only one host wins a row whose lease has run out.
    std::string id = d.id;
    Poco::Int64 lease = lease_until_ms, at3 = at_ms;
    Poco::Data::Statement update(s);
    update << "UPDATE callback_deliveries SET lease_until = ? WHERE id = ? AND status = 'pending' AND lease_until <= ?",
        use(lease), use(id), use(at3);
    if (update.execute() != 1) return std::nullopt;
    return d;
  } catch (const Poco::Exception& e) {
    rethrow("cannot claim a callback", e);
  }
}

void CallbackStore::delivered(const std::string& id) {
  try {
    auto s = db_.session();
    std::string key = id;
    s << "DELETE FROM callback_deliveries WHERE id = ?", use(key), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot record a delivered callback", e);
  }
}

void CallbackStore::retry_later(const std::string& id, int attempts, std::int64_t due_ms, const std::string& error) {
  try {
    auto s = db_.session();
    std::string key = id, err = error.substr(0, 1000);
    Poco::Int64 due = due_ms, updated = now_ms();
    int n = attempts;
    s << "UPDATE callback_deliveries SET attempts = ?, due_at = ?, lease_until = 0, last_error = ?, updated_at = ?"
         " WHERE id = ?",
        use(n), use(due), use(err), use(updated), use(key), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot reschedule a callback", e);
  }
}

void CallbackStore::give_up(const std::string& id, int attempts, const std::string& error) {
  try {
    auto s = db_.session();
    std::string key = id, err = error.substr(0, 1000);
    Poco::Int64 updated = now_ms();
    int n = attempts;
    s << "UPDATE callback_deliveries SET status = 'failed', attempts = ?, lease_until = 0, last_error = ?,"
         " updated_at = ? WHERE id = ?",
        use(n), use(err), use(updated), use(key), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot record a failed callback", e);
  }
}

void CallbackStore::release(const std::string& id) {
  try {
    auto s = db_.session();
    std::string key = id;
    s << "UPDATE callback_deliveries SET lease_until = 0 WHERE id = ?", use(key), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot release a callback", e);
  }
}

void CallbackStore::purge_failed(std::int64_t older_than_ms) {
  try {
    auto s = db_.session();
    std::string flow = flow_;
    Poco::Int64 before = older_than_ms;
    s << "DELETE FROM callback_deliveries WHERE flow = ? AND status = 'failed' AND updated_at < ?", use(flow),
        use(before), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot purge failed callbacks", e);
  }
}

}  // namespace zhaoyin::http
