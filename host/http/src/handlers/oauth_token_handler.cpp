#include <zhaoyin/http/handlers/oauth_token_handler.h>

#include <algorithm>
#include <sstream>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/client_authentication.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/token_repository.h>

namespace zhaoyin::http {

namespace {

// The granted scope: the requested values (each one of the application's
// needs), or all of its needs when none are requested; space-separated.
std::string grant_scope(const store::Application& app, const std::optional<std::string>& requested) {
  std::vector<std::string> granted;
  if (!requested) {
    granted = app.needs;
  } else {
    std::istringstream in(*requested);
    std::string value;
    while (in >> value) {
      if (std::find(app.needs.begin(), app.needs.end(), value) == app.needs.end())
        throw ApiError(400, "invalid_scope", "application " + app.client_id + " is not approved for '" + value + "'");
      if (std::find(granted.begin(), granted.end(), value) == granted.end()) granted.push_back(value);
    }
    if (granted.empty()) throw ApiError(400, "invalid_scope", "the requested scope is empty");
  }
  std::string out;
  for (const auto& g : granted) out += (out.empty() ? "" : " ") + g;
  return out;
}

}  // namespace

OAuthTokenHandler::OAuthTokenHandler(std::shared_ptr<HostContext> ctx) : ctx_(std::move(ctx)) {}

void OAuthTokenHandler::handle(Exchange& ex) {
  const FormFields fields = ex.form_body();
  const ClientCredentials credentials = read_client_credentials(ex, fields);
  const auto grant_type = form_field(fields, "grant_type");
  if (!grant_type || grant_type->empty()) throw ApiError::bad_request("missing parameter grant_type");
  if (*grant_type != "client_credentials")
    throw ApiError(400, "unsupported_grant_type", "grant_type must be client_credentials");
  const store::Application app = authenticate_client(ex, *ctx_, credentials, "oauth_token");
  const std::string client_id = app.client_id;

  const std::string scope = grant_scope(app, form_field(fields, "scope"));
  store::TokenRepository tokens(*ctx_->db);
  const auto issued = tokens.issue(client_id, scope, ctx_->settings.token_ttl);
  ctx_->metrics->counter("zhaoyin_oauth_tokens_issued_total", "OAuth access tokens issued.").inc();

  ex.response().set("Cache-Control", "no-store");
  ex.response().set("Pragma", "no-cache");
  ex.send_json(200, {{"access_token", issued.token},
                     {"token_type", "Bearer"},
                     {"expires_in", ctx_->settings.token_ttl.count()},
                     {"scope", scope}});
}

}  // namespace zhaoyin::http
