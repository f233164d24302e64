// Discovery (OpenID Connect Discovery 1.0 §3) and the JWK set (RFC 7517).
#include <zhaoyin/oidc/claims.h>
#include "handlers.h"

namespace zhaoyin::oidc {

void DiscoveryHandler::handle(http::Exchange& ex) {
  const std::string issuer = p_->issuer();
  const nlohmann::json metadata = {
      {"issuer", issuer},
      {"authorization_endpoint", issuer + "/oidc/authorize"},
      {"token_endpoint", issuer + "/oidc/token"},
      {"userinfo_endpoint", issuer + "/oidc/userinfo"},
      {"jwks_uri", issuer + "/oidc/jwks"},
      {"end_session_endpoint", issuer + "/oidc/logout"},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query"}},
      {"grant_types_supported", {"authorization_code"}},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", {"ES256"}},
      {"code_challenge_methods_supported", {"S256"}},
      {"token_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
      {"scopes_supported", {"openid", "profile"}},
      {"claims_supported",
       {"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "at_hash", "uscc", "name",
        "legal_representative", "holder", "license_serial"}},
      {"acr_values_supported", {kAcrLicenseQr}},
      {"claims_parameter_supported", false},
      {"request_parameter_supported", false},
      {"request_uri_parameter_supported", false},
      {"authorization_response_iss_parameter_supported", true},
      {"ui_locales_supported", {"zh-CN"}},
      {"prompt_values_supported", {"none", "login"}},
  };
  ex.response().set("Cache-Control", "public, max-age=300");
  ex.send_json(200, metadata);
}

void JwksHandler::handle(http::Exchange& ex) {
  ex.response().set("Cache-Control", "public, max-age=300");
  ex.send_json(200, {{"keys", nlohmann::json::array({p_->keys->key().public_jwk()})}});
}

}  // namespace zhaoyin::oidc
