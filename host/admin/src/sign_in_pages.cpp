// GET/POST /admin/login, POST /admin/logout and GET /admin/ (the role's home).
#include "sign_in_pages.h"

#include <zhaoyin/admin/staff.h>
#include <zhaoyin/admin/staff_accounts.h>
#include <Poco/Net/NameValueCollection.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/redirect/redirect_target.h>
#include <zhaoyin/http/client_source.h>

namespace zhaoyin::admin {

namespace {

std::string field(const http::FormFields& form, const std::string& name) {
  for (const auto& [k, v] : form)
    if (k == name) return v;
  return {};
}

// Only paths under /admin on this host: never an open redirect. The path must
// pass the strict host-relative form (single leading '/', no "//" or "/\\",
// no control characters, spaces, raw non-ASCII, dot segments or
// percent-encoded separators: redirect/redirect_target.h); anything else —
// and anything outside /admin — goes to the staff home instead.
std::string safe_next(const std::string& next) {
  if (redirect::check_relative_path(next)) return "/admin/";
  if (next != "/admin" && next.rfind("/admin/", 0) != 0 && next.rfind("/admin?", 0) != 0) return "/admin/";
  return next;
}

std::string session_cookie(const http::HostContext& ctx, const std::string& value, long max_age) {
  std::string c = std::string(kStaffCookie) + "=" + value + "; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=" +
                  std::to_string(max_age);
  if (ctx.settings.public_url.rfind("https://", 0) == 0) c += "; Secure";
  return c;
}

void send_login(http::Exchange& ex, const http::HostContext& ctx, const std::string& next, const std::string& username,
                int status, const std::string& code, const std::string& message) {
  nlohmann::json data = {{"next", next}, {"username", username}};
  if (!code.empty()) data["error"] = {{"code", code}, {"message", message}};
  send_page(ex, ctx, std::nullopt, "登录 · 照印管理", "login", data, status);
}

class LoginPage final : public http::Handler {
 public:
  explicit LoginPage(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(http::Exchange& ex) override {
    const std::string next = safe_next(ex.query("next").value_or("/admin/"));
    if (current_staff(ex, *ctx_)) return redirect(ex, next);
    send_login(ex, *ctx_, next, "", 200, "", "");
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
};

class LoginSubmit final : public http::Handler {
 public:
  explicit LoginSubmit(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(http::Exchange& ex) override {
    const auto form = ex.form_body();
    const std::string username = field(form, "username").substr(0, 64);
    const std::string password = field(form, "password");
    const std::string next = safe_next(field(form, "next"));
    if (username.empty() || password.empty())
      return send_login(ex, *ctx_, next, username, 400, "invalid_request", "请输入用户名和密码（username and password are required）");
    // Throttled before the password is checked (and without counting): a
    // guesser learns nothing and costs no scrypt. The same answer whether or
    // not the account exists.
    const std::string source = http::client_source(ex, ctx_->settings.trusted_proxies);
    auto& guard = *ctx_->staff_sign_in_guard;
    const auto verdict = guard.check(source, username);
    if (!verdict.allowed) {
      http::count_throttled(*ctx_->metrics, "admin_login");
      ctx_->log->warn("admin: sign-in throttled", {{"request_id", ex.request_id()}, {"source", source},
                                                   {"retry_after", verdict.retry_after_seconds}});
      ex.response().set("Retry-After", std::to_string(verdict.retry_after_seconds));
      return send_login(ex, *ctx_, next, username, 429, "too_many_attempts",
                        "登录失败次数过多，请 " + std::to_string(verdict.retry_after_seconds) +
                            " 秒后再试（too many failed sign-ins from this address: try again in " +
                            std::to_string(verdict.retry_after_seconds) + " s）");
    }
    StaffAccounts accounts(*ctx_->db);
    const SignInResult result = accounts.sign_in(username, password);
    if (result.outcome == SignInOutcome::SignedIn) {
      guard.succeeded(source, username);
      const NewSession ns = accounts.start_session(*result.account);
      audit(*ctx_, username, "sign_in", "staff:" + username, {{"role", to_string(result.account->role)}});
      ex.response().add("Set-Cookie", session_cookie(*ctx_, ns.token,
                                                     std::chrono::duration_cast<std::chrono::seconds>(
                                                         StaffAccounts::kSessionLifetime)
                                                         .count()));
      return redirect(ex, next);
    }
    guard.failed(source, username);
    audit(*ctx_, username, "sign_in_failed", "staff:" + username, {{"source", source}});
    send_login(ex, *ctx_, next, username, 401, "invalid_credentials",
               "用户名或密码错误（wrong username or password）");
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
};

class LogoutSubmit final : public http::Handler {
 public:
  explicit LogoutSubmit(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(http::Exchange& ex) override {
    const StaffSession staff = require_staff(ex, *ctx_, {Role::Applicant, Role::Reviewer, Role::Operator});
    require_csrf(staff, ex.form_body());
    Poco::Net::NameValueCollection cookies;
    ex.request().getCookies(cookies);
    StaffAccounts(*ctx_->db).end_session(cookies.get(kStaffCookie, ""));
    audit(*ctx_, staff.username, "sign_out", "staff:" + staff.username);
    ex.response().add("Set-Cookie", session_cookie(*ctx_, "", 0));
    redirect(ex, "/admin/login");
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
};

class HomePage final : public http::Handler {
 public:
  explicit HomePage(std::shared_ptr<http::HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(http::Exchange& ex) override {
    const StaffSession staff = require_staff(ex, *ctx_, {Role::Applicant, Role::Reviewer, Role::Operator});
    send_page(ex, *ctx_, staff, "首页 · 照印管理", "home", nlohmann::json::object());
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
};

class RedirectToHome final : public http::Handler {
 public:
  void handle(http::Exchange& ex) override { redirect(ex, "/admin/"); }
};

}  // namespace

void register_sign_in_pages(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx) {
  pages.add<LoginPage>("GET", "/admin/login", ctx);
  pages.add<LoginSubmit>("POST", "/admin/login", ctx);
  pages.add<LogoutSubmit>("POST", "/admin/logout", ctx);
  pages.add<HomePage>("GET", "/admin/", ctx);
  pages.add<RedirectToHome>("GET", "/admin");
}

}  // namespace zhaoyin::admin
