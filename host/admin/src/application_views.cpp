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

// The decisions this staff member may take on the current stage (the
// service decides in the end; a button it would refuse is not offered): the
// first stage 受理 or 退回; a later one 通过 (批准 on the last), 退回, 不予批准.
json review_buttons(const AccessApplication& a, const StaffSession& staff) {
  json out = json::array();
  const auto review = access::pending_review(a);
  if (!review || !review->current().assigned_to(staff.username, to_string(staff.role))) return out;
  if (review->stage == 0 && !review->last()) {
    out.push_back(button(Action::Accept, "primary", false));
  } else {
    auto pass = button(review->last() ? Action::Approve : Action::Pass, "primary", false);
    pass["label"] = review->last() ? "批准（" + review->current().label + "）" : "通过（" + review->current().label + "）";
    out.push_back(pass);
  }
  out.push_back(button(Action::Return, "secondary", true));
  if (review->stage > 0) out.push_back(button(Action::Reject, "danger", true));
  return out;
}

std::string state_label(const std::string& state) {
  if (state == "passed") return "已通过";
  if (state == "returned") return "退回修改";
  if (state == "rejected") return "不予批准";
  if (state == "current") return "当前环节";
  return "待审核";
}

std::string assignees_label(const access::ReviewStage& s) {
  if (s.provider) return "技术服务方（一次性确认链接）";
  std::string out;
  for (const auto& r : s.roles) out += (out.empty() ? "" : "、") + access::role_label(r);
  for (const auto& u : s.users) out += (out.empty() ? "" : "、") + u;
  return out;
}

// Each stage of the latest round of one review: who decided, opinion, time.
json stages_view(const AccessApplication& a, int amendment) {
  json out = json::array();
  int serial = 0;
  for (const auto& r : access::stage_records(a, amendment)) {
    json row = {{"serial", ++serial},  {"key", r.stage.key},
                {"label", r.stage.label}, {"assignees", assignees_label(r.stage)},
                {"state", r.state},       {"state_label", state_label(r.state)},
                {"actor", ""},            {"role_label", ""},
                {"opinion", ""},          {"at", ""}};
    if (r.decision) {
      row["actor"] = r.decision->actor;
      row["role_label"] = access::role_label(r.decision->role);
      row["opinion"] = r.decision->opinion;
      row["at"] = beijing_time(r.decision->at);
    }
    out.push_back(std::move(row));
  }
  return out;
}

// The review waiting for a decision (or the application's latest), its
// stages, and whether this staff member may hand out the provider's link.
json review_view(const AccessApplication& a, const StaffSession& staff) {
  const auto review = access::pending_review(a);
  const int amendment = review ? review->amendment : 0;
  json out = {{"pending", review.has_value()},
              {"amendment", amendment},
              {"subject", amendment == 0 ? std::string("接入申请") : "变更申请 #" + std::to_string(amendment)},
              {"stages", stages_view(a, amendment)},
              {"any_stages", !access::stage_records(a, amendment).empty()}};
  if (review) {
    const auto& current = review->current();
    out["stage_key"] = current.key;
    out["stage_label"] = current.label;
    out["provider_stage"] = current.provider;
    const bool may_mint = staff.role == Role::Reviewer || staff.role == Role::Operator ||
                          (staff.role == Role::Applicant && a.owner == staff.username);
    out["can_mint_link"] = current.provider && may_mint;
  }
  return out;
}

json versions_view(const AccessApplication& a) {
  json versions = json::array();
  for (auto it = a.versions.rbegin(); it != a.versions.rend(); ++it) {
    versions.push_back({{"version", it->version},
                        {"source", it->amendment == 0 ? std::string("原申请") : "变更申请 #" + std::to_string(it->amendment)},
                        {"approved_by", it->approved_by},
                        {"approved_at", beijing_time(it->approved_at)},
                        {"in_force", it->version == a.version},
                        {"system_name", it->form.system_name},
                        {"systems", access::declared_endpoints(it->form).size()},
                        {"matters", it->form.matters.size()},
                        {"redirect_uris", it->form.redirect_uris.size()}});
  }
  json amendments = json::array();
  for (auto it = a.amendments.rbegin(); it != a.amendments.rend(); ++it) {
    amendments.push_back({{"number", it->number},
                          {"state", access::to_string(it->state)},
                          {"state_label", access::amendment_state_label(it->state)},
                          {"created_by", it->created_by},
                          {"created", beijing_time(it->created_at)},
                          {"updated", beijing_time(it->updated_at)}});
  }
  return {{"versions", versions}, {"amendments", amendments}, {"any", !versions.empty() || !amendments.empty()}};
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
  // An active application whose amendment is in review waits for reviewers too.
  const auto review = access::pending_review(a);
  std::string status_label = access::status_label(a.status);
  if (review && review->amendment != 0)
    status_label += "（变更申请 #" + std::to_string(review->amendment) + " 审核中：" + review->current().label + "）";
  else if (review)
    status_label += "（" + review->current().label + "）";
  return {{"id", a.id},
          {"title", title},
          {"org_name", a.form.org_name},
          {"uscc", a.form.uscc},
          {"owner", a.owner},
          {"status", access::to_string(a.status)},
          {"status_label", status_label},
          {"in_review", review.has_value()},
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
                   {"stage_label", t.stage_label},
                   {"amendment", t.amendment == 0 ? std::string() : "变更申请 #" + std::to_string(t.amendment)},
                   {"role_label", access::role_label(t.role)},
                   {"opinion", t.opinion},
                   {"at", beijing_time(t.at)}});
  }
  return out;
}

json detail_view(const AccessApplication& a, const StaffSession& staff) {
  const bool owner = staff.role == Role::Applicant && a.owner == staff.username;
  const json review = review_buttons(a, staff);
  const auto* open = access::open_amendment(a);
  const json operate = operator_buttons(a, staff.role);
  json acknowledgement = nullptr;
  if (const auto ack = access::acknowledgement_of(a))
    acknowledgement = {{"statement", ack->statement}, {"by", ack->by}, {"at", beijing_time(ack->at)}};
  return {{"application", summary_view(a)},
          {"acknowledgement", acknowledgement},
          {"sections", form_readonly_view(a.form)},
          {"scenarios", scenarios_readonly_view(a.form, "/admin/applications/" + a.id)},
          {"trail", trail_view(a)},
          {"review", review_view(a, staff)},
          {"history", versions_view(a)},
          {"open_amendment",
           open ? json{{"number", open->number}, {"state_label", access::amendment_state_label(open->state)},
                       {"editable", open->state != access::AmendmentState::Submitted}}
                : json(nullptr)},
          {"can",
           {{"edit", owner && is_one_of(a.status, {Status::Draft, Status::Returned})},
            {"review", !review.empty()},
            {"amend", owner && a.status == Status::Active &&
                          (!open || open->state != access::AmendmentState::Submitted)},
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
