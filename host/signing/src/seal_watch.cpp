#include "seal_watch.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Data/Transaction.h>
#include <Poco/Exception.h>
#include <zhaoyin/http/callback_outbox.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::signing {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

constexpr std::size_t kFeedPage = 100;
constexpr int kPagesPerPoll = 10;  // a long backlog is worked off over several sweeps

std::int64_t seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

[[noreturn]] void rethrow(const std::string& what, const Poco::Exception& e) {
  throw store::StoreError(what + ": " + e.displayText());
}

std::vector<SealWatch> read_watches(Poco::Data::Statement& select) {
  select.execute();
  Poco::Data::RecordSet rs(select);
  std::vector<SealWatch> out;
  for (std::size_t row = 0; row < rs.rowCount(); ++row) {
    SealWatch w;
    w.client_id = rs.value(0, row).convert<std::string>();
    w.es_id = rs.value(1, row).convert<std::string>();
    w.uscc = rs.value(2, row).convert<std::string>();
    w.callback_url = rs.value(3, row).convert<std::string>();
    w.login_session = rs.value(4, row).convert<std::string>();
    w.created_at = std::chrono::system_clock::time_point(std::chrono::seconds(rs.value(5, row).convert<Poco::Int64>()));
    out.push_back(std::move(w));
  }
  return out;
}

constexpr const char* kWatchColumns = "client_id, es_id, uscc, callback_url, login_session, created_at";

}  // namespace

nlohmann::json to_json(const SealWatch& w) {
  return {{"es_id", w.es_id},
          {"uscc", w.uscc},
          {"callback_url", w.callback_url},
          {"login_session", w.login_session},
          {"created_at", protocol::rfc3339(w.created_at)}};
}

void SealWatchRepository::put(const SealWatch& w) {
  try {
    auto s = db_.session();
    Poco::Data::Transaction tx(s);
    db_.lock_for_write(s);
    std::string client = w.client_id, es = w.es_id, uscc = w.uscc, url = w.callback_url, login = w.login_session;
    Poco::Int64 created = seconds(w.created_at);
    s << "DELETE FROM seal_watches WHERE client_id = ? AND es_id = ?", use(client), use(es), now;
    s << "INSERT INTO seal_watches (client_id, es_id, uscc, callback_url, login_session, created_at)"
         " VALUES (?, ?, ?, ?, ?, ?)",
        use(client), use(es), use(uscc), use(url), use(login), use(created), now;
    tx.commit();
  } catch (const Poco::Exception& e) {
    rethrow("cannot store a seal watch", e);
  }
}

bool SealWatchRepository::remove(const std::string& client_id, const std::string& es_id) {
  try {
    auto s = db_.session();
    std::string client = client_id, es = es_id;
    Poco::Data::Statement del(s);
    del << "DELETE FROM seal_watches WHERE client_id = ? AND es_id = ?", use(client), use(es);
    return del.execute() > 0;
  } catch (const Poco::Exception& e) {
    rethrow("cannot remove a seal watch", e);
  }
}

std::optional<SealWatch> SealWatchRepository::find(const std::string& client_id, const std::string& es_id) const {
  try {
    auto s = db_.session();
    std::string client = client_id, es = es_id;
    Poco::Data::Statement select(s);
    select << "SELECT " << kWatchColumns << " FROM seal_watches WHERE client_id = ? AND es_id = ?", use(client), use(es);
    auto rows = read_watches(select);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  } catch (const Poco::Exception& e) {
    rethrow("cannot read a seal watch", e);
  }
}

std::vector<SealWatch> SealWatchRepository::of_client(const std::string& client_id, std::size_t limit) const {
  try {
    auto s = db_.session();
    std::string client = client_id;
    Poco::Int64 max = static_cast<Poco::Int64>(limit);
    Poco::Data::Statement select(s);
    select << "SELECT " << kWatchColumns << " FROM seal_watches WHERE client_id = ? ORDER BY created_at, es_id LIMIT ?",
        use(client), use(max);
    return read_watches(select);
  } catch (const Poco::Exception& e) {
    rethrow("cannot list seal watches", e);
  }
}

std::string seal_change_body(const authority::SealChange& change, const SealWatch& watch) {
  nlohmann::json body = {{"event", "seal.changed"},
                         {"change", change.event},
                         {"es_id", change.es_id},
                         {"uscc", change.uscc},
                         {"replaced_by", change.event == "replaced" && !change.related.empty()
                                             ? nlohmann::json(change.related)
                                             : nlohmann::json(nullptr)},
                         {"changed_at", change.at},
                         {"seq", change.seq},
                         {"watch", {{"login_session", watch.login_session}, {"since", protocol::rfc3339(watch.created_at)}}}};
  return body.dump();
}

std::size_t SealFeedPoller::poll_now() {
  if (!ctx_->authority) return 0;
  std::size_t queued = 0;
  for (int page_no = 0; page_no < kPagesPerPoll; ++page_no) {
    auto s = ctx_->db->session();
    Poco::Int64 cursor = 0;
    s << "SELECT next_seq FROM seal_feed_cursor WHERE id = 1", into(cursor), now;
    const auto page = ctx_->authority->seal_changes(cursor, kFeedPage);  // AuthorityUnavailable: the sweep logs it
    if (!page || page->next <= cursor) return queued;
    std::size_t in_page = 0;
    try {
      Poco::Data::Transaction tx(s);
      ctx_->db->lock_for_write(s);
      Poco::Int64 next = page->next, from = cursor, at = seconds(std::chrono::system_clock::now());
      Poco::Data::Statement advance(s);
      advance << "UPDATE seal_feed_cursor SET next_seq = ?, updated_at = ? WHERE id = 1 AND next_seq = ?", use(next),
          use(at), use(from);
      if (advance.execute() != 1) return queued;  // another host queued this page; the transaction rolls back
      for (const auto& change : page->changes) {
        if (change.event != "replaced" && change.event != "revoked") continue;
        std::string es = change.es_id;
        Poco::Data::Statement select(s);
        select << "SELECT " << kWatchColumns << " FROM seal_watches WHERE es_id = ?", use(es);
        const auto changed_at = protocol::parse_wallet_time(change.at);
        for (const auto& w : read_watches(select)) {
          // A watch reports what happens after it began.
          if (changed_at && *changed_at < w.created_at) continue;
          if (w.uscc != change.uscc) continue;  // a code reused by another enterprise is another seal
          http::queue_callback(s, kSealChangeFlow, w.client_id, w.callback_url, seal_change_body(change, w));
          ++in_page;
        }
      }
      tx.commit();
    } catch (const Poco::Exception& e) {
      rethrow("cannot queue seal-change callbacks", e);
    }
    queued += in_page;
    if (in_page)
      ctx_->log->info("seal-change callbacks queued", {{"from_seq", cursor}, {"to_seq", page->next}, {"callbacks", in_page}});
    if (!page->more) return queued;
  }
  return queued;
}

void SealFeedPoller::poll_when_due() {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_) return;
  next_ = now + ctx_->settings.seal_feed_interval;
  poll_now();
}

}  // namespace zhaoyin::signing
