#pragma once
// Storage of login sessions (tables of migration 4): login's own columns.
// Status changes and the event log go through the engine's generic
// repository (flow/flow_repository.h) on the same tables: one conditional
// UPDATE plus its event row and held callback in one transaction, so a change
// happens at most once even with several hosts sharing the store.
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/flow/flow_repository.h>
#include <zhaoyin/login/login_service.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::login {

// When a transition applies, relative to the session's expiry.
using Deadline = flow::Deadline;

class LoginRepository {
 public:
  // public_url makes each session's qr_text (only the ticket is stored).
  explicit LoginRepository(const http::HostContext& ctx);

  // Inserts the session (status pending) and its first event.
  void insert(const LoginSession& session);

  std::optional<LoginSession> find(const std::string& id) const;
  std::optional<LoginSession> find_by_ticket(const std::string& ticket) const;

  // Moves the session to `to` if its status is one of `from` (and the deadline
  // condition holds at `at`), appending the event; false if it did not apply.
  // `subject` (JSON text) is stored with a confirmation.
  bool transition(const std::string& id, const std::vector<std::string>& from, const std::string& to, TimePoint at,
                  Deadline deadline, const std::optional<std::string>& subject = std::nullopt);

  // Stores the verified subject (JSON text) and the authentication time with
  // a confirmation, inside the change's transaction (FlowEngine::change).
  static flow::FlowRepository::AlsoInTransaction store_subject(const std::string& id, const std::string& subject,
                                                                TimePoint at);

  // Open sessions with a callback URL whose expiry has passed at `at` (for the sweeper).
  std::vector<std::string> overdue_with_callback(TimePoint at, std::size_t limit) const;

  void set_return_url(const std::string& id, const std::string& return_url);

  // Same-device flow: stores the return token's hash once (false if one is set already).
  bool set_return_token(const std::string& id, const std::string& token_hash);
  // Marks the return token redeemed; true for exactly one caller.
  bool redeem_return(const std::string& id, TimePoint at);

  // The callback delivery the last successful transition held in its own
  // transaction (http/callback_outbox.h), for LoginService::announce to send;
  // nullopt when the session has no callback URL.
  const std::optional<std::string>& held_callback() const { return flow_.held_callback(); }

  // Records that the expired session `id` was renewed into `successor`; false
  // if it was renewed already (or is not expired). One renewal per session.
  bool claim_renewal(const std::string& id, const std::string& successor);

 private:
  std::optional<LoginSession> find_where(const std::string& column, const std::string& value) const;
  store::Database& db_;
  std::string public_url_;
  flow::FlowRepository flow_;
};

}  // namespace zhaoyin::login
