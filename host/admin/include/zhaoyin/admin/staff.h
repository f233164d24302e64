#pragma once
// Staff accounts and their browser sessions, shared by every /admin page.
//
// Roles: applicant (a relying party's staff: fills access applications),
// reviewer (受理 and 审核: accepts, returns, approves, rejects), operator
// (批准 and the running platform: applications' status, credentials,
// plugins, scripts, audit log, usage). Passwords are stored as scrypt hashes
// (OpenSSL EVP_PKEY_SCRYPT, a random salt per account). After 5 failed
// sign-ins in a row an account is locked for 15 minutes.
//
// A session is a random token in a cookie (zhaoyin_staff; HttpOnly,
// SameSite=Strict, Path=/admin, Secure when public_url is https), stored
// hashed; it ends after 8 hours or 30 idle minutes, or at sign-out. Every
// state-changing form carries the session's CSRF token in a hidden field
// named "csrf"; a POST without it (or with another session's) is refused.
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/form.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::admin {

enum class Role { Applicant, Reviewer, Operator };
std::string to_string(Role r);                       // applicant | reviewer | operator
std::optional<Role> role_from(const std::string& s);
std::string role_label(Role r);                      // 申请人 | 审核员 | 运维管理员

struct StaffSession {
  std::string username;
  std::string display_name;
  Role role = Role::Applicant;
  std::string csrf_token;  // put in every form as <input type=hidden name=csrf>
};

// The signed-in staff member of this request, if any (expired or unknown
// sessions are none).
std::optional<StaffSession> current_staff(http::Exchange& ex, const http::HostContext& ctx);

// For page handlers. Not signed in: throws a 303 redirect to
// /admin/login?next=<this path>. Signed in with another role: throws 403
// role_not_allowed (rendered as a page by the admin edge).
StaffSession require_staff(http::Exchange& ex, const http::HostContext& ctx, std::initializer_list<Role> roles);

// For every POST: 403 csrf_failed unless `form` has field "csrf" equal to the
// session's token (constant-time comparison).
void require_csrf(const StaffSession& staff, const http::FormFields& form);

// Appends to the audit log (who, what, which object, detail, when, request id).
void audit(const http::HostContext& ctx, const std::string& actor, const std::string& action,
           const std::string& target, const nlohmann::json& detail = nlohmann::json::object());

// Sends `template_name` from the admin templates, inside the shared admin
// layout (navigation for the staff member's role, sign-out form, Sandbox
// ribbon), with `data` plus {"staff":{...},"csrf":"...","sandbox":bool}.
void send_page(http::Exchange& ex, const http::HostContext& ctx, const std::optional<StaffSession>& staff,
               const std::string& title, const std::string& template_name, nlohmann::json data, int status = 200);

// 303 See Other to `location` (a path on this host).
void redirect(http::Exchange& ex, const std::string& location);

// --- Additions (admin helper) -------------------------------------------

// The name of the session cookie.
inline constexpr const char* kStaffCookie = "zhaoyin_staff";

// Sends the shared error page (inside the layout) with `status`, the stable
// error code and a message. Page handlers may also just throw http::ApiError:
// every /admin route runs behind the admin edge, which renders any ApiError
// (and store outages, 503 store_unavailable) this way instead of as JSON, and
// turns a 3xx ApiError with a Location header into a plain redirect.
void send_error_page(http::Exchange& ex, const http::HostContext& ctx, int status, const std::string& code,
                     const std::string& message);

// Navigation targets in the layout, by role (the application pages live under
// /admin/applications): applicant: 我的申请 /admin/applications;
// reviewer: 接入申请 /admin/applications; operator: 接入申请, 插件 /admin/plugins,
// 脚本 /admin/scripts, 审计日志 /admin/audit, 用量 /admin/usage.

}  // namespace zhaoyin::admin
