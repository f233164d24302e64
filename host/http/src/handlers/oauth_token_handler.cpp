#include <zhaoyin/http/handlers/oauth_token_handler.h>

#include <algorithm>
#include <sstream>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/client_source.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/token_repository.h>

namespace zhaoyin::http {

namespace {

const ApiError::Headers kBasicChallenge = {{"WWW-Authenticate", "Basic realm=\"zhaoyin\""}};

ApiError invalid_client(const std::string& message) { return ApiError(401, "invalid_client", message, kBasicChallenge); }

std::optional<std::string> field(const FormFields& fields, const std::string& name) {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return std::nullopt;
}

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

  // Client authentication: HTTP Basic or form fields, never both.
  std::optional<BasicCredentials> basic;
  if (auto auth = ex.header("Authorization")) {
    basic = parse_basic_authorization(*auth);
    if (!basic) throw invalid_client("unsupported Authorization scheme; use HTTP Basic or client_id/client_secret");
  }
  const auto form_id = field(fields, "client_id");
  const auto form_secret = field(fields, "client_secret");
  std::string client_id;
  std::string client_secret;
  if (basic) {
    if (form_secret) throw ApiError::bad_request("use one client authentication method, not HTTP Basic and client_secret");
    if (form_id && *form_id != basic->client_id)
      throw ApiError::bad_request("client_id does not match the HTTP Basic credentials");
    client_id = basic->client_id;
    client_secret = basic->client_secret;
  } else if (form_id || form_secret) {
    if (!form_id || form_id->empty()) throw ApiError::bad_request("missing parameter client_id");
    if (!form_secret || form_secret->empty()) throw ApiError::bad_request("missing parameter client_secret");
    client_id = *form_id;
    client_secret = *form_secret;
  }

  const auto grant_type = field(fields, "grant_type");
  if (!grant_type || grant_type->empty()) throw ApiError::bad_request("missing parameter grant_type");
  if (*grant_type != "client_credentials")
    throw ApiError(400, "unsupported_grant_type", "grant_type must be client_credentials");
  if (client_id.empty() && client_secret.empty()) throw invalid_client("client authentication is required");

  // Guessing secrets is slowed per (source, client_id), per source and per
  // client_id (attempt_throttle.h); a throttled attempt is refused before the
  // secret is checked, and a clean source is never held back by others'
  // failures on the same client_id.
  const std::string source = client_source(ex, ctx_->settings.trusted_proxies);
  auto& guard = *ctx_->client_auth_guard;
  if (const auto verdict = guard.check(source, client_id); !verdict.allowed) {
    count_throttled(*ctx_->metrics, "oauth_token");
    throw ApiError(429, "too_many_attempts",
                   "too many failed client authentications from this address for this client: retry after " +
                       std::to_string(verdict.retry_after_seconds) + " s",
                   {{"Retry-After", std::to_string(verdict.retry_after_seconds)}});
  }
  store::ApplicationRepository apps(*ctx_->db);
  const auto app = apps.verify_secret(client_id, client_secret);
  if (!app) {
    guard.failed(source, client_id);
    ctx_->log->warn("oauth: client authentication failed",
                    {{"request_id", ex.request_id()}, {"client_id", client_id}, {"source", source}});
    throw invalid_client("unknown client or wrong client secret");
  }
  guard.succeeded(source, client_id);
  if (app->status == store::ApplicationStatus::Revoked) throw invalid_client("application " + client_id + " has been revoked");
  if (app->status == store::ApplicationStatus::Suspended)
    throw ApiError(403, "client_suspended", "application " + client_id + " is suspended");

  const std::string scope = grant_scope(*app, field(fields, "scope"));
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
