#include <zhaoyin/http/auth.h>

#include <Poco/String.h>
#include <sstream>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::http {

namespace {

const std::string kRealm = "zhaoyin";

ApiError invalid_token(const std::string& message, bool with_error = true) {
  std::string challenge = "Bearer realm=\"" + kRealm + "\"";
  if (with_error) challenge += ", error=\"invalid_token\"";
  return ApiError(401, "invalid_token", message, {{"WWW-Authenticate", challenge}});
}

// Splits "Scheme value" → (lower-case scheme, value).
std::pair<std::string, std::string> split_scheme(const std::string& header_value) {
  const std::string trimmed = Poco::trim(header_value);
  const std::size_t sp = trimmed.find(' ');
  if (sp == std::string::npos) return {Poco::toLower(trimmed), {}};
  return {Poco::toLower(trimmed.substr(0, sp)), Poco::trim(trimmed.substr(sp + 1))};
}

}  // namespace

bool AuthenticatedClient::has_scope(const std::string& scope) const {
  std::istringstream in(token.scope);
  std::string item;
  while (in >> item) {
    if (item == scope) return true;
  }
  return false;
}

AuthenticatedClient authenticate_bearer(Exchange& ex, const HostContext& ctx) {
  const auto header = ex.header("Authorization");
  if (!header) throw invalid_token("an access token is required (Authorization: Bearer ...)", false);
  const auto [scheme, token] = split_scheme(*header);
  if (scheme != "bearer" || token.empty()) throw invalid_token("the Authorization header is not a Bearer token");

  store::TokenRepository tokens(*ctx.db);
  auto record = tokens.find_valid(token);
  if (!record) throw invalid_token("the access token is invalid or has expired");

  store::ApplicationRepository apps(*ctx.db);
  auto app = apps.find(record->client_id);
  if (!app) throw invalid_token("the access token's application no longer exists");
  switch (app->status) {
    case store::ApplicationStatus::Active: break;
    case store::ApplicationStatus::Suspended:
      throw ApiError(403, "client_suspended", "application " + app->client_id + " is suspended");
    case store::ApplicationStatus::Revoked:
      throw invalid_token("application " + app->client_id + " has been revoked");
  }
  return AuthenticatedClient{std::move(*app), std::move(*record)};
}

void authenticate_operator(Exchange& ex, const HostContext& ctx) {
  if (ctx.settings.admin_token_sha256.empty())
    throw ApiError(403, "admin_disabled", "the admin API is disabled on this host (no admin.token_file)");
  const auto header = ex.header("Authorization");
  if (!header) throw invalid_token("an operator token is required (Authorization: Bearer ...)", false);
  const auto [scheme, token] = split_scheme(*header);
  if (scheme != "bearer" || token.empty()) throw invalid_token("the Authorization header is not a Bearer token");
  const std::string presented = trust::hex_encode(trust::sha256(trust::Bytes(token.begin(), token.end())));
  // Both sides are 64 hex digits: compare without an early exit.
  unsigned char diff = presented.size() == ctx.settings.admin_token_sha256.size() ? 0 : 1;
  for (std::size_t i = 0; i < presented.size() && i < ctx.settings.admin_token_sha256.size(); ++i)
    diff |= static_cast<unsigned char>(presented[i] ^ ctx.settings.admin_token_sha256[i]);
  if (diff != 0) throw invalid_token("the operator token is not valid");
}

void require_scope(const AuthenticatedClient& client, const std::string& scope) {
  if (!client.has_scope(scope))
    throw ApiError(403, "insufficient_scope", "the access token does not grant '" + scope + "'",
                   {{"WWW-Authenticate", "Bearer realm=\"" + kRealm + "\", error=\"insufficient_scope\", scope=\"" +
                                             scope + "\""}});
}

std::optional<BasicCredentials> parse_basic_authorization(const std::string& header_value) {
  const auto [scheme, value] = split_scheme(header_value);
  if (scheme != "basic") return std::nullopt;
  const ApiError bad(401, "invalid_client", "malformed HTTP Basic client credentials",
                     {{"WWW-Authenticate", "Basic realm=\"" + kRealm + "\""}});
  std::string decoded;
  try {
    decoded = trust::to_string(trust::base64_decode(value));
  } catch (const trust::TrustError&) {
    throw bad;
  }
  const std::size_t colon = decoded.find(':');
  if (colon == std::string::npos) throw bad;
  try {
    return BasicCredentials{form_decode(decoded.substr(0, colon)), form_decode(decoded.substr(colon + 1))};
  } catch (const std::invalid_argument&) {
    throw bad;
  }
}

}  // namespace zhaoyin::http
