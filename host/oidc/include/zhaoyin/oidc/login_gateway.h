#pragma once
// How the provider drives a QR login: start one for an application (with the
// page to go to once confirmed) and read its state. The host's gateway is the
// login feature's LoginService; tests may put a scripted one in its place.
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/application_repository.h>

namespace zhaoyin::oidc {

struct LoginStart {
  std::optional<std::string> matter;  // the matter the holder's authorisation must cover
  std::chrono::seconds ttl{120};      // how long the QR code stays scannable
  std::string return_url;             // host-relative path the hosted page goes to once confirmed
};

struct LoginStarted {
  std::string id;          // the session's id: its hosted page is /login/<id>
  std::string page_token;  // handed to the hosted page in the URL's fragment (renewal credential); may be empty
};

struct LoginState {
  std::string status;     // pending | scanned | confirmed | rejected | expired | cancelled
  nlohmann::json subject; // confirmed only: verification::VerifiedSubject::to_json()
  std::optional<std::chrono::system_clock::time_point> authenticated_at;
  std::string session_id;  // the session read (the latest of a renewal chain); empty: the one asked for
};

class LoginGateway {
 public:
  virtual ~LoginGateway() = default;
  // The new session; throws http::ApiError when the login cannot start (e.g.
  // 403 matter_not_approved).
  virtual LoginStarted start(const store::Application& app, const LoginStart& request) = 0;
  // nullopt for an unknown session. A session renewed on its hosted page
  // ("new QR code") is read as the session that replaced it.
  virtual std::optional<LoginState> find(const std::string& session_id) const = 0;
};

// The gateway over login::LoginService.
std::shared_ptr<LoginGateway> login_service_gateway(std::shared_ptr<http::HostContext> ctx);

}  // namespace zhaoyin::oidc
