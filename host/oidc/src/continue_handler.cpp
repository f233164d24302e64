// GET /oidc/continue/{id}: where the hosted QR page sends the browser once the
// login is over. A confirmed login becomes a single-use code sent to the
// client's redirect URI; a rejected or expired one becomes error=access_denied.
// The browser must be the one that started the authorization (the cookie set
// by /oidc/authorize, scoped to this path), so a leaked continue URL is useless.
#include <Poco/Net/NameValueCollection.h>
#include <zhaoyin/http/html.h>
#include <zhaoyin/oidc/claims.h>
#include <zhaoyin/oidc/oidc_repository.h>
#include <zhaoyin/store/secrets.h>
#include <zhaoyin/trust/bytes.h>
#include "handlers.h"
#include "single_sign_on.h"

namespace zhaoyin::oidc {

namespace {

// Every "zhaoyin_oidc" value in the request's cookies.
std::vector<std::string> binding_cookies(http::Exchange& ex) {
  Poco::Net::NameValueCollection cookies;
  ex.request().getCookies(cookies);
  std::vector<std::string> out;
  for (const auto& [name, value] : cookies) {
    if (name == "zhaoyin_oidc") out.push_back(value);
  }
  return out;
}

bool same_browser(http::Exchange& ex, const Authorization& a) {
  for (const auto& value : binding_cookies(ex)) {
    if (trust::equal_constant_time(trust::to_bytes(store::token_hash(value)), trust::to_bytes(a.browser_hash)))
      return true;
  }
  return false;
}

// Single sign-on: the browser that just finished a QR login keeps a provider
// session (unless it already holds an open one for the same license), so the
// next relying party it visits needs no second scan.
void open_provider_session(http::Exchange& ex, const Provider& p, const LoginState& login,
                           const nlohmann::json& claims, TimePoint auth_time) {
  if (!p.options.sso.enabled) return;
  const std::string serial = login.subject.value("license_serial", std::string());
  const std::string uscc = claims.value("uscc", std::string());
  if (serial.empty() || uscc.empty()) return;
  ProviderSessionRepository sessions(*p.host->db);
  const auto now = Clock::now();
  for (const auto& value : sso_cookie_values(ex)) {
    const auto current = sessions.find_open(value, p.options.sso.idle, now);
    if (current && current->license_serial == serial) return;
    if (current) sessions.end(value, now);  // another holder scanned in this browser: theirs ends
  }
  const std::string value = sessions.open(serial, uscc, auth_time, p.options.sso, now);
  ex.response().add("Set-Cookie", sso_set_cookie(p, value));
}

}  // namespace

void ContinueHandler::handle(http::Exchange& ex) {
  OidcRepository repo(*p_->host->db);
  const auto now = Clock::now();
  const auto a = repo.find_authorization(ex.param("id"));
  if (!a || a->expires_at <= now) {
    send_page(ex, *p_, 404, "登录已失效 Sign-in expired",
              card("登录已失效 · Sign-in expired",
                   "This sign-in request is unknown or has expired. Start again from the application."));
    return;
  }
  if (!same_browser(ex, *a)) {
    p_->host->log->warn("oidc: continue from another browser",
                        {{"request_id", ex.request_id()}, {"authorization", a->id.substr(0, 8)}});
    send_page(ex, *p_, 403, "浏览器不一致 Different browser",
              card("浏览器不一致 · Different browser",
                   "This sign-in was started in another browser. Start again from the application.",
                   "<p class=\"muted\">error: <code>browser_mismatch</code></p>"));
    return;
  }
  if (a->completed()) {
    send_page(ex, *p_, 409, "登录已完成 Sign-in already used",
              card("登录已完成 · Sign-in already used",
                   "This sign-in has already been handed to the application. Start again from the application.",
                   "<p class=\"muted\">error: <code>authorization_used</code></p>"));
    return;
  }

  std::optional<LoginState> login;
  if (p_->logins) login = p_->logins->find(a->login_session_id);
  const std::string status = login ? login->status : "expired";

  auto redirect = [&](std::vector<std::pair<std::string, std::string>> q) {
    if (!a->state.empty()) q.emplace_back("state", a->state);
    q.emplace_back("iss", p_->issuer());
    ex.response().set("Location", with_query(a->redirect_uri, q));
    ex.response().set("Cache-Control", "no-store");
    ex.send_empty(302);
  };

  if (status == "pending" || status == "scanned") {
    // After a renewal on the hosted page, the QR being shown is the latest session's.
    const std::string& shown = login && !login->session_id.empty() ? login->session_id : a->login_session_id;
    const std::string back = "/login/" + http::form_encode(shown);
    send_page(ex, *p_, 200, "等待确认 Waiting for the wallet",
              card("等待确认 · Waiting for the wallet",
                   "The license holder has not confirmed this sign-in yet.",
                   "<p><a class=\"button\" href=\"" + http::escape_html(back) + "\">返回二维码 Back to the QR code</a></p>"));
    return;
  }
  if (status != "confirmed") {
    if (!repo.complete_authorization(a->id, now)) {
      send_page(ex, *p_, 409, "登录已完成 Sign-in already used",
                card("登录已完成 · Sign-in already used", "This sign-in has already been handed to the application."));
      return;
    }
    p_->host->log->info("oidc: login not confirmed", {{"authorization", a->id.substr(0, 8)}, {"status", status}});
    redirect({{"error", "access_denied"}, {"error_description", "the QR login ended " + status}});
    return;
  }

  nlohmann::json claims;
  try {
    claims = identity_claims(login->subject);
  } catch (const std::invalid_argument& e) {
    p_->host->log->error("oidc: confirmed login without a usable subject",
                         {{"authorization", a->id.substr(0, 8)}, {"detail", e.what()}});
    if (repo.complete_authorization(a->id, now))
      redirect({{"error", "server_error"}, {"error_description", "the login's subject is incomplete"}});
    else
      send_page(ex, *p_, 409, "登录已完成 Sign-in already used", card("登录已完成 · Sign-in already used", ""));
    return;
  }
  // Exactly one request turns a login into a code.
  if (!repo.complete_authorization(a->id, now)) {
    send_page(ex, *p_, 409, "登录已完成 Sign-in already used",
              card("登录已完成 · Sign-in already used", "This sign-in has already been handed to the application."));
    return;
  }
  CodeGrant grant;
  grant.authorization_id = a->id;
  grant.client_id = a->client_id;
  grant.redirect_uri = a->redirect_uri;
  grant.code_challenge = a->code_challenge;
  grant.nonce = a->nonce;
  grant.scope = a->scope;
  grant.claims = claims;
  grant.auth_time = std::chrono::time_point_cast<std::chrono::seconds>(login->authenticated_at.value_or(now));
  grant.issued_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
  grant.expires_at = grant.issued_at + p_->options.code_ttl;
  const std::string code = repo.issue_code(grant);
  open_provider_session(ex, *p_, *login, claims, grant.auth_time);
  p_->host->log->info("oidc: code issued", {{"request_id", ex.request_id()},
                                            {"client_id", a->client_id},
                                            {"authorization", a->id.substr(0, 8)}});
  redirect({{"code", code}});
}

}  // namespace zhaoyin::oidc
