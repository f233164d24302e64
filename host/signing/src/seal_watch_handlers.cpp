// Seal watches (docs/api/signing.md, "Seal changes"): a relying party that
// recorded an enterprise's seal — a bank's 预留印鉴 — asks to be called back
// when the authority replaces or revokes it (seal_watch.h).
//
// Like the other seal endpoints, a watch is made only through a confirmed
// login of the calling application whose enterprise owns the seal: a relying
// party cannot follow the seals of enterprises that never came to it. The
// callback URL passes the same destination policy as every callback URL.
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/callback_policy.h>
#include <zhaoyin/store/application_repository.h>

#include "api_handlers.h"
#include "seal_watch.h"

namespace zhaoyin::signing {

namespace {

constexpr std::size_t kMaxWatchesListed = 500;

std::string watched_seal(const http::Exchange& ex) {
  const std::string es_id = ex.param("esid");
  if (es_id.empty() || es_id.size() > 64) throw http::ApiError::bad_request("the seal code must be 1 to 64 characters");
  return es_id;
}

}  // namespace

void WatchSeal::handle(http::Exchange& ex) {
  const auto login = verified_login(ex, ctx_);
  const std::string es_id = watched_seal(ex);
  const auto body = ex.json_body();
  if (!body.is_object()) throw http::ApiError::bad_request("the body must be a JSON object");
  for (const auto& [key, value] : body.items())
    if (key != "callback_url") throw http::ApiError::bad_request("unknown member " + key + " (only callback_url)");
  if (!body.contains("callback_url") || !body["callback_url"].is_string())
    throw http::ApiError::bad_request("callback_url (the URL to call when the seal changes) is required");
  const std::string url = body["callback_url"].get<std::string>();
  if (url.empty() || url.size() > 2000) throw http::ApiError::bad_request("callback_url must be 1 to 2000 characters");
  // 400 callback_scheme_refused / callback_destination_refused, and
  // callback_url_not_declared off the application's declared 办事系统 (附件1).
  const auto app = store::ApplicationRepository(*ctx_->db).find(login.client_id);
  http::require_callback_url(url, ctx_->settings.callbacks, app ? app->declared_systems : std::vector<std::string>{});

  // The seal must be one the login's enterprise holds now.
  bool found = false;
  for (const auto& s : ctx_->authority->seals_of(login.uscc)) found = found || s.es_id == es_id;
  if (!found)
    throw http::ApiError::not_found("the enterprise of login session " + login.session_id + " has no seal " + es_id);

  SealWatch w{login.client_id, es_id, login.uscc, url, login.session_id,
              std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now())};
  SealWatchRepository repo(*ctx_->db);
  const bool replaced = repo.find(w.client_id, es_id).has_value();
  repo.put(w);
  ctx_->log->info("seal watch set", {{"request_id", ex.request_id()}, {"client_id", w.client_id}, {"es_id", es_id}});
  ex.send_json(replaced ? 200 : 201, to_json(w));
}

void UnwatchSeal::handle(http::Exchange& ex) {
  const auto client = http::authenticate_bearer(ex, *ctx_);
  http::require_scope(client, "signature");
  const std::string es_id = watched_seal(ex);
  if (!SealWatchRepository(*ctx_->db).remove(client.application.client_id, es_id))
    throw http::ApiError::not_found("this application watches no seal " + es_id);
  ex.send_empty(204);
}

void ListSealWatches::handle(http::Exchange& ex) {
  const auto client = http::authenticate_bearer(ex, *ctx_);
  http::require_scope(client, "signature");
  nlohmann::json watches = nlohmann::json::array();
  for (const auto& w : SealWatchRepository(*ctx_->db).of_client(client.application.client_id, kMaxWatchesListed))
    watches.push_back(to_json(w));
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, {{"watches", watches}});
}

}  // namespace zhaoyin::signing
