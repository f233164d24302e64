// POST /oidc/token (RFC 6749 §4.1.3, OpenID Connect Core §3.1.3): an
// authorization code, the client's credentials and the PKCE verifier in; an
// ES256 ID token and a userinfo access token out. Refusals use the OAuth error
// shape (RFC 6749 §5.2), not the host's {"error":{...}}.
//
// The code is looked up first (unknown, or another client's: invalid_grant,
// the code untouched), then consumed by one atomic UPDATE before anything
// else is checked, so a wrong verifier burns it and a second use fails and
// revokes the tokens the first use produced (RFC 6749 §4.1.2).
#include <algorithm>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/client_source.h>
#include <zhaoyin/oidc/claims.h>
#include <zhaoyin/oidc/oidc_repository.h>
#include <zhaoyin/oidc/pkce.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>
#include "handlers.h"

namespace zhaoyin::oidc {

namespace {

std::optional<std::string> field(const http::FormFields& fields, const std::string& name) {
  for (const auto& [k, v] : fields) {
    if (k == name && !v.empty()) return v;
  }
  return std::nullopt;
}

OAuthError invalid_request(const std::string& d) { return {400, "invalid_request", d}; }
OAuthError invalid_grant(const std::string& d) { return {400, "invalid_grant", d}; }

std::int64_t epoch(TimePoint t) { return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count(); }

// The authenticated application: client_secret_basic or client_secret_post.
store::Application authenticate_client(http::Exchange& ex, const http::FormFields& fields, const Provider& p) {
  std::optional<http::BasicCredentials> basic;
  if (auto header = ex.header("Authorization")) {
    basic = http::parse_basic_authorization(*header);  // 401 invalid_client when malformed
    if (!basic) throw OAuthError(401, "invalid_client", "use HTTP Basic or client_secret_post to authenticate");
  }
  const auto form_id = field(fields, "client_id");
  const auto form_secret = field(fields, "client_secret");
  const http::ApiError::Headers challenge = {{"WWW-Authenticate", "Basic realm=\"zhaoyin\""}};
  std::string id, secret;
  if (basic) {
    if (form_secret) throw invalid_request("use one client authentication method, not both");
    if (form_id && *form_id != basic->client_id) throw invalid_request("client_id does not match the HTTP Basic credentials");
    id = basic->client_id;
    secret = basic->client_secret;
  } else {
    if (!form_id || !form_secret)
      throw OAuthError(401, "invalid_client", "client authentication is required", challenge);
    id = *form_id;
    secret = *form_secret;
  }
  // The guard /oauth/token uses too: the same secrets (attempt_throttle.h).
  const std::string source = http::client_source(ex, p.host->settings.trusted_proxies);
  auto& guard = *p.host->client_auth_guard;
  if (const auto verdict = guard.check(source, id); !verdict.allowed) {
    http::count_throttled(*p.host->metrics, "oidc_token");
    throw OAuthError(429, "too_many_attempts",
                     "too many failed client authentications from this address: retry after " +
                         std::to_string(verdict.retry_after_seconds) + " s",
                     {{"Retry-After", std::to_string(verdict.retry_after_seconds)}});
  }
  store::ApplicationRepository apps(*p.host->db);
  auto app = apps.verify_secret(id, secret);
  if (!app) {
    guard.failed(source, id);
    p.host->log->warn("oidc: client authentication failed",
                      {{"request_id", ex.request_id()}, {"client_id", id}, {"source", source}});
    throw OAuthError(401, "invalid_client", "unknown client or wrong client secret", basic ? challenge : http::ApiError::Headers{});
  }
  guard.succeeded(source, id);
  if (app->status == store::ApplicationStatus::Revoked)
    throw OAuthError(401, "invalid_client", "application " + id + " has been revoked");
  if (app->status != store::ApplicationStatus::Active)
    throw OAuthError(400, "unauthorized_client", "application " + id + " is suspended");
  if (std::find(app->needs.begin(), app->needs.end(), "login") == app->needs.end())
    throw OAuthError(400, "unauthorized_client", "application " + id + " is not approved for login");
  return *app;
}

// at_hash (OIDC Core §3.1.3.6): base64url of the left half of SHA-256(access token).
std::string at_hash(const std::string& access_token) {
  trust::Bytes digest = trust::sha256(trust::to_bytes(access_token));
  digest.resize(digest.size() / 2);
  return trust::base64url_encode(digest);
}

}  // namespace

void TokenHandler::handle(http::Exchange& ex) {
  with_oauth_errors(ex, [&] {
    const http::FormFields fields = ex.form_body();
    const store::Application app = authenticate_client(ex, fields, *p_);

    const auto grant_type = field(fields, "grant_type");
    if (!grant_type) throw invalid_request("missing parameter grant_type");
    if (*grant_type != "authorization_code")
      throw OAuthError(400, "unsupported_grant_type", "grant_type must be authorization_code");
    const auto code = field(fields, "code");
    if (!code) throw invalid_request("missing parameter code");
    const auto redirect_uri = field(fields, "redirect_uri");
    if (!redirect_uri) throw invalid_request("missing parameter redirect_uri");
    const auto verifier = field(fields, "code_verifier");
    if (!verifier) throw invalid_request("PKCE is required: missing code_verifier");

    OidcRepository repo(*p_->host->db);
    const auto now = Clock::now();
    const auto grant = repo.find_code(*code);
    if (!grant || grant->client_id != app.client_id) throw invalid_grant("unknown authorization code");
    if (!repo.consume_code(*code, now)) {
      const std::size_t revoked = repo.revoke_tokens_of_code(*code);
      p_->host->log->warn("oidc: authorization code replayed",
                          {{"request_id", ex.request_id()}, {"client_id", app.client_id}, {"revoked_tokens", revoked}});
      throw invalid_grant("the authorization code has already been used; tokens issued from it are revoked");
    }
    if (grant->expires_at <= now) throw invalid_grant("the authorization code has expired");
    if (grant->redirect_uri != *redirect_uri)
      throw invalid_grant("redirect_uri differs from the one in the authorization request");
    if (!pkce_s256_matches(*verifier, grant->code_challenge))
      throw invalid_grant("code_verifier does not match the code_challenge (S256)");

    const auto issued_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
    TokenGrant token_grant;
    token_grant.client_id = app.client_id;
    token_grant.scope = grant->scope;
    token_grant.claims = grant->claims;
    token_grant.issued_at = issued_at;
    token_grant.expires_at = issued_at + p_->host->settings.token_ttl;
    const std::string access_token = repo.issue_access_token(*code, token_grant);

    nlohmann::json id_token = grant->claims;
    id_token["iss"] = p_->issuer();
    id_token["aud"] = app.client_id;
    id_token["iat"] = epoch(issued_at);
    id_token["exp"] = epoch(issued_at + p_->options.id_token_ttl);
    id_token["auth_time"] = epoch(grant->auth_time);
    if (!grant->nonce.empty()) id_token["nonce"] = grant->nonce;
    id_token["acr"] = kAcrLicenseQr;
    id_token["amr"] = kAmr;
    id_token["at_hash"] = at_hash(access_token);

    id_tokens_metric(*p_->host).inc();
    p_->host->log->info("oidc: tokens issued", {{"request_id", ex.request_id()}, {"client_id", app.client_id}});
    ex.response().set("Cache-Control", "no-store");
    ex.response().set("Pragma", "no-cache");
    ex.send_json(200, {{"access_token", access_token},
                       {"token_type", "Bearer"},
                       {"expires_in", p_->host->settings.token_ttl.count()},
                       {"id_token", p_->keys->key().sign_jwt(id_token)},
                       {"scope", grant->scope}});
  });
}

http::Counter& id_tokens_metric(http::HostContext& host) {
  return host.metrics->counter("zhaoyin_oidc_tokens_issued_total", "OpenID Connect ID tokens issued.");
}

}  // namespace zhaoyin::oidc
