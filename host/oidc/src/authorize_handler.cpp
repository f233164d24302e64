// GET|POST /oidc/authorize (OpenID Connect Core §3.1.2, RFC 6749 §4.1.1, RFC 7636).
//
// Errors about the client or its redirect URI are shown on an error page and
// never redirected (RFC 6749 §4.1.2.1: the redirect URI cannot be trusted
// yet). Every later error goes back to the redirect URI as ?error=...&state=...
// Once the request is valid the provider stores it, starts a QR login whose
// hosted page returns to /oidc/continue/<id>, binds the browser with a cookie
// scoped to that path, and sends the browser to the QR page.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <zhaoyin/http/form.h>
#include <zhaoyin/http/html.h>
#include <zhaoyin/http/usage_check.h>
#include <zhaoyin/oidc/oidc_repository.h>
#include <zhaoyin/oidc/pkce.h>
#include <zhaoyin/redirect/declared_hosts.h>
#include <zhaoyin/redirect/redirect_target.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/secrets.h>
#include <zhaoyin/verification/matter_functions.h>
#include <zhaoyin/verification/subject_verifier.h>
#include "handlers.h"
#include "single_sign_on.h"

namespace zhaoyin::oidc {

namespace {

constexpr std::size_t kMaxStateLength = 1024;
constexpr std::size_t kMaxNonceLength = 512;

// Sent back to the client's redirect URI.
struct RedirectError {
  std::string error;
  std::string description;
};

struct Parameters {
  std::map<std::string, std::string> values;
  std::set<std::string> repeated;

  std::optional<std::string> get(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) return std::nullopt;  // empty means absent (RFC 6749 §3.1)
    return it->second;
  }
};

Parameters read_parameters(http::Exchange& ex) {
  Parameters p;
  for (auto& [name, value] : page_parameters(ex)) {
    if (!p.values.emplace(name, value).second) p.repeated.insert(name);
  }
  return p;
}

std::set<std::string> split_spaces(const std::string& s) {
  std::istringstream in(s);
  std::set<std::string> out;
  std::string item;
  while (in >> item) out.insert(item);
  return out;
}

bool needs_login(const store::Application& app) {
  return std::find(app.needs.begin(), app.needs.end(), "login") != app.needs.end();
}

// max_age (OIDC Core §3.1.2.1): a non-negative whole number of seconds.
std::optional<std::chrono::seconds> read_max_age(const Parameters& params) {
  const auto raw = params.get("max_age");
  if (!raw) return std::nullopt;
  if (raw->size() > 9 || raw->find_first_not_of("0123456789") != std::string::npos)
    throw RedirectError{"invalid_request", "max_age must be a non-negative whole number of seconds"};
  return std::chrono::seconds(std::stoll(*raw));
}

// A code for a single sign-on: the authorization is stored already completed
// (nothing waits for a QR login), so it is listed with the others.
std::string issue_silent_code(const Provider& p, const store::Application& app, const std::string& redirect_uri,
                              const std::string& state, const std::string& scope, const std::string& nonce,
                              const std::string& challenge, const std::string& matter, const nlohmann::json& claims,
                              std::chrono::system_clock::time_point auth_time) {
  OidcRepository repo(*p.host->db);
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());
  Authorization a;
  a.id = OidcRepository::random_handle();
  a.client_id = app.client_id;
  a.redirect_uri = redirect_uri;
  a.scope = scope;
  a.state = state;
  a.nonce = nonce;
  a.code_challenge = challenge;
  a.matter = matter;
  a.login_session_id = "sso";
  a.browser_hash = "";
  a.created_at = now;
  a.completed_at = now;
  a.expires_at = now + p.options.authorization_ttl;
  repo.save_authorization(a);

  CodeGrant grant;
  grant.authorization_id = a.id;
  grant.client_id = app.client_id;
  grant.redirect_uri = redirect_uri;
  grant.code_challenge = challenge;
  grant.nonce = nonce;
  grant.scope = scope;
  grant.claims = claims;
  grant.auth_time = std::chrono::time_point_cast<std::chrono::seconds>(auth_time);
  grant.issued_at = now;
  grant.expires_at = now + p.options.code_ttl;
  return repo.issue_code(grant);
}

}  // namespace

void AuthorizeHandler::handle(http::Exchange& ex) {
  try {
    const Parameters params = read_parameters(ex);

    // 1. The client and its redirect URI: errors here stay on the page.
    for (const char* name : {"client_id", "redirect_uri"}) {
      if (params.repeated.count(name)) throw PageError{400, "invalid_request", std::string(name) + " is repeated"};
    }
    const auto client_id = params.get("client_id");
    if (!client_id) throw PageError{400, "invalid_request", "missing parameter client_id"};
    store::ApplicationRepository apps(*p_->host->db);
    const auto app = apps.find(*client_id);
    if (!app) throw PageError{400, "invalid_client", "unknown client_id '" + *client_id + "'"};
    const auto redirect_uri = params.get("redirect_uri");
    if (!redirect_uri) throw PageError{400, "invalid_request", "missing parameter redirect_uri"};
    // RFC 6749 §3.1.2 / OIDC Core §3.1.2.1: the redirect URI must be one the
    // client registered, compared as a plain string. It is also checked on its
    // own first, so that a value a browser would read differently (tab, '\',
    // userinfo, IDN, trailing dot, other schemes) is named as such — and, like
    // an unregistered one, never redirected to (RFC 6749 §4.1.2.1).
    if (const auto refusal = redirect::check_absolute(*redirect_uri))
      throw PageError{400, "invalid_redirect_uri", "redirect_uri refused (" + refusal->reason + "): " + refusal->message};
    if (!redirect::registered(app->redirect_uris, *redirect_uri))
      throw PageError{400, "invalid_redirect_uri",
                      "redirect_uri refused (not_registered): it is not one registered for application " +
                          app->client_id + " (exact, byte-for-byte match)"};
    // 附件1: the registered URI must also lie on one of the 办事系统 the
    // application was approved for (redirect/declared_hosts.h) — a
    // registration changed outside the access review does not widen that.
    if (const auto refusal = redirect::check_declared(app->declared_systems, *redirect_uri))
      throw PageError{400, "redirect_uri_not_declared", "redirect_uri refused (" + refusal->reason + "): " + refusal->message};

    // 2. Everything else goes back to the client.
    const std::string state = params.get("state").value_or("");
    auto redirect_error = [&](const RedirectError& e) {
      std::vector<std::pair<std::string, std::string>> q = {{"error", e.error}, {"error_description", e.description}};
      if (!state.empty()) q.emplace_back("state", state);
      q.emplace_back("iss", p_->issuer());
      p_->host->log->info("oidc: authorization refused",
                          {{"request_id", ex.request_id()}, {"client_id", app->client_id}, {"error", e.error}});
      ex.response().set("Location", with_query(*redirect_uri, q));
      ex.response().set("Cache-Control", "no-store");
      ex.send_empty(302);
    };
    try {
      if (!params.repeated.empty())
        throw RedirectError{"invalid_request", "parameter " + *params.repeated.begin() + " is repeated"};
      if (state.size() > kMaxStateLength) throw RedirectError{"invalid_request", "state is too long"};
      if (app->status != store::ApplicationStatus::Active)
        throw RedirectError{"unauthorized_client", "application " + app->client_id + " is not active"};
      if (!needs_login(*app))
        throw RedirectError{"unauthorized_client", "application " + app->client_id + " is not approved for login"};
      try {  // peak rate and annual volume: refused back to the client like any other refusal
        http::admit_usage(ex, *p_->host, *app, "login");
      } catch (const http::ApiError& e) {
        throw RedirectError{e.status() == 403 ? "access_denied" : "temporarily_unavailable", e.code() + ": " + e.what()};
      }
      if (params.get("request")) throw RedirectError{"request_not_supported", "request objects are not supported"};
      if (params.get("request_uri"))
        throw RedirectError{"request_uri_not_supported", "request_uri is not supported"};

      const auto response_type = params.get("response_type");
      if (!response_type) throw RedirectError{"invalid_request", "missing parameter response_type"};
      if (*response_type != "code")
        throw RedirectError{"unsupported_response_type", "only response_type=code is supported"};
      if (auto mode = params.get("response_mode"); mode && *mode != "query")
        throw RedirectError{"invalid_request", "only response_mode=query is supported"};

      const auto scopes = split_spaces(params.get("scope").value_or(""));
      if (!scopes.count("openid")) throw RedirectError{"invalid_scope", "scope must contain openid"};
      std::string scope = "openid";
      if (scopes.count("profile")) scope += " profile";  // unknown scope values are ignored (OIDC Core §3.1.2.1)

      const auto challenge = params.get("code_challenge");
      if (!challenge) throw RedirectError{"invalid_request", "PKCE is required: missing code_challenge"};
      if (params.get("code_challenge_method").value_or("plain") != "S256")
        throw RedirectError{"invalid_request", "code_challenge_method must be S256"};
      if (!valid_code_challenge(*challenge))
        throw RedirectError{"invalid_request", "code_challenge must be 43 base64url characters (S256)"};

      const std::string nonce = params.get("nonce").value_or("");
      if (nonce.size() > kMaxNonceLength) throw RedirectError{"invalid_request", "nonce is too long"};
      const auto prompts = split_spaces(params.get("prompt").value_or(""));
      for (const auto& prompt : prompts) {
        if (prompt != "none" && prompt != "login" && prompt != "consent" && prompt != "select_account")
          throw RedirectError{"invalid_request", "unknown prompt value " + prompt};
      }
      // OIDC Core §3.1.2.1: none with any other value is an error.
      if (prompts.count("none") && prompts.size() > 1)
        throw RedirectError{"invalid_request", "prompt=none cannot be combined with other values"};
      const auto max_age = read_max_age(params);

      const auto matter = params.get("matter");
      if (matter && !verification::matter_approved(app->matters, *matter))
        throw RedirectError{"invalid_request",
                            "matter_not_approved: application " + app->client_id + " is not approved for " + *matter};
      // 附件2: the matter's row must list 线上扫码登录. Back to the client as
      // access_denied (OIDC Core §3.1.2.6), the code first in the description.
      if (matter)
        if (const auto refusal = verification::function_refusal(*app, *matter, "login"))
          throw RedirectError{"access_denied", std::string(verification::kFunctionNotApprovedCode) + ": " + *refusal};

      // Single sign-on: a holder who scanned in this browser for another
      // relying party, verified again for this one, gets a code without a
      // second scan. prompt=login and max_age=0 ask for a fresh QR login.
      const bool fresh_login_asked = prompts.count("login") || (max_age && max_age->count() == 0);
      if (!fresh_login_asked) {
        const SilentSignOn silent = try_single_sign_on(ex, *p_, *app, matter, max_age);
        if (silent.claims) {
          const std::string code = issue_silent_code(*p_, *app, *redirect_uri, state, scope, nonce, *challenge,
                                                     matter.value_or(""), *silent.claims, silent.auth_time);
          p_->host->log->info("oidc: code issued by single sign-on",
                              {{"request_id", ex.request_id()}, {"client_id", app->client_id}});
          std::vector<std::pair<std::string, std::string>> q = {{"code", code}};
          if (!state.empty()) q.emplace_back("state", state);
          q.emplace_back("iss", p_->issuer());
          ex.response().set("Location", with_query(*redirect_uri, q));
          ex.response().set("Cache-Control", "no-store");
          ex.send_empty(302);
          return;
        }
        if (prompts.count("none")) throw RedirectError{"login_required", silent.refusal};
      } else if (prompts.count("none")) {
        throw RedirectError{"login_required", "a fresh QR login was asked for; prompt=none cannot be met"};
      }

      if (!p_->logins) throw PageError{503, "login_unavailable", "QR login is not available on this host"};

      // 3. Store the request, start the QR login, bind the browser.
      OidcRepository repo(*p_->host->db);
      const auto now = Clock::now();
      // Housekeeping rides on the start of a QR login (rare next to the
      // requests that read these tables): expired authorizations, and ended
      // or expired provider sessions.
      repo.purge_expired(now);
      if (p_->options.sso.enabled) ProviderSessionRepository(*p_->host->db).purge(now);
      Authorization a;
      a.id = OidcRepository::random_handle();
      a.client_id = app->client_id;
      a.redirect_uri = *redirect_uri;
      a.scope = scope;
      a.state = state;
      a.nonce = nonce;
      a.code_challenge = *challenge;
      a.matter = matter.value_or("");
      const std::string browser_secret = OidcRepository::random_handle();
      a.browser_hash = store::token_hash(browser_secret);
      a.created_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
      a.expires_at = a.created_at + p_->options.authorization_ttl;

      LoginStart start;
      start.matter = matter;
      start.ttl = p_->options.login_ttl;
      start.return_url = "/oidc/continue/" + a.id;
      LoginStarted started;
      try {
        started = p_->logins->start(*app, start);
        a.login_session_id = started.id;
      } catch (const http::ApiError& e) {
        if (e.status() >= 500) throw RedirectError{"temporarily_unavailable", e.what()};
        throw RedirectError{e.status() == 403 ? "access_denied" : "invalid_request", e.code() + ": " + e.what()};
      }
      repo.save_authorization(a);
      p_->host->log->info("oidc: authorization started", {{"request_id", ex.request_id()},
                                                          {"client_id", app->client_id},
                                                          {"authorization", a.id.substr(0, 8)},
                                                          {"login_session", a.login_session_id}});

      std::string cookie = "zhaoyin_oidc=" + browser_secret + "; Path=" + start.return_url +
                           "; Max-Age=" + std::to_string(p_->options.authorization_ttl.count()) +
                           "; HttpOnly; SameSite=Lax";
      if (p_->issuer().rfind("https://", 0) == 0) cookie += "; Secure";
      ex.response().set("Set-Cookie", cookie);
      ex.response().set("Cache-Control", "no-store");
      std::string page = p_->issuer() + "/login/" + http::form_encode(a.login_session_id);
      if (!started.page_token.empty()) page += "#page_token=" + http::form_encode(started.page_token);
      ex.response().set("Location", page);
      ex.send_empty(302);
    } catch (const RedirectError& e) {
      redirect_error(e);
    }
  } catch (const PageError& e) {
    send_page(ex, *p_, e.status, "登录请求无效 Invalid sign-in request",
              error_card("登录请求无效 · Invalid sign-in request", e));
  }
}

}  // namespace zhaoyin::oidc
