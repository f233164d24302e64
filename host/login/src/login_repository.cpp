#include "login_repository.h"

#include "login_flow.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <Poco/Nullable.h>
#include <Poco/Types.h>
#include <zhaoyin/protocol/wallet_messages.h>

namespace zhaoyin::login {

using namespace Poco::Data::Keywords;

namespace {

Poco::Int64 seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint from_seconds(Poco::Int64 s) { return TimePoint(std::chrono::seconds(s)); }

Poco::Nullable<std::string> nullable(const std::optional<std::string>& v) {
  return v ? Poco::Nullable<std::string>(*v) : Poco::Nullable<std::string>();
}

std::optional<std::string> optional_text(const Poco::Data::RecordSet& rs, std::size_t col) {
  if (rs.isNull(col, 0)) return std::nullopt;
  return rs.value(col, 0).convert<std::string>();
}

const char* const kColumns =
    "id, client_id, ticket, nonce, status, matter, correlation_id, channel, ttl_seconds, callback_url, return_url,"
    " created_at, expires_at, subject, authenticated_at, page_token_hash, renewals, renewed_to, same_device,"
    " return_token_hash, return_used_at";

[[noreturn]] void rethrow(const std::string& what, const Poco::Exception& e) {
  throw store::StoreError(what + ": " + e.displayText());
}

}  // namespace

LoginRepository::LoginRepository(const http::HostContext& ctx)
    : db_(*ctx.db), public_url_(ctx.settings.public_url), flow_(*ctx.db, login_flow()) {}

void LoginRepository::insert(const LoginSession& session) {
  std::string id = session.id, client = session.client_id, ticket = session.ticket, nonce = session.nonce;
  std::string status = session.status;
  auto matter = nullable(session.request.matter);
  auto correlation = nullable(session.request.correlation_id);
  auto channel = nullable(session.request.channel);
  auto callback = nullable(session.request.callback_url);
  auto ret = nullable(session.request.return_url);
  Poco::Int64 ttl = session.request.ttl.count();
  Poco::Int64 created = seconds(session.created_at), expires = seconds(session.expires_at);
  std::string page_token_hash = session.page_token_hash;
  int renewals = session.renewals;
  int same_device = session.request.same_device ? 1 : 0;
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    s << "INSERT INTO login_sessions (id, client_id, ticket, nonce, status, matter, correlation_id, channel,"
         " ttl_seconds, callback_url, return_url, created_at, expires_at, updated_at, page_token_hash, renewals,"
         " same_device) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        use(id), use(client), use(ticket), use(nonce), use(status), use(matter), use(correlation), use(channel),
        use(ttl), use(callback), use(ret), use(created), use(expires), use(created), use(page_token_hash),
        use(renewals), use(same_device), now;
    flow_.append_event(s, id, status, session.created_at);
    tx.commit();
  } catch (const Poco::Exception& e) {
    rethrow("cannot create login session", e);
  }
}

std::optional<LoginSession> LoginRepository::find(const std::string& id) const { return find_where("id", id); }

std::optional<LoginSession> LoginRepository::find_by_ticket(const std::string& ticket) const {
  return find_where("ticket", ticket);
}

std::optional<LoginSession> LoginRepository::find_where(const std::string& column, const std::string& value) const {
  try {
    auto s = db_.session();
    std::string v = value;
    Poco::Data::Statement select(s);
    select << "SELECT " << kColumns << " FROM login_sessions WHERE " << column << " = ?", use(v);
    select.execute();
    Poco::Data::RecordSet rs(select);
    if (rs.rowCount() == 0) return std::nullopt;
    LoginSession out;
    out.id = rs.value(0, 0).convert<std::string>();
    out.client_id = rs.value(1, 0).convert<std::string>();
    out.ticket = rs.value(2, 0).convert<std::string>();
    out.qr_text = public_url_ + std::string(protocol::kWalletRequestPath) + out.ticket;
    out.nonce = rs.value(3, 0).convert<std::string>();
    out.status = rs.value(4, 0).convert<std::string>();
    out.request.matter = optional_text(rs, 5);
    out.request.correlation_id = optional_text(rs, 6);
    out.request.channel = optional_text(rs, 7);
    out.request.ttl = std::chrono::seconds(rs.value(8, 0).convert<Poco::Int64>());
    out.request.callback_url = optional_text(rs, 9);
    out.request.return_url = optional_text(rs, 10);
    out.created_at = from_seconds(rs.value(11, 0).convert<Poco::Int64>());
    out.expires_at = from_seconds(rs.value(12, 0).convert<Poco::Int64>());
    if (auto subject = optional_text(rs, 13)) out.subject = nlohmann::json::parse(*subject);
    if (!rs.isNull(14, 0)) out.authenticated_at = from_seconds(rs.value(14, 0).convert<Poco::Int64>());
    out.page_token_hash = optional_text(rs, 15).value_or("");
    out.renewals = rs.value(16, 0).convert<int>();
    out.renewed_to = optional_text(rs, 17);
    out.request.same_device = rs.value(18, 0).convert<int>() != 0;
    out.return_token_hash = rs.value(19, 0).convert<std::string>();
    out.return_redeemed = rs.value(20, 0).convert<Poco::Int64>() != 0;

    out.events = flow_.events(s, out.id);
    return out;
  } catch (const Poco::Exception& e) {
    rethrow("cannot read login session", e);
  } catch (const nlohmann::json::exception& e) {
    throw store::StoreError(std::string("a stored login subject is not JSON: ") + e.what());
  }
}

bool LoginRepository::transition(const std::string& id, const std::vector<std::string>& from, const std::string& to,
                                 TimePoint at, Deadline deadline, const std::optional<std::string>& subject) {
  if (!subject) return flow_.transition(id, from, to, at, deadline);
  return flow_.transition(id, from, to, at, deadline, store_subject(id, *subject, at));
}

flow::FlowRepository::AlsoInTransaction LoginRepository::store_subject(const std::string& id, const std::string& subject,
                                                                       TimePoint at) {
  return [id, subject, at](Poco::Data::Session& s) {
    std::string sid = id, subject_text = subject;
    Poco::Int64 when = seconds(at);
    s << "UPDATE login_sessions SET subject = ?, authenticated_at = ? WHERE id = ?", use(subject_text), use(when),
        use(sid), now;
  };
}

std::vector<std::string> LoginRepository::overdue_with_callback(TimePoint at, std::size_t limit) const {
  return flow_.overdue_with_callback(at, limit);
}

bool LoginRepository::claim_renewal(const std::string& id, const std::string& successor) {
  try {
    auto s = db_.session();
    std::string sid = id, next = successor;
    Poco::Data::Statement update(s);
    update << "UPDATE login_sessions SET renewed_to = ? WHERE id = ? AND renewed_to IS NULL AND status = 'expired'",
        use(next), use(sid);
    return update.execute() == 1;
  } catch (const Poco::Exception& e) {
    rethrow("cannot renew login session", e);
  }
}

void LoginRepository::set_return_url(const std::string& id, const std::string& return_url) {
  try {
    auto s = db_.session();
    std::string sid = id, url = return_url;
    s << "UPDATE login_sessions SET return_url = ? WHERE id = ?", use(url), use(sid), now;
  } catch (const Poco::Exception& e) {
    rethrow("cannot update login session", e);
  }
}

bool LoginRepository::set_return_token(const std::string& id, const std::string& token_hash) {
  try {
    auto s = db_.session();
    std::string sid = id, hash = token_hash;
    Poco::Data::Statement update(s);
    update << "UPDATE login_sessions SET return_token_hash = ? WHERE id = ? AND return_token_hash = ''", use(hash),
        use(sid);
    return update.execute() == 1;
  } catch (const Poco::Exception& e) {
    rethrow("cannot store a return token", e);
  }
}

bool LoginRepository::redeem_return(const std::string& id, TimePoint at) {
  try {
    auto s = db_.session();
    std::string sid = id;
    Poco::Int64 when = std::max<Poco::Int64>(seconds(at), 1);
    Poco::Data::Statement update(s);
    update << "UPDATE login_sessions SET return_used_at = ? WHERE id = ? AND return_token_hash <> ''"
              " AND return_used_at = 0",
        use(when), use(sid);
    return update.execute() == 1;
  } catch (const Poco::Exception& e) {
    rethrow("cannot redeem a return token", e);
  }
}

}  // namespace zhaoyin::login
