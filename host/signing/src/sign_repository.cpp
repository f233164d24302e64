#include "sign_repository.h"

#include "long_term.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <Poco/Types.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>

#include "sign_flow.h"
#include "sign_service.h"

namespace zhaoyin::signing {

using namespace Poco::Data::Keywords;

namespace {

Poco::Int64 seconds(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }
TimePoint from_seconds(Poco::Int64 s) { return TimePoint(std::chrono::seconds(s)); }

[[noreturn]] void rethrow(const std::string& what, const Poco::Exception& e) {
  throw store::StoreError(what + ": " + e.displayText());
}

Poco::Data::BLOB to_blob(const Bytes& b) {
  return Poco::Data::BLOB(reinterpret_cast<const unsigned char*>(b.data()), b.size());
}

std::string signatures_text(const std::vector<SignatureMade>& list) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& s : list) a.push_back(s.to_json());
  return a.dump();
}

const char* const kColumns =
    "id, client_id, ticket, nonce, status, version, request, created_at, expires_at, signatures, preparation";

}  // namespace

SignRepository::SignRepository(const http::HostContext& ctx)
    : db_(*ctx.db), public_url_(ctx.settings.public_url), flow_(*ctx.db, sign_flow()) {}

void SignRepository::insert(const SignTask& task, const Bytes& original) {
  std::string id = task.id, client = task.client_id, ticket = task.ticket, nonce = task.nonce, status = task.status;
  std::string request = task.request.to_json().dump();
  Poco::Nullable<std::string> callback =
      task.request.callback_url ? Poco::Nullable<std::string>(*task.request.callback_url) : Poco::Nullable<std::string>();
  Poco::Int64 created = seconds(task.created_at), expires = seconds(task.expires_at);
  Poco::Data::BLOB doc = to_blob(original);
  std::string signatures = "[]";
  Poco::Nullable<std::string> signer =
      task.request.signer_serial ? Poco::Nullable<std::string>(*task.request.signer_serial) : Poco::Nullable<std::string>();
  int version = task.version;
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    s << "INSERT INTO sign_tasks (id, client_id, ticket, nonce, status, version, request, callback_url, created_at,"
         " expires_at, updated_at, original, signatures, signer_serial) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        use(id), use(client), use(ticket), use(nonce), use(status), use(version), use(request), use(callback),
        use(created), use(expires), use(created), use(doc), use(signatures), use(signer), now;
    flow_.append_event(s, id, status, task.created_at);
    tx.commit();
  } catch (const Poco::Exception& e) {
    rethrow("cannot create sign task", e);
  }
}

std::optional<SignTask> SignRepository::find(const std::string& id) const { return find_where("id", id); }
std::optional<SignTask> SignRepository::find_by_ticket(const std::string& ticket) const {
  return find_where("ticket", ticket);
}

std::optional<SignTask> SignRepository::find_where(const std::string& column, const std::string& value) const {
  try {
    auto s = db_.session();
    std::string v = value;
    Poco::Data::Statement select(s);
    select << "SELECT " << kColumns << " FROM sign_tasks WHERE " << column << " = ?", use(v);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    SignTask t;
    t.id = rs.value(0, 0).convert<std::string>();
    t.client_id = rs.value(1, 0).convert<std::string>();
    t.ticket = rs.value(2, 0).convert<std::string>();
    t.qr_text = public_url_ + std::string(protocol::kWalletRequestPath) + t.ticket;
    t.nonce = rs.value(3, 0).convert<std::string>();
    t.status = rs.value(4, 0).convert<std::string>();
    t.version = rs.value(5, 0).convert<int>();
    t.request = SignTaskRequest::from_json(nlohmann::json::parse(rs.value(6, 0).convert<std::string>()));
    t.created_at = from_seconds(rs.value(7, 0).convert<Poco::Int64>());
    t.expires_at = from_seconds(rs.value(8, 0).convert<Poco::Int64>());
    for (const auto& j : nlohmann::json::parse(rs.value(9, 0).convert<std::string>()))
      t.signatures.push_back(SignatureMade::from_json(j));
    if (!rs.isNull(10, 0)) {
      const auto text = rs.value(10, 0).convert<std::string>();
      if (!text.empty()) t.preparation = Preparation::from_json(nlohmann::json::parse(text));
    }
    t.events = flow_.events(s, t.id);
    return t;
  } catch (const Poco::Exception& e) {
    rethrow("cannot read sign task", e);
  } catch (const nlohmann::json::exception& e) {
    throw store::StoreError(std::string("a stored sign task is not readable: ") + e.what());
  }
}

std::optional<Bytes> SignRepository::blob(const std::string& column, const std::string& id) const {
  try {
    auto s = db_.session();
    std::string sid = id;
    Poco::Nullable<Poco::Data::BLOB> value;
    s << "SELECT " << column << " FROM sign_tasks WHERE id = ?", into(value), use(sid), now;
    if (value.isNull()) return std::nullopt;
    const auto& raw = value.value().content();
    return Bytes(raw.begin(), raw.end());
  } catch (const Poco::Exception& e) {
    rethrow("cannot read sign task document", e);
  }
}

Bytes SignRepository::original(const std::string& id) const { return blob("original", id).value_or(Bytes{}); }
std::optional<Bytes> SignRepository::current_document(const std::string& id) const { return blob("current_document", id); }
std::optional<Bytes> SignRepository::prepared_document(const std::string& id) const { return blob("prepared_document", id); }

bool SignRepository::transition(const std::string& id, const std::vector<std::string>& from, const std::string& to,
                                TimePoint at, Deadline deadline) {
  return flow_.transition(id, from, to, at, deadline);
}

bool SignRepository::save_preparation(const std::string& id, int version, const Preparation& prep,
                                      const std::optional<Bytes>& prepared, TimePoint at) {
  try {
    auto s = db_.session();
    std::string sid = id, text = prep.to_json().dump();
    int v = version;
    Poco::Int64 when = seconds(at);
    Poco::Nullable<Poco::Data::BLOB> doc = prepared ? Poco::Nullable<Poco::Data::BLOB>(to_blob(*prepared)) : Poco::Nullable<Poco::Data::BLOB>();
    Poco::Data::Statement update(s);
    update << "UPDATE sign_tasks SET preparation = ?, prepared_document = ?, version = version + 1, updated_at = ?"
              " WHERE id = ? AND version = ? AND status IN ('pending', 'scanned', 'partially_signed') AND expires_at > ?",
        use(text), use(doc), use(when), use(sid), use(v), use(when);
    return update.execute() == 1;
  } catch (const Poco::Exception& e) {
    rethrow("cannot store the signing preparation", e);
  }
}

bool SignRepository::record_signature(const SignTask& task, const std::string& new_status, const Bytes& current,
                                      const SealUsage& u, TimePoint at, const SignatureEvidenceRecord* evidence,
                                      bool party_completed) {
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    std::string sid = task.id, status = new_status, signatures = signatures_text(task.signatures);
    int v = task.version;
    Poco::Int64 when = seconds(at);
    Poco::Data::BLOB doc = to_blob(current);
    Poco::Data::Statement update(s);
    update << "UPDATE sign_tasks SET status = ?, signatures = ?, current_document = ?, preparation = NULL,"
              " prepared_document = NULL, version = version + 1, updated_at = ?"
              " WHERE id = ? AND version = ? AND status IN ('pending', 'scanned', 'partially_signed') AND expires_at > ?",
        use(status), use(signatures), use(doc), use(when), use(sid), use(v), use(when);
    if (update.execute() == 0) {
      tx.rollback();
      return false;
    }
    // A status change (not a further seal of a partially signed task) is an
    // event of the flow, with its held callback, in this transaction.
    // A party that completes its part of a multi-party document is an event
    // too (partially_signed again, with its callback), so the relying party
    // hears of each party.
    if (new_status != task.status || party_completed) flow_.record_change(s, task.id, new_status, at);
    SealUsage r = u;
    Poco::Int64 signed_at = seconds(r.signed_at);
    if (!r.es_id.empty())  // a license signature uses no seal
      s << "INSERT INTO seal_usage (es_id, seal_type, uscc, holder_serial, holder_name, client_id, task_id, document_name,"
           " document_sm3, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          use(r.es_id), use(r.seal_type), use(r.uscc), use(r.holder_serial), use(r.holder_name), use(r.client_id),
          use(r.task_id), use(r.document_name), use(r.document_sm3), use(signed_at), now;
    if (evidence && evidence->evidence) save_evidence(s, task.id, evidence->signature_value, *evidence->evidence);
    tx.commit();
    return true;
  } catch (const Poco::Exception& e) {
    rethrow("cannot record the signature", e);
  }
}

std::vector<SealUsage> SignRepository::usage(const std::string& es_id, const std::string& client_id) const {
  try {
    auto s = db_.session();
    std::string e = es_id, c = client_id;
    Poco::Data::Statement select(s);
    select << "SELECT es_id, seal_type, uscc, holder_serial, holder_name, client_id, task_id, document_name, document_sm3,"
              " signed_at FROM seal_usage WHERE es_id = ? AND client_id = ? ORDER BY signed_at, id",
        use(e), use(c);
    select.execute();
    Poco::Data::RecordSet rs(select);
    std::vector<SealUsage> out;
    for (std::size_t row = 0; row < rs.rowCount(); ++row) {
      SealUsage u;
      u.es_id = rs.value(0, row).convert<std::string>();
      u.seal_type = rs.value(1, row).convert<std::string>();
      u.uscc = rs.value(2, row).convert<std::string>();
      u.holder_serial = rs.value(3, row).convert<std::string>();
      u.holder_name = rs.value(4, row).convert<std::string>();
      u.client_id = rs.value(5, row).convert<std::string>();
      u.task_id = rs.value(6, row).convert<std::string>();
      u.document_name = rs.value(7, row).convert<std::string>();
      u.document_sm3 = rs.value(8, row).convert<std::string>();
      u.signed_at = from_seconds(rs.value(9, row).convert<Poco::Int64>());
      out.push_back(std::move(u));
    }
    return out;
  } catch (const Poco::Exception& e) {
    rethrow("cannot read seal usage", e);
  }
}

std::vector<std::string> SignRepository::open_for_holder(const std::string& license_serial, TimePoint at,
                                                          std::size_t limit) const {
  try {
    auto s = db_.session();
    std::string serial = license_serial;
    Poco::Int64 when = seconds(at);
    Poco::Int64 max = static_cast<Poco::Int64>(limit);
    std::vector<std::string> ids;
    s << "SELECT id FROM sign_tasks WHERE signer_serial = ? AND status IN ('pending', 'scanned', 'partially_signed')"
         " AND expires_at > ? ORDER BY created_at, id LIMIT ?",
        into(ids), use(serial), use(when), use(max), now;
    return ids;
  } catch (const Poco::Exception& e) {
    rethrow("cannot list a holder's sign tasks", e);
  }
}

std::vector<std::string> SignRepository::overdue_with_callback(TimePoint at, std::size_t limit) const {
  return flow_.overdue_with_callback(at, limit);
}

}  // namespace zhaoyin::signing
