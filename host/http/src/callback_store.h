#pragma once
// The callbacks waiting to be delivered, kept in the store (table
// callback_deliveries, migration 13) so that a restart, a crash or another
// host of the cluster carries on where this one stopped.
//
// A row is claimed for one attempt with a lease (lease_until): hosts sharing
// one PostgreSQL store never deliver the same row at once, and a row whose
// host died mid-delivery is taken up again once its lease has run out.
// Delivered rows are deleted; rows given up stay with status 'failed' and
// their last error for the operator, and are purged after a week.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/store/database.h>

namespace zhaoyin::http {

struct PendingDelivery {
  std::string id, client_id, url, body;
  std::string subject_id;  // the session or task of a held delivery (callback_outbox.h), else empty
  std::string trace_parent;  // the queuing request's span (trace_context.h), else empty
  int attempts = 0;        // attempts made before this one
};

class CallbackStore {
 public:
  CallbackStore(store::Database& db, std::string flow) : db_(db), flow_(std::move(flow)) {}

  static std::int64_t now_ms();

  // A new delivery, due now. Returns its id.
  std::string add(const std::string& client_id, const std::string& url, const std::string& body);
  // The applications of this flow with a delivery due at `at_ms` that nobody holds.
  std::vector<std::string> clients_due(std::int64_t at_ms);
  // Claims the application's oldest due delivery until `lease_until_ms`, or
  // nullopt when there is none (or another host claimed it first).
  std::optional<PendingDelivery> claim_next(const std::string& client_id, std::int64_t at_ms, std::int64_t lease_until_ms);
  void delivered(const std::string& id);
  void retry_later(const std::string& id, int attempts, std::int64_t due_ms, const std::string& error);
  void give_up(const std::string& id, int attempts, const std::string& error);
  // A held delivery (callback_outbox.h) gets its body and is due at once;
  // false when a dispatcher has already claimed it (and renders it itself).
  bool fill_held(const std::string& id, const std::string& body);
  // The body a dispatcher rendered for a held delivery, kept for its retries.
  void set_body(const std::string& id, const std::string& body);
  void release(const std::string& id);  // claimed but not attempted: due again at once
  void purge_failed(std::int64_t older_than_ms);

 private:
  store::Database& db_;
  std::string flow_;
};

}  // namespace zhaoyin::http
