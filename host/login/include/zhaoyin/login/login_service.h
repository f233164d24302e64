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

 private:
  std::shared_ptr<http::HostContext> ctx_;
};

}  // namespace zhaoyin::login
