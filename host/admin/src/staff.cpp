// staff.h: who is signed in (the session cookie), role and CSRF checks, the
// audit log, and pages inside the shared admin layout.
#include <zhaoyin/admin/staff.h>

#include <Poco/Net/NameValueCollection.h>
#include <openssl/crypto.h>
#include <zhaoyin/admin/staff_accounts.h>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/sandbox_demo.h>
#include <zhaoyin/http/form.h>

#include "admin_edge.h"
#include "admin_templates.h"

namespace zhaoyin::admin {

std::string to_string(Role r) {
  switch (r) {
    case Role::Applicant: return "applicant";
    case Role::Reviewer: return "reviewer";
    case Role::Operator: return "operator";
  }
  return "applicant";
}

std::optional<Role> role_from(const std::string& s) {
  if (s == "applicant") return Role::Applicant;
  if (s == "reviewer") return Role::Reviewer;
  if (s == "operator") return Role::Operator;
  return std::nullopt;
}

std::string role_label(Role r) {
  switch (r) {
    case Role::Applicant: return "申请人";
    case Role::Reviewer: return "审核员";
    case Role::Operator: return "运维管理员";
  }
  return "";
}

namespace {

std::optional<std::string> session_cookie(http::Exchange& ex) {
  Poco::Net::NameValueCollection cookies;
  ex.request().getCookies(cookies);
  const auto it = cookies.find(kStaffCookie);
  if (it == cookies.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

struct NavItem {
  const char* href;
  const char* label;
  const char* key;
};

std::vector<NavItem> navigation_for(Role role) {
  switch (role) {
    case Role::Applicant:
      return {{"/admin/", "首页", "home"}, {"/admin/applications", "我的申请", "applications"},
              {"/admin/scenarios", "场景清单", "scenarios"}};
    case Role::Reviewer:
      return {{"/admin/", "首页", "home"}, {"/admin/applications", "接入申请", "applications"},
              {"/admin/scenarios", "场景清单", "scenarios"}};
    case Role::Operator:
      return {{"/admin/", "首页", "home"},          {"/admin/applications", "接入申请", "applications"},
              {"/admin/scenarios", "场景清单", "scenarios"},
              {"/admin/matters", "事项目录", "matters"}, {"/admin/plugins", "插件", "plugins"},
              {"/admin/scripts", "脚本", "scripts"},
              {"/admin/audit", "审计日志", "audit"}, {"/admin/usage", "用量", "usage"}};
  }
  return {};
}

bool is_current(const std::string& path, const std::string& href) {
  if (href == "/admin/") return path == "/admin/" || path == "/admin";
  return path == href || path.rfind(href + "/", 0) == 0;
}

nlohmann::json staff_json(const StaffSession& s) {
  return {{"username", s.username},
          {"display_name", s.display_name},
          {"role", to_string(s.role)},
          {"role_label", role_label(s.role)},
          {"is_applicant", s.role == Role::Applicant},
          {"is_reviewer", s.role == Role::Reviewer},
          {"is_operator", s.role == Role::Operator}};
}

bool safe_local_path(const std::string& location) {
  return !location.empty() && location[0] == '/' && (location.size() < 2 || (location[1] != '/' && location[1] != '\\')) &&
         location.find_first_of("\r\n") == std::string::npos;
}

}  // namespace

std::optional<StaffSession> current_staff(http::Exchange& ex, const http::HostContext& ctx) {
  const auto token = session_cookie(ex);
  if (!token) return std::nullopt;
  StaffAccounts accounts(*ctx.db);
  return accounts.find_session(*token);
}

StaffSession require_staff(http::Exchange& ex, const http::HostContext& ctx, std::initializer_list<Role> roles) {
  auto staff = current_staff(ex, ctx);
  if (!staff) {
    const std::string location = "/admin/login?next=" + http::form_encode(ex.request().getURI());
    throw http::ApiError(303, "sign_in_required", "sign in first", {{"Location", location}});
  }
  for (Role r : roles)
    if (r == staff->role) return *staff;
  std::string allowed;
  for (Role r : roles) allowed += (allowed.empty() ? "" : ", ") + role_label(r);
  throw http::ApiError(403, "role_not_allowed",
                       "本页面仅限 " + allowed + "（this page is not open to the role " + to_string(staff->role) + "）");
}

void require_csrf(const StaffSession& staff, const http::FormFields& form) {
  const std::string* sent = nullptr;
  for (const auto& [name, value] : form)
    if (name == "csrf") sent = &value;
  const bool ok = sent && !staff.csrf_token.empty() && sent->size() == staff.csrf_token.size() &&
                  CRYPTO_memcmp(sent->data(), staff.csrf_token.data(), sent->size()) == 0;
  if (!ok)
    throw http::ApiError(403, "csrf_failed",
                         "表单已失效，请刷新页面后重试（the form's CSRF token is missing or does not match this session）");
}

void audit(const http::HostContext& ctx, const std::string& actor, const std::string& action,
           const std::string& target, const nlohmann::json& detail) {
  AuditEntry e;
  e.actor = actor;
  e.action = action;
  e.target = target;
  e.detail_json = detail.dump();
  e.request_id = current_request_id();
  StaffAccounts(*ctx.db).append_audit(e);
}

void send_page(http::Exchange& ex, const http::HostContext& ctx, const std::optional<StaffSession>& staff,
               const std::string& title, const std::string& template_name, nlohmann::json data, int status) {
  if (!data.is_object()) data = nlohmann::json::object();
  const bool sandbox = http::sandbox_demo(ctx);
  data["sandbox"] = sandbox;
  if (staff) {
    data["staff"] = staff_json(*staff);
    data["csrf"] = staff->csrf_token;
  }
  const auto& templates = admin_templates();
  nlohmann::json layout = {{"title", title}, {"sandbox", sandbox}};
  if (staff) {
    nlohmann::json nav = nlohmann::json::array();
    for (const auto& item : navigation_for(staff->role))
      nav.push_back({{"href", item.href}, {"label", item.label}, {"key", item.key},
                     {"current", is_current(ex.path(), item.href)}});
    layout["staff"] = staff_json(*staff);
    layout["csrf"] = staff->csrf_token;
    layout["nav"] = nav;
  }
  // The page body was rendered by the engine (escaped), so it is trusted markup.
  layout["content"] = render::Templates::trusted(templates.render(template_name, data));
  const std::string html = templates.render("layout", layout);
  auto& r = ex.response();
  r.set("Cache-Control", "no-store");
  r.set("X-Frame-Options", "DENY");
  r.set("X-Content-Type-Options", "nosniff");
  r.set("Referrer-Policy", "same-origin");
  // Scripts only from this host's files (/admin/static/*.js): no inline
  // script or event handler runs, so markup injected into a page stays inert.
  // Styles stay inline (<style> in the layout): CSS cannot run code.
  r.set("Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  ex.send_text(status, "text/html; charset=utf-8", html);
}

void send_error_page(http::Exchange& ex, const http::HostContext& ctx, int status, const std::string& code,
                     const std::string& message) {
  std::optional<StaffSession> staff;
  try {
    staff = current_staff(ex, ctx);
  } catch (const std::exception&) {
    // The store may be what failed; show the page without the navigation.
  }
  nlohmann::json data = {{"status", status}, {"code", code}, {"message", message},
                         {"request_id", ex.request_id()}, {"signed_in", staff.has_value()}};
  send_page(ex, ctx, staff, "错误 " + std::to_string(status), "error", data, status);
}

void redirect(http::Exchange& ex, const std::string& location) {
  ex.response().set("Location", safe_local_path(location) ? location : "/admin/");
  ex.response().set("Cache-Control", "no-store");
  ex.send_empty(303);
}

}  // namespace zhaoyin::admin
