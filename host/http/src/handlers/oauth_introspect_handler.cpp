#include <zhaoyin/http/handlers/oauth_introspect_handler.h>

#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/client_authentication.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/token_repository.h>

namespace zhaoyin::http {

namespace {

long long unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

void OAuthIntrospectHandler::handle(Exchange& ex) {
  const FormFields fields = ex.form_body();
  const ClientCredentials credentials = read_client_credentials(ex, fields);
  const auto token = form_field(fields, "token");
  if (!token || token->empty()) throw ApiError::bad_request("missing parameter token");
  const store::Application caller = authenticate_client(ex, *ctx_, credentials, "oauth_introspect");

  nlohmann::json answer = {{"active", false}};
  const auto record = store::TokenRepository(*ctx_->db).find_valid(*token);
  if (record && record->client_id == caller.client_id) {
    // The caller passed authenticate_client, so it is neither revoked nor
    // suspended: its own valid token is active.
    answer = {{"active", true},
              {"client_id", record->client_id},
              {"scope", record->scope},
              {"token_type", "Bearer"},
              {"iat", unix_seconds(record->issued_at)},
              {"exp", unix_seconds(record->expires_at)}};
  }
  ex.response().set("Cache-Control", "no-store");
  ex.response().set("Pragma", "no-cache");
  ex.send_json(200, answer);
}

}  // namespace zhaoyin::http
