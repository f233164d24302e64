// Template data of access applications, and who may see which (see application_views.h).
#include "application_views.h"

#include <ctime>
#include <zhaoyin/access/form_labels.h>

#include "application_form.h"
#include "scenario_form.h"

namespace zhaoyin::admin {

namespace {

using access::AccessApplication;
using access::Action;
using access::Status;
using nlohmann::json;

bool is_one_of(Status s, std::initializer_list<Status> set) {
  for (auto x : set)
    if (s == x) return true;
  return false;
}

json button(Action a, const std::string& style, bool needs_opinion) {
  return {{"action", access::to_string(a)},
          {"label", access::action_label(a)},
          {"style", style},
          {"needs_opinion", needs_opinion}};
}

// The review steps this staff member may take now (the service decides in
// the end; a button it would refuse is not offered).
json review_buttons(const AccessApplication& a, Role role) {
  json out = json::array();
  if (role == Role::Reviewer && a.status == Status::Submitted) {
    out.push_back(button(Action::Accept, "primary", false));
    out.push_back(button(Action::Return, "secondary", true));
  }
  if ((role == Role::Reviewer || role == Role::Operator) && a.status == Status::Accepted) {
    out.push_back(button(Action::Approve, "primary", false));
    if (role == Role::Reviewer) out.push_back(button(Action::Return, "secondary", true));
    out.push_back(button(Action::Reject, "danger", true));
  }
  return out;
}

json operator_buttons(const AccessApplication& a, Role role) {
  json out = json::array();
  if (role != Role::Operator) return out;
  if (a.status == Status::Active) out.push_back(button(Action::Suspend, "secondary", true));
  if (a.status == Status::Suspended) out.push_back(button(Action::Resume, "primary", false));
  if (is_one_of(a.status, {Status::Active, Status::Suspended})) out.push_back(button(Action::Revoke, "danger", true));
  return out;
}

}  // namespace

access::Actor actor_of(const StaffSession& staff) { return {staff.username, to_string(staff.role)}; }

AccessApplication visible_application(const access::AccessService& service, const StaffSession& staff,
                                      const std::string& id) {
  auto a = service.find(id);
  if (!a) throw access::AccessError(404, "not_found", "没有这个接入申请 (no access application " + id + ")");
  if (staff.role == Role::Applicant && a->owner != staff.username)
    throw access::AccessError(403, "not_your_application", "这不是您的接入申请 (not your access application)");
  return *a;
}

std::string beijing_time(const access::TimePoint& t) {
  if (t == access::TimePoint{}) return "";
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", &tm);
  return buffer;
}

json summary_view(const AccessApplication& a) {
  std::string title = a.form.system_name;
  if (title.empty()) title = a.form.org_name;
  if (title.empty()) title = "（未命名的申请）";
  return {{"id", a.id},
          {"title", title},
          {"org_name", a.form.org_name},
          {"uscc", a.form.uscc},
          {"owner", a.owner},
          {"status", access::to_string(a.status)},
          {"status_label", access::status_label(a.status)},
          {"client_id", a.client_id},
          {"created", beijing_time(a.created_at)},
          {"updated", beijing_time(a.updated_at)},
          {"href", "/admin/applications/" + a.id}};
}

json trail_view(const AccessApplication& a) {
  json out = json::array();
  for (const auto& t : a.trail) {
    out.push_back({{"seq", t.seq},
                   {"action", access::to_string(t.action)},
                   {"action_label", access::action_label(t.action)},
                   {"from_label", access::status_label(t.from)},
                   {"to_label", access::status_label(t.to)},
                   {"actor", t.actor},
                   {"role_label", access::role_label(t.role)},
                   {"opinion", t.opinion},
                   {"at", beijing_time(t.at)}});
  }
  return out;
}

json detail_view(const AccessApplication& a, const StaffSession& staff) {
  const bool owner = staff.role == Role::Applicant && a.owner == staff.username;
  const json review = review_buttons(a, staff.role);
  const json operate = operator_buttons(a, staff.role);
  json acknowledgement = nullptr;
  if (const auto ack = access::acknowledgement_of(a))
    acknowledgement = {{"statement", ack->statement}, {"by", ack->by}, {"at", beijing_time(ack->at)}};
  return {{"application", summary_view(a)},
          {"acknowledgement", acknowledgement},
          {"sections", form_readonly_view(a.form)},
          {"scenarios", scenarios_readonly_view(a.form, "/admin/applications/" + a.id)},
          {"trail", trail_view(a)},
          {"can",
           {{"edit", owner && is_one_of(a.status, {Status::Draft, Status::Returned})},
            {"review", !review.empty()},
            {"operate", !operate.empty()},
            {"rotate", staff.role == Role::Operator && a.status == Status::Active}}},
          {"review_buttons", review},
          {"operator_buttons", operate}};
}

void send_detail(http::Exchange& ex, const http::HostContext& ctx, const StaffSession& staff,
                 const AccessApplication& a, int status, const std::string& error_code,
                 const std::string& error_message, const std::string& opinion) {
  json data = detail_view(a, staff);
  data["opinion"] = opinion;
  if (!error_code.empty()) data["refusal"] = {{"code", error_code}, {"message", error_message}};
  send_page(ex, ctx, staff, summary_view(a)["title"].get<std::string>() + " · 接入申请", "applications/detail",
            std::move(data), status);
}

void send_access_error(http::Exchange& ex, const http::HostContext& ctx, const access::AccessError& e) {
  send_error_page(ex, ctx, e.status(), e.code(), e.what());
}

}  // namespace zhaoyin::admin
