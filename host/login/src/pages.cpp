// The hosted QR page (/login/{id}), its public state endpoint, the "new QR"
// renewal, and the sandbox demo (/demo/login). The page and its state are
// public: the 128-bit session id is the capability, and they never carry the
// verified subject (only the demo's own result page shows it, for sessions the
// demo created). Renewing is not public: it makes a new session (counted
// against the application's rate and volume, and calling its callback later),
// so it needs the application's bearer token or the session's page token.
#include <algorithm>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/html.h>
#include <zhaoyin/http/sandbox_demo.h>
#include <zhaoyin/http/usage_check.h>
#include <zhaoyin/login/login_service.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/store/application_repository.h>

#include "api_handlers.h"

namespace zhaoyin::login {

namespace {

using http::escape_html;

bool sandbox(const http::HostContext& ctx) { return http::sandbox_demo(ctx); }

LoginSession session_or_404(LoginService& service, const std::string& id) {
  auto s = service.find(id);
  if (!s) throw http::ApiError::not_found("no login session " + id);
  return *s;
}

std::string status_label(const std::string& status) {
  if (status == "pending") return "请使用电子营业执照扫描二维码 · Scan with your license wallet";
  if (status == "scanned") return "已扫码，请在手机上确认 · Confirm on your phone";
  if (status == "confirmed") return "登录成功 · Signed in";
  if (status == "rejected") return "已在手机上拒绝 · Rejected on the phone";
  if (status == "expired") return "二维码已过期 · The QR code has expired";
  if (status == "cancelled") return "已取消 · Cancelled";
  return status;
}

nlohmann::json page_state(const LoginSession& s) {
  return {{"status", s.status},
          {"label", status_label(s.status)},
          {"qr_text", s.qr_text},
          {"expires_at", protocol::rfc3339(s.expires_at)},
          {"return_url", s.request.return_url ? nlohmann::json(*s.request.return_url) : nlohmann::json(nullptr)}};
}

std::string demo_result_url(const std::string& id) { return "/demo/login/" + id + "/result"; }

const char* const kPageStyle = R"(<style>
.login { max-width: 420px; margin: 0 auto; text-align: center; }
.login .rp { font-size: 1.1rem; font-weight: 600; margin: .2rem 0; }
.login .matter { color: #555; margin: .2rem 0 1rem; }
.login .qr img { width: 264px; height: 264px; image-rendering: pixelated; }
.login .qr.faded img { opacity: .15; }
.login .qr-text { font-family: ui-monospace, monospace; font-size: .7rem; color: #888; word-break: break-all; }
/* The layout's button rule sets display, which would beat the hidden attribute. */
.login [hidden] { display: none; }
.login .status { font-size: 1.05rem; margin: 1rem 0; }
.login .status[data-status=confirmed] { color: #1a7f37; }
.login .status[data-status=expired], .login .status[data-status=rejected], .login .status[data-status=cancelled] { color: #b42318; }
dl.subject { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.subject dt { color: #555; }
</style>)";

// Long-polls /login/{id}/state and follows the session; no framework.
const char* const kPageScript = R"(
(function () {
  var root = document.getElementById('login');
  var id = root.getAttribute('data-session');
  var statusEl = document.getElementById('status');
  var renew = document.getElementById('renew');
  var qr = document.getElementById('qr');
  var last = statusEl.getAttribute('data-status');
  // The page token comes in the URL's fragment (#page_token=...), which the
  // browser never sends to a server or in a Referer; without it the page
  // cannot renew and offers no button.
  var m = /(?:^#|&)page_token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  var pageToken = m ? m[1] : null;
  function show(state) {
    last = state.status;
    statusEl.textContent = state.label;
    statusEl.setAttribute('data-status', state.status);
    var done = ['confirmed', 'rejected', 'expired', 'cancelled'].indexOf(state.status) >= 0;
    if (done) qr.classList.add('faded');
    if (state.status === 'expired' && pageToken) renew.hidden = false;
    if (state.status === 'confirmed' && state.return_url) window.location.assign(state.return_url);
    return done;
  }
  function poll() {
    fetch('/login/' + encodeURIComponent(id) + '/state?wait=25&last=' + encodeURIComponent(last), {cache: 'no-store'})
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (state) { if (!show(state)) poll(); })
      .catch(function () { setTimeout(poll, 2000); });
  }
  renew.addEventListener('click', function () {
    renew.disabled = true;
    fetch('/login/' + encodeURIComponent(id) + '/renew', {method: 'POST', headers: {'X-Login-Page-Token': pageToken}})
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (j.page_url) { window.location.assign(j.page_url); return; }
        if (j.error) { statusEl.textContent = j.error.message; statusEl.setAttribute('data-error', j.error.code); }
      })
      .catch(function () { renew.disabled = false; });
  });
  if (!show({status: last, label: statusEl.textContent, return_url: root.getAttribute('data-return-url') || null})) poll();
})();
)";

}  // namespace

void LoginPage::handle(http::Exchange& ex) {
  LoginService service(ctx_);
  const auto s = session_or_404(service, ex.param("id"));
  store::ApplicationRepository apps(*ctx_->db);
  const auto app = apps.find(s.client_id);
  const std::string id = escape_html(s.id);
  std::string body;
  body += "<section class=\"card login\" id=\"login\" data-session=\"" + id + "\" data-return-url=\"" +
          escape_html(s.request.return_url.value_or("")) + "\">\n";
  body += "<h1>扫码登录 <small>QR login</small></h1>\n";
  body += "<p class=\"rp\">" + escape_html(app ? app->name : s.client_id) + "</p>\n";
  if (s.request.matter) body += "<p class=\"matter\">办理事项 Matter: " + escape_html(*s.request.matter) + "</p>\n";
  body += "<figure class=\"qr\" id=\"qr\"><img src=\"/api/v1/login-sessions/" + id +
          "/qr.svg\" alt=\"登录二维码 login QR code\" width=\"264\" height=\"264\"></figure>\n";
  body += "<p class=\"qr-text\" id=\"qr-text\" data-qr-text=\"" + escape_html(s.qr_text) + "\">" + escape_html(s.qr_text) + "</p>\n";
  body += "<p class=\"status\" id=\"status\" data-status=\"" + escape_html(s.status) + "\">" + escape_html(status_label(s.status)) + "</p>\n";
  body += "<button type=\"button\" id=\"renew\" hidden>新二维码 · New QR code</button>\n";
  body += "<p class=\"hint\">有效期至 Valid until " + escape_html(protocol::rfc3339(s.expires_at)) + "</p>\n";
  body += "</section>\n";
  http::PageOptions options{"扫码登录 · QR login", kPageStyle, kPageScript, sandbox(*ctx_), {}};
  ex.response().set("Cache-Control", "no-store");
  http::send_page(ex, 200, options, body);
}

void LoginPageState::handle(http::Exchange& ex) {
  LoginService service(ctx_);
  auto s = session_or_404(service, ex.param("id"));
  const auto wait = wait_seconds(ex);
  const auto last = ex.query("last");
  if (wait.count() > 0 && last && *last == s.status) {
    if (auto changed = service.wait_for_change(s.id, *last, std::chrono::steady_clock::now() + wait)) s = *changed;
  }
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, page_state(s));
}

void RenewLoginPage::handle(http::Exchange& ex) {
  LoginService service(ctx_);
  const auto expired = session_or_404(service, ex.param("id"));
  // 1. Who asks: the owning application (its bearer token) or the page that
  //    holds the session's page token.
  std::optional<store::Application> app;
  if (ex.header("Authorization")) {
    const auto client = http::authenticate_bearer(ex, *ctx_);  // 401 invalid_token, 403 client_suspended
    http::require_scope(client, "login");
    if (client.application.client_id != expired.client_id)
      throw http::ApiError::forbidden("not_session_owner", "the login session belongs to another application");
    app = client.application;
  } else {
    const auto token = ex.header("X-Login-Page-Token").value_or("");
    if (token.empty())
      throw http::ApiError(401, "credentials_required",
                           "renewing needs the session's page token (X-Login-Page-Token) or the application's bearer token",
                           {{"WWW-Authenticate", "Bearer realm=\"zhaoyin\""}});
    if (!service.page_token_matches(expired, token))
      throw http::ApiError::forbidden("invalid_page_token", "the page token is not this login session's");
    app = store::ApplicationRepository(*ctx_->db).find(expired.client_id);
    if (!app) throw http::ApiError::not_found("the application of this session no longer exists");
    if (app->status != store::ApplicationStatus::Active)
      throw http::ApiError(403, "client_suspended", "application " + app->client_id + " is not active");
  }
  // 2. Whether this session may be renewed at all (nothing counted yet).
  service.check_renewable(expired, *app);
  // 3. A renewal is a new login session: the same admission as creating one.
  http::admit_usage(ex, *ctx_, *app, "login");
  auto fresh = service.renew(expired, *app);
  // The demo's result page follows its own session id.
  if (expired.request.return_url && *expired.request.return_url == demo_result_url(expired.id)) {
    service.set_return_url(fresh.id, demo_result_url(fresh.id));
  }
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(201, {{"id", fresh.id},
                     {"page_url", service.page_url(fresh)},
                     {"page_token", fresh.page_token},
                     {"expires_at", protocol::rfc3339(fresh.expires_at)},
                     {"renewals_left", std::max(0, max_renewals() - fresh.renewals)}});
}

void DemoLogin::handle(http::Exchange& ex) {
  if (!sandbox(*ctx_)) throw http::ApiError::not_found("the demo runs only with the sandbox authority");
  store::ApplicationRepository apps(*ctx_->db);
  for (const auto& app : apps.list()) {
    if (app.status != store::ApplicationStatus::Active) continue;
    if (std::find(app.needs.begin(), app.needs.end(), "login") == app.needs.end()) continue;
    LoginService service(ctx_);
    const auto s = service.create(app, LoginSessionRequest{});
    service.set_return_url(s.id, demo_result_url(s.id));
    // The fragment hands the page its token (never sent to a server).
    ex.response().set("Location", "/login/" + s.id + "#page_token=" + s.page_token);
    ex.response().set("Cache-Control", "no-store");
    ex.send_text(303, "text/plain; charset=utf-8", "See /login/" + s.id + "\n");
    return;
  }
  throw http::ApiError::not_found("no sandbox application has the login need");
}

void DemoLoginResult::handle(http::Exchange& ex) {
  if (!sandbox(*ctx_)) throw http::ApiError::not_found("the demo runs only with the sandbox authority");
  LoginService service(ctx_);
  const auto s = session_or_404(service, ex.param("id"));
  // Only sessions the demo made: a relying party's session never shows its subject here.
  if (!s.request.return_url || *s.request.return_url != demo_result_url(s.id))
    throw http::ApiError::not_found("no demo login session " + s.id);
  std::string body = "<section class=\"card\" id=\"result\" data-status=\"" + escape_html(s.status) + "\">\n";
  body += "<h1>演示登录结果 <small>Demo login result</small></h1>\n";
  body += "<p class=\"notice\">仅供演示 Demo only: a relying party reads this from <code>GET /api/v1/login-sessions/{id}</code> "
          "with its bearer token.</p>\n";
  if (s.status != "confirmed") {
    body += "<p>状态 Status: " + escape_html(status_label(s.status)) + "</p>\n<p><a class=\"button\" href=\"/demo/login\">再试一次 Try again</a></p>\n";
  } else {
    const auto& face = s.subject.value("face_info", nlohmann::json::object());
    const auto& holder = s.subject.value("holder", nlohmann::json::object());
    const auto text = [](const nlohmann::json& j, const char* k) {
      return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
    };
    body += "<dl class=\"subject\">\n";
    body += "<dt>企业名称 Enterprise</dt><dd id=\"enterprise-name\">" + escape_html(text(face, "name")) + "</dd>\n";
    body += "<dt>统一社会信用代码 USCC</dt><dd>" + escape_html(text(face, "uscc")) + "</dd>\n";
    body += "<dt>登录人 Holder</dt><dd id=\"holder-name\">" + escape_html(text(holder, "name")) + "</dd>\n";
    body += "<dt>身份 Role</dt><dd>" + escape_html(text(holder, "role_label")) + " (" + escape_html(text(holder, "role")) + ")</dd>\n";
    body += "<dt>执照序列号 License serial</dt><dd>" + escape_html(text(s.subject, "license_serial")) + "</dd>\n";
    if (s.authenticated_at)
      body += "<dt>认证时间 Authenticated at</dt><dd>" + escape_html(protocol::rfc3339(*s.authenticated_at)) + "</dd>\n";
    body += "</dl>\n";
  }
  body += "</section>\n";
  http::PageOptions options{"演示登录结果 · Demo login result", kPageStyle, "", true, {}};
  ex.response().set("Cache-Control", "no-store");
  http::send_page(ex, 200, options, body);
}

}  // namespace zhaoyin::login
