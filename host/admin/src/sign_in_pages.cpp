// GET/POST /admin/login, POST /admin/logout and GET /admin/ (the role's home).
#include "sign_in_pages.h"

#include <zhaoyin/admin/staff.h>
#include <zhaoyin/admin/staff_accounts.h>
#include <Poco/Net/NameValueCollection.h>
#include <ctime>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/redirect/redirect_target.h>

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

std::string local_time(std::int64_t unix_seconds) {
  // China Standard Time (UTC+8, no daylight saving), the staff's clock.
  const std::time_t t = static_cast<std::time_t>(unix_seconds + 8 * 3600);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M", &tm);
  return buf;
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
    StaffAccounts accounts(*ctx_->db);
    const SignInResult result = accounts.sign_in(username, password);
    switch (result.outcome) {
      case SignInOutcome::SignedIn: {
        const NewSession ns = accounts.start_session(*result.account);
        audit(*ctx_, username, "sign_in", "staff:" + username, {{"role", to_string(result.account->role)}});
        ex.response().add("Set-Cookie", session_cookie(*ctx_, ns.token,
                                                       std::chrono::duration_cast<std::chrono::seconds>(
                                                           StaffAccounts::kSessionLifetime)
                                                           .count()));
        return redirect(ex, next);
      }
      case SignInOutcome::Locked:
        audit(*ctx_, username, "sign_in_refused", "staff:" + username, {{"reason", "account_locked"}});
        return send_login(ex, *ctx_, next, username, 423, "account_locked",
                          "连续登录失败次数过多，账户已锁定至 " + local_time(result.locked_until) +
                              "（北京时间），请稍后再试（too many failed sign-ins: the account is locked for 15 minutes）");
      case SignInOutcome::WrongCredentials:
        break;
    }
    audit(*ctx_, username, "sign_in_failed", "staff:" + username);
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
