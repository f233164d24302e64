// GET|POST /oidc/userinfo (OpenID Connect Core §5.3): the claims behind an
// access token from /oidc/token. Bearer tokens only in the Authorization
// header; failures are 401 with WWW-Authenticate: Bearer error="invalid_token"
// (RFC 6750 §3) and the OAuth error body.
#include <Poco/String.h>
#include <zhaoyin/oidc/oidc_repository.h>
#include <zhaoyin/store/application_repository.h>
#include "handlers.h"

namespace zhaoyin::oidc {

namespace {

OAuthError invalid_token(const std::string& description) {
  return OAuthError(401, "invalid_token", description,
                    {{"WWW-Authenticate", "Bearer realm=\"zhaoyin\", error=\"invalid_token\", error_description=\"" +
                                              description + "\""}});
}

}  // namespace

void UserinfoHandler::handle(http::Exchange& ex) {
  with_oauth_errors(ex, [&] {
    const auto header = ex.header("Authorization");
    if (!header)
      throw OAuthError(401, "invalid_token", "an access token is required (Authorization: Bearer ...)",
                       {{"WWW-Authenticate", "Bearer realm=\"zhaoyin\""}});
    const std::string value = Poco::trim(*header);
    const auto space = value.find(' ');
    if (space == std::string::npos || Poco::icompare(value.substr(0, space), "bearer") != 0)
      throw invalid_token("the Authorization header is not a Bearer token");
    const std::string token = Poco::trim(value.substr(space + 1));

    OidcRepository repo(*p_->host->db);
    const auto grant = repo.find_access_token(token);
    if (!grant) throw invalid_token("the access token is invalid, revoked or expired");
    store::ApplicationRepository apps(*p_->host->db);
    const auto app = apps.find(grant->client_id);
    if (!app || app->status != store::ApplicationStatus::Active)
      throw invalid_token("the access token's application is no longer active");

    ex.response().set("Cache-Control", "no-store");
    ex.send_json(200, grant->claims);
  });
}

}  // namespace zhaoyin::oidc
