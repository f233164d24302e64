// GET|POST /oidc/logout — OpenID Connect RP-Initiated Logout 1.0 for the
// provider session behind single sign-on (single_sign_on.h).
//
//   id_token_hint             an ID token this provider issued (may have expired, §2)
//   client_id                 the relying party, when there is no hint (or the same as the hint's aud)
//   post_logout_redirect_uri  where to go afterwards: one of the client's registered redirect URIs,
//                             byte for byte (§3: the same strictness as redirect_uri)
//   state                     handed back on that redirect
//
// With a valid id_token_hint (the relying party proves it is one of ours) the
// session ends at once. Without one, a GET only shows a page asking the holder
// to confirm, whose button POSTs the same parameters: the session cookie is
// SameSite=Lax, so it reaches a POST only from our own page, and another site
// cannot sign a browser out by linking to /oidc/logout (§2, "the OP SHOULD
// ask the End-User"). Ending is idempotent: a browser without a session still
// gets the redirect or the "signed out" page.
#include <map>
#include <zhaoyin/http/form.h>
#include <zhaoyin/http/html.h>
#include <zhaoyin/oidc/provider_sessions.h>
#include <zhaoyin/redirect/declared_hosts.h>
#include <zhaoyin/redirect/redirect_target.h>
#include <zhaoyin/store/application_repository.h>
#include "handlers.h"
#include "single_sign_on.h"

namespace zhaoyin::oidc {

namespace {

std::map<std::string, std::string> read_parameters(http::Exchange& ex) {
  std::map<std::string, std::string> out;
  for (auto& [name, value] : page_parameters(ex)) {
    if (value.empty()) continue;  // empty means absent (RFC 6749 §3.1)
    if (!out.emplace(name, value).second) throw PageError{400, "invalid_request", "parameter " + name + " is repeated"};
  }
  return out;
}

std::optional<std::string> get(const std::map<std::string, std::string>& p, const std::string& name) {
  auto it = p.find(name);
  if (it == p.end()) return std::nullopt;
  return it->second;
}

std::string hidden_fields(const std::map<std::string, std::string>& params) {
  std::string html;
  for (const char* name : {"id_token_hint", "client_id", "post_logout_redirect_uri", "state"}) {
    if (auto it = params.find(name); it != params.end())
      html += "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + http::escape_html(it->second) +
              "\">";
  }
  return html;
}

}  // namespace

void LogoutHandler::handle(http::Exchange& ex) {
  try {
    const auto params = read_parameters(ex);

    // Who asks: the hint's audience, if the hint is one of our ID tokens.
    std::optional<std::string> hinted_client;
    if (const auto hint = get(params, "id_token_hint")) {
      const auto claims = p_->keys->key().verify_jwt(*hint);
      if (!claims || claims->value("iss", "") != p_->issuer() || !(*claims)["aud"].is_string())
        throw PageError{400, "invalid_id_token_hint", "id_token_hint is not an ID token this provider issued"};
      hinted_client = (*claims)["aud"].get<std::string>();
    }
    const auto client_id = get(params, "client_id");
    if (client_id && hinted_client && *client_id != *hinted_client)
      throw PageError{400, "invalid_request", "client_id is not the audience of id_token_hint"};
    const std::optional<std::string> who = hinted_client ? hinted_client : client_id;

    const auto post_logout = get(params, "post_logout_redirect_uri");
    if (post_logout) {
      if (!who)
        throw PageError{400, "invalid_request", "post_logout_redirect_uri needs client_id or id_token_hint"};
      const auto app = store::ApplicationRepository(*p_->host->db).find(*who);
      if (!app) throw PageError{400, "invalid_client", "unknown client_id '" + *who + "'"};
      if (const auto refusal = redirect::check_absolute(*post_logout))
        throw PageError{400, "invalid_redirect_uri",
                        "post_logout_redirect_uri refused (" + refusal->reason + "): " + refusal->message};
      if (!redirect::registered(app->redirect_uris, *post_logout))
        throw PageError{400, "invalid_redirect_uri",
                        "post_logout_redirect_uri is not one registered for application " + app->client_id +
                            " (exact, byte-for-byte match)"};
      if (const auto refusal = redirect::check_declared(app->declared_systems, *post_logout))
        throw PageError{400, "redirect_uri_not_declared",
                        "post_logout_redirect_uri refused (" + refusal->reason + "): " + refusal->message};
    }

    if (ex.method() == "GET" && !hinted_client) {
      send_page(ex, *p_, 200, "退出登录 Sign out",
                card("退出登录 · Sign out",
                     "Sign this browser out of 照印 single sign-on? Applications you are signed in to keep their own "
                     "sessions until you sign out there.",
                     "<form method=\"post\" action=\"/oidc/logout\">" + hidden_fields(params) +
                         "<button class=\"button\" type=\"submit\">退出 Sign out</button></form>"));
      return;
    }

    ProviderSessionRepository sessions(*p_->host->db);
    std::size_t ended = 0;
    for (const auto& value : sso_cookie_values(ex)) ended += sessions.end(value, std::chrono::system_clock::now()) ? 1 : 0;
    p_->host->log->info("oidc: signed out", {{"request_id", ex.request_id()},
                                             {"client_id", who.value_or("")},
                                             {"sessions_ended", ended}});
    ex.response().add("Set-Cookie", sso_clear_cookie(*p_));
    ex.response().set("Cache-Control", "no-store");
    if (post_logout) {
      std::vector<std::pair<std::string, std::string>> q;
      if (const auto state = get(params, "state")) q.emplace_back("state", *state);
      ex.response().set("Location", with_query(*post_logout, q));
      ex.send_empty(302);
      return;
    }
    send_page(ex, *p_, 200, "已退出 Signed out",
              card("已退出 · Signed out", "This browser is signed out of 照印 single sign-on."));
  } catch (const PageError& e) {
    send_page(ex, *p_, e.status, "退出请求无效 Invalid sign-out request",
              error_card("退出请求无效 · Invalid sign-out request", e));
  }
}

}  // namespace zhaoyin::oidc
