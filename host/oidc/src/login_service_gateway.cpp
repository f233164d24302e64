// The provider's logins are the login feature's QR sessions.
#include <zhaoyin/login/login_service.h>
#include <zhaoyin/oidc/login_gateway.h>

namespace zhaoyin::oidc {

namespace {

class LoginServiceGateway final : public LoginGateway {
 public:
  explicit LoginServiceGateway(std::shared_ptr<http::HostContext> ctx) : service_(std::move(ctx)) {}

  LoginStarted start(const store::Application& app, const LoginStart& request) override {
    login::LoginSessionRequest r;
    r.matter = request.matter;
    r.ttl = request.ttl;
    r.return_url = request.return_url;
    const auto s = service_.create(app, r);
    return LoginStarted{s.id, s.page_token};
  }

  // The renewed session carries the same return_url (/oidc/continue/<id>), so
  // the authorization follows the chain to the session the holder scanned.
  std::optional<LoginState> find(const std::string& session_id) const override {
    const auto session = service_.find_latest(session_id);
    if (!session) return std::nullopt;
    return LoginState{session->status, session->subject, session->authenticated_at, session->id};
  }

 private:
  login::LoginService service_;
};

}  // namespace

std::shared_ptr<LoginGateway> login_service_gateway(std::shared_ptr<http::HostContext> ctx) {
  return std::make_shared<LoginServiceGateway>(std::move(ctx));
}

}  // namespace zhaoyin::oidc
