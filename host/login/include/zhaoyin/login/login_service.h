#pragma once
// QR login sessions: /api/v1/login-sessions, the wallet's answer and the
// hosted page /login/{id}. The OpenID Connect provider drives the same
// sessions through this class.
//
// A flow on the engine (host/flow, docs/FLOWS.md); its states are declared in
// login_flow.cpp:
//
//   pending ──scan──▶ scanned ──approve──▶ confirmed
//      │                 └─────reject────▶ rejected
//      └──────── any non-final state ──▶ expired (at expires_at) | cancelled (DELETE)
//
// The engine stores every change with its time in the session's event log and
// publishes it on the event bus as topic "login:<id>". What is login's own:
// the answer's verification (login_answer.cpp), same-device return tokens,
// renewals and the hosted page's token.
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/flow/status_event.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/application_repository.h>

namespace zhaoyin::login {

// The name of login's http::CallbackDispatcher (and of its log lines: "login callback delivered").
inline constexpr const char* kCallbackFlow = "login";

using TimePoint = std::chrono::system_clock::time_point;

// login.max_renewals: how many times one login may be renewed on its hosted
// page (default 3). Process-wide, set once at start-up by the host.
void set_max_renewals(int renewals);
int max_renewals();

struct LoginSessionRequest {
  std::optional<std::string> matter;          // the matter the login is for; the holder's authorisation must cover it
  std::optional<std::string> correlation_id;  // the relying party's own reference, echoed back
  std::optional<std::string> channel;         // pc | app | wechat_mini | ...; must be one the application is approved for
  std::chrono::seconds ttl{120};              // 10..600
  std::optional<std::string> callback_url;    // state changes are POSTed here, signed
  // Where the hosted page goes once confirmed: a host-relative path (the OIDC
  // provider's /oidc/continue/..., the demo's result page) or one of the
  // application's registered redirect URIs, byte for byte (redirect/redirect_target.h).
  std::optional<std::string> return_url;
  // Same-device flow (docs/protocol/login.md): the holder is on the phone that
  // holds the license, on an app or mini-program channel. The relying party's
  // app opens the wallet with `wallet_link` instead of showing a QR code; once
  // the holder answers, the wallet sends them back to return_url (required:
  // one of the application's registered https redirect URIs) with a
  // single-use return token the relying party redeems.
  bool same_device = false;
};

// Channels on which the holder is on the phone itself (same-device flow allowed).
bool same_device_channel(const std::string& channel);

using LoginEvent = flow::StatusEvent;

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
  // The hosted page's credential for renewing this session: a random secret
  // handed to the session's creator only (in the page URL's fragment, which
  // browsers never send to a server). Stored as its SM3 hash; `page_token` is
  // set only on the value create() and renew() return.
  std::string page_token_hash;
  std::string page_token;
  int renewals = 0;                         // how many renewals led to this session
  std::optional<std::string> renewed_to;    // expired and renewed: the session that replaced it
  // Same-device sessions: the SM3 hash of the return token handed to the
  // wallet with its answer (empty until then), and whether it was redeemed.
  std::string return_token_hash;
  bool return_redeemed = false;

  // A state with no way out in the login flow's definition (login_flow.cpp):
  // confirmed, rejected, expired, cancelled.
  bool final() const;
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

  // Same-device flow: POST /api/v1/login-sessions/{id}/return. The relying
  // party hands back the token its app received from the wallet; exactly one
  // redemption succeeds (403 invalid_return_token, 409 return_token_used,
  // 409 not_same_device, 409 not_answered). Returns the session.
  LoginSession redeem_return(const LoginSession& session, const std::string& return_token);

  // The relying-party view: GET /api/v1/login-sessions/{id}, callbacks and SSE data.
  nlohmann::json to_json(const LoginSession& session) const;
  // The callback's body: {"event": "login_session.status", "session": to_json(session)}.
  std::string callback_body(const LoginSession& session) const;

  // Sets where the hosted page goes once confirmed (host-relative path; the demo uses it).
  void set_return_url(const std::string& id, const std::string& return_url);

  // True when `token` is this session's page token (constant-time compare of the hashes).
  bool page_token_matches(const LoginSession& session, const std::string& token) const;

  // Refuses a renewal by `app` before anything is counted: 409 not_expired,
  // 409 already_renewed, 403 renewal_limit_reached (login.max_renewals), 403
  // not_session_owner, and create()'s refusals of the same request (the
  // application may have lost the login need, the matter, the return_url).
  void check_renewable(const LoginSession& session, const store::Application& app) const;

  // A fresh session with the same request as an expired one, for `app` (the
  // session's own application; the caller has authenticated the renewal and
  // admitted it against the application's rate and volume). Each expired
  // session is renewed at most once and a chain at most login.max_renewals
  // times; refusals as check_renewable(), plus create()'s.
  LoginSession renew(const LoginSession& expired, const store::Application& app);

  // The latest session of a renewal chain starting at `id` (itself when never renewed).
  std::optional<LoginSession> find_latest(const std::string& id) const;

  // <public_url>/login/<id>, with "#page_token=<token>" when the session carries its token.
  std::string page_url(const LoginSession& session) const;

  // The flow's metric families: registered with the routes (so /metrics lists
  // them from the start), updated on each change.
  static http::Counter& changes_metric(http::HostContext& ctx);
  static http::Histogram& duration_metric(http::HostContext& ctx);

 private:
  // Tells the event bus, and sends the callback `held` (the delivery the
  // state change held in its transaction, LoginRepository::held_callback).
  void announce(const LoginSession& session, const std::optional<std::string>& held = std::nullopt) const;

  LoginSession insert_new(const store::Application& app, const LoginSessionRequest& request, std::string id, int renewals);
  std::shared_ptr<http::HostContext> ctx_;
};

}  // namespace zhaoyin::login
