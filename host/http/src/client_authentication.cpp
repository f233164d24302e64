#include <zhaoyin/http/client_authentication.h>

#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/attempt_throttle.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/client_source.h>

namespace zhaoyin::http {

namespace {

const ApiError::Headers kBasicChallenge = {{"WWW-Authenticate", "Basic realm=\"zhaoyin\""}};

ApiError invalid_client(const std::string& message) { return ApiError(401, "invalid_client", message, kBasicChallenge); }

}  // namespace

std::optional<std::string> form_field(const FormFields& fields, const std::string& name) {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return std::nullopt;
}

ClientCredentials read_client_credentials(Exchange& ex, const FormFields& fields) {
  std::optional<BasicCredentials> basic;
  if (auto auth = ex.header("Authorization")) {
    basic = parse_basic_authorization(*auth);
    if (!basic) throw invalid_client("unsupported Authorization scheme; use HTTP Basic or client_id/client_secret");
  }
  const auto form_id = form_field(fields, "client_id");
  const auto form_secret = form_field(fields, "client_secret");
  if (basic) {
    if (form_secret) throw ApiError::bad_request("use one client authentication method, not HTTP Basic and client_secret");
    if (form_id && *form_id != basic->client_id)
      throw ApiError::bad_request("client_id does not match the HTTP Basic credentials");
    return {basic->client_id, basic->client_secret};
  }
  if (form_id || form_secret) {
    if (!form_id || form_id->empty()) throw ApiError::bad_request("missing parameter client_id");
    if (!form_secret || form_secret->empty()) throw ApiError::bad_request("missing parameter client_secret");
    return {*form_id, *form_secret};
  }
  return {};
}

store::Application authenticate_client(Exchange& ex, HostContext& ctx, const ClientCredentials& credentials,
                                       const std::string& endpoint) {
  if (!credentials.given()) throw invalid_client("client authentication is required");
  // Guessing secrets is slowed per (source, client_id), per source and per
  // client_id (attempt_throttle.h); a throttled attempt is refused before the
  // secret is checked, and a clean source is never held back by others'
  // failures on the same client_id. One guard for every OAuth endpoint, so
  // guesses cannot be spread over them.
  const std::string source = client_source(ex, ctx.settings.trusted_proxies);
  auto& guard = *ctx.client_auth_guard;
  if (const auto verdict = guard.check(source, credentials.client_id); !verdict.allowed) {
    count_throttled(*ctx.metrics, endpoint);
    throw ApiError(429, "too_many_attempts",
                   "too many failed client authentications from this address for this client: retry after " +
                       std::to_string(verdict.retry_after_seconds) + " s",
                   {{"Retry-After", std::to_string(verdict.retry_after_seconds)}});
  }
  store::ApplicationRepository apps(*ctx.db);
  const auto app = apps.verify_secret(credentials.client_id, credentials.client_secret);
  if (!app) {
    guard.failed(source, credentials.client_id);
    ctx.log->warn("oauth: client authentication failed",
                  {{"endpoint", endpoint}, {"client_id", credentials.client_id}, {"source", source}});
    throw invalid_client("unknown client or wrong client secret");
  }
  guard.succeeded(source, credentials.client_id);
  if (app->status == store::ApplicationStatus::Revoked)
    throw invalid_client("application " + credentials.client_id + " has been revoked");
  if (app->status == store::ApplicationStatus::Suspended)
    throw ApiError(403, "client_suspended", "application " + credentials.client_id + " is suspended");
  return *app;
}

}  // namespace zhaoyin::http
