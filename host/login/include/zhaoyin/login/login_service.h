#pragma once
// QR login sessions: the state machine behind /api/v1/login-sessions, the
// wallet's answer and the hosted page /login/{id}. The OpenID Connect provider
// drives the same sessions through this class.
//
//   pending ──scan──▶ scanned ──approve──▶ confirmed
//      │                 └─────reject────▶ rejected
//      └──────── any non-final state ──▶ expired (at expires_at) | cancelled (DELETE)
//
// Every change is stored with its time in the session's event log and
// published on the event bus as topic "login:<id>".
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/application_repository.h>

namespace zhaoyin::login {

// The name of login's http::CallbackDispatcher (and of its log lines: "login callback delivered").
inline constexpr const char* kCallbackFlow = "login";

using TimePoint = std::chrono::system_clock::time_point;

struct LoginSessionRequest {
  std::optional<std::string> matter;          // the matter the login is for; the holder's authorisation must cover it
  std::optional<std::string> correlation_id;  // the relying party's own reference, echoed back
  std::optional<std::string> channel;         // pc | app | wechat_mini | ...; must be one the application is approved for
  std::chrono::seconds ttl{120};              // 10..600
  std::optional<std::string> callback_url;    // state changes are POSTed here, signed
  std::optional<std::string> return_url;      // host-relative path the hosted page goes to once confirmed (OIDC)
};

struct LoginEvent {
  std::string status;
  TimePoint at{};
};

struct LoginSession {
  std::string id;
  std::string client_id;
  std::string status;                // pending | scanned | confirmed | rejected | expired | cancelled
  std::string ticket;                // the wallet's handle (in the QR text only)
  std::string qr_text;               // <public_url>/wallet/v1/requests/<ticket>
  std::string nonce;                 // the wallet's answer must carry it back (never shown to the relying party)
  LoginSessionRequest request;
  TimePoint created_at{};
  TimePoint expires_at{};
  std::vector<LoginEvent> events;
  nlohmann::json subject;            // confirmed only: verification::VerifiedSubject::to_json()
  std::optional<TimePoint> authenticated_at;

  bool final() const { return status == "confirmed" || status == "rejected" || status == "expired" || status == "cancelled"; }
};

class LoginService {
 public:
  explicit LoginService(std::shared_ptr<http::HostContext> ctx);

  // Throws http::ApiError (400 invalid_request, 403 channel_not_approved / matter_not_approved, ...).
  LoginSession create(const store::Application& app, const LoginSessionRequest& request);

  // The session with its current status (an overdue one is reported, and
  // stored, as expired); nullopt if unknown.
  std::optional<LoginSession> find(const std::string& id) const;

  // For the owning application only: nullopt for another application's session.
  std::optional<LoginSession> find_for(const std::string& client_id, const std::string& id) const;

  // ---- extensions used by the routes, the hosted page and the wallet endpoints ----

  // The session a wallet ticket names (overdue → expired, as find()).
  std::optional<LoginSession> find_by_ticket(const std::string& ticket) const;

  // Waits until the status differs from `last` (returns at once if it already
  // does), the deadline passes, the session expires or the host stops; returns
  // the session as it then is (nullopt if unknown).
  std::optional<LoginSession> wait_for_change(const std::string& id, const std::string& last,
                                              std::chrono::steady_clock::time_point deadline) const;

  // DELETE: any non-final state → cancelled. 409 already_final otherwise.
  LoginSession cancel(const LoginSession& session);

  // The first wallet fetch: pending → scanned (no change in any other state).
  LoginSession mark_scanned(const LoginSession& session);

  // The wallet's answer (docs/protocol/login.md). Verifies it and records
  // confirmed (with the verified subject) or rejected, at most once; throws
  // http::ApiError with the refusal's status and code. Returns the reply body.
  nlohmann::json answer(const std::string& ticket, const nlohmann::json& body);

  // The request the wallet is shown (unsigned; the route signs it with the host identity).
  nlohmann::json wallet_request(const LoginSession& session) const;

  // The relying-party view: GET /api/v1/login-sessions/{id}, callbacks and SSE data.
  nlohmann::json to_json(const LoginSession& session) const;

  // Sets where the hosted page goes once confirmed (host-relative path; the demo uses it).
  void set_return_url(const std::string& id, const std::string& return_url);

  // A fresh session with the same request as an expired one (the hosted page's
  // "new QR" button). 409 not_expired unless the session has expired.
  LoginSession renew(const LoginSession& expired);

 private:
  void announce(const LoginSession& session) const;  // event bus + callback
  std::shared_ptr<http::HostContext> ctx_;
};

}  // namespace zhaoyin::login
