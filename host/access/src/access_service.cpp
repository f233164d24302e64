// The review steps of access applications: who may take which step from
// which status, and what approval, suspension and rotation change outside
// the access tables (the store::Application and its plugin binding).
#include <zhaoyin/access/access_service.h>

#include <algorithm>
#include <zhaoyin/access/scenarios.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/database.h>
#include <zhaoyin/store/extension_bindings.h>
#include <zhaoyin/trust/bytes.h>

#include "access_repository.h"
#include "service_support.h"

namespace zhaoyin::access {

namespace detail {

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string random_hex(std::size_t bytes) { return trust::hex_encode(trust::random_bytes(bytes)); }

std::int64_t epoch_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

void not_found(const std::string& id) { throw AccessError(404, "not_found", "no access application " + id); }

void require_role(const Actor& actor, const std::vector<std::string>& roles, const std::string& what) {
  if (std::find(roles.begin(), roles.end(), actor.role) == roles.end())
    throw AccessError(403, "role_not_allowed", "the role '" + actor.role + "' may not " + what);
}

void require_owner(const Actor& actor, const AccessApplication& a) {
  if (a.owner != actor.username)
    throw AccessError(403, "not_your_application", "access application " + a.id + " belongs to another applicant");
}

void invalid_transition(const AccessApplication& a, Action action) {
  throw AccessError(409, "invalid_transition",
                    "cannot " + to_string(action) + " access application " + a.id + " while it is " + to_string(a.status));
}

store::Application application_from(const AccessForm& f, const std::string& client_id) {
  store::Application app;
  app.client_id = client_id;
  app.name = f.system_name;
  app.department = f.department;
  app.scope = f.scope;
  app.province = f.scope == "province" ? f.province : "";
  app.needs = f.needs;
  app.channels = f.channels;
  app.matters = f.matters;
  app.matter_functions = matter_functions(f);  // 附件2, enforced per matter at run time
  app.annual_volume = f.annual_volume_wan * 10000;
  app.peak_rate = f.peak_rate;
  app.redirect_uris = f.redirect_uris;
  // 用途 of the data interface, audited with every data-interface call.
  if (std::find(f.needs.begin(), f.needs.end(), "data_interface") != f.needs.end()) app.data_purpose = f.data_purpose;
  // 附件1's 办事系统: the hosts its redirect, return and callback URLs must lie on at use.
  for (const auto& endpoint : declared_endpoints(f)) app.declared_systems.push_back(redirect::to_string(endpoint));
  app.status = store::ApplicationStatus::Active;
  return app;
}

}  // namespace detail

namespace {

using namespace detail;

// An operator's step (or the applicant's submission): who may take it, from
// where, to where, and whether it needs a reason. The review's steps are
// decided by the stages (review_steps.cpp).
struct Rule {
  Action action;
  std::vector<std::string> roles;
  std::vector<Status> from;
  Status to;
  bool opinion_required;
};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> all = {
      {Action::Submit, {kApplicant}, {Status::Draft, Status::Returned}, Status::Submitted, false},
      {Action::Suspend, {kOperator}, {Status::Active}, Status::Suspended, true},
      {Action::Resume, {kOperator}, {Status::Suspended}, Status::Active, false},
      {Action::Revoke, {kOperator}, {Status::Active, Status::Suspended}, Status::Revoked, true},
      {Action::RotateSecret, {kOperator}, {Status::Active}, Status::Active, false},
  };
  return all;
}

const Rule& rule_for(Action action) {
  for (const auto& r : rules())
    if (r.action == action) return r;
  throw AccessError(400, "invalid_action", "unknown action");
}

bool known_role(const std::string& role) { return role == kApplicant || role == kReviewer || role == kOperator; }

// 32 URL-safe characters (192 random bits).
std::string new_secret() { return trust::base64url_encode(trust::random_bytes(24)); }

}  // namespace

AccessService::AccessService(std::shared_ptr<store::Database> db, ReviewPlan stages)
    : db_(std::move(db)), stages_(std::move(stages)) {
  if (!db_) throw std::invalid_argument("AccessService needs a database");
  // The configured stages are checked as the config is: at least one decided by staff.
  parse_review_stages(format_review_stages(stages_));
}

void AccessService::complete(AccessApplication& a) const {
  if (a.plan.empty()) a.plan = plan_for(a.form, stages_);
  for (auto& m : a.amendments)
    if (m.plan.empty()) m.plan = plan_for(m.form, stages_);
}

std::optional<AccessApplication> AccessService::load(const std::string& id) const {
  auto a = AccessRepository(*db_).find(id);
  if (a) complete(*a);
  return a;
}

AccessApplication AccessService::create_draft(const Actor& applicant, const AccessForm& form) {
  require_role(applicant, {kApplicant}, "create access applications");
  if (applicant.username.empty()) throw AccessError(403, "role_not_allowed", "an applicant needs a username");
  AccessApplication a;
  a.id = "apl-" + random_hex(12);
  a.owner = applicant.username;
  a.status = Status::Draft;
  a.form = form;
  a.created_at = a.updated_at = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());
  AccessRepository(*db_).insert(a);
  return a;
}

AccessApplication AccessService::save_draft(const Actor& applicant, const std::string& id, const AccessForm& form) {
  AccessRepository repo(*db_);
  auto a = repo.find(id);
  if (!a) not_found(id);
  require_role(applicant, {kApplicant}, "edit access applications");
  require_owner(applicant, *a);
  const std::vector<Status> editable = {Status::Draft, Status::Returned};
  if (std::find(editable.begin(), editable.end(), a->status) == editable.end())
    throw AccessError(409, "invalid_transition",
                      "access application " + id + " is " + to_string(a->status) + " and can no longer be edited");
  if (!repo.update_form(id, form, editable, Clock::now()))
    throw AccessError(409, "invalid_transition", "access application " + id + " changed status while being saved");
  return *load(id);
}

AccessApplication AccessService::submit(const Actor& applicant, const std::string& id,
                                        const std::vector<std::string>& known_matters,
                                        const std::vector<std::string>& retired_matters) {
  AccessRepository repo(*db_);
  auto a = load(id);
  if (!a) not_found(id);
  const auto& rule = rule_for(Action::Submit);
  require_role(applicant, rule.roles, "submit access applications");
  require_owner(applicant, *a);
  if (std::find(rule.from.begin(), rule.from.end(), a->status) == rule.from.end()) invalid_transition(*a, Action::Submit);
  auto errors = validate(a->form, known_matters, retired_matters);
  if (!errors.empty())
    throw AccessError(422, "invalid_form", "the form has " + std::to_string(errors.size()) + " problem(s)",
                      std::move(errors));
  // validate() refused a form without the tick; the trail entry is the record
  // of who acknowledged the rules and when (acknowledgement_of).
  TrailEntry entry{0,  Action::Submit, a->status, Status::Submitted, applicant.username, applicant.role,
                   acknowledgement_statement(), Clock::now()};
  // A new round: the first stage of the plan this form gets now.
  const std::vector<AccessRepository::Change> changes = {
      {"UPDATE access_applications SET status = 'submitted', review_stage = 0, review_round = review_round + 1,"
       " review_plan = ?, updated_at = ? WHERE id = ? AND status = ?",
       {plan_to_json(plan_for(a->form, stages_)).dump(), epoch_seconds(entry.at), id, to_string(a->status)}}};
  if (!repo.transact(id, changes, entry)) invalid_transition(*load(id), Action::Submit);
  return *load(id);
}

AccessApplication AccessService::act(const Actor& actor, const std::string& id, Action action,
                                     const std::string& opinion, std::optional<Credentials>* issued,
                                     const std::string& stage) {
  if (action == Action::RotateSecret) {
    auto credentials = rotate_secret(actor, id);
    if (issued) *issued = credentials;
    return *find(id);
  }
  if (action == Action::Submit)
    throw AccessError(409, "invalid_transition", "submitting checks the form against the matters on offer: use submit");
  if (action == Action::Accept || action == Action::Pass || action == Action::Approve || action == Action::Return ||
      action == Action::Reject)
    return review_step(actor, id, action, opinion, issued, stage);
  AccessRepository repo(*db_);
  auto a = load(id);
  if (!a) not_found(id);
  const auto& rule = rule_for(action);
  if (!known_role(actor.role) || std::find(rule.roles.begin(), rule.roles.end(), actor.role) == rule.roles.end())
    throw AccessError(403, "role_not_allowed", "the role '" + actor.role + "' may not " + to_string(action) +
                                                   " access applications");
  if (std::find(rule.from.begin(), rule.from.end(), a->status) == rule.from.end()) invalid_transition(*a, action);
  if (rule.opinion_required && trimmed(opinion).empty())
    throw AccessError(422, "opinion_required", "a " + to_string(action) + " needs an opinion (意见) saying why");

  TrailEntry entry{0, action, a->status, rule.to, actor.username, actor.role, opinion, Clock::now()};
  auto seq = repo.step(id, entry);
  if (!seq) invalid_transition(*load(id), action);
  entry.seq = *seq;
  std::optional<store::ApplicationStatus> new_status;
  if (action == Action::Suspend) new_status = store::ApplicationStatus::Suspended;
  if (action == Action::Resume) new_status = store::ApplicationStatus::Active;
  if (action == Action::Revoke) new_status = store::ApplicationStatus::Revoked;
  if (new_status && !a->client_id.empty()) {
    try {
      if (!store::ApplicationRepository(*db_).set_status(a->client_id, *new_status))
        throw store::StoreError("access application " + id + ": its client " + a->client_id + " is missing");
    } catch (...) {
      repo.undo_step(id, entry, false);
      throw;
    }
  }
  return *load(id);
}

Credentials AccessService::rotate_secret(const Actor& op, const std::string& id) {
  AccessRepository repo(*db_);
  auto a = repo.find(id);
  if (!a) not_found(id);
  const auto& rule = rule_for(Action::RotateSecret);
  require_role(op, rule.roles, "rotate client secrets");
  if (a->status != Status::Active || a->client_id.empty()) invalid_transition(*a, Action::RotateSecret);
  TrailEntry entry{0, Action::RotateSecret, Status::Active, Status::Active, op.username, op.role, "", Clock::now()};
  auto seq = repo.step(id, entry);
  if (!seq) invalid_transition(*repo.find(id), Action::RotateSecret);
  entry.seq = *seq;
  const auto secret = new_secret();
  try {
    if (!store::ApplicationRepository(*db_).set_secret(a->client_id, secret))
      throw store::StoreError("access application " + id + ": its client " + a->client_id + " is missing");
  } catch (...) {
    repo.undo_step(id, entry, false);
    throw;
  }
  return {a->client_id, secret};
}

std::optional<AccessApplication> AccessService::find(const std::string& id) const { return load(id); }

std::vector<AccessApplication> AccessService::list_for(const Actor& actor, std::optional<Status> status) const {
  std::vector<AccessApplication> all;
  if (actor.role == kApplicant) all = AccessRepository(*db_).list(actor.username, status);
  else if (actor.role == kReviewer || actor.role == kOperator) all = AccessRepository(*db_).list(std::nullopt, status);
  else throw AccessError(403, "role_not_allowed", "the role '" + actor.role + "' may not list access applications");
  for (auto& a : all) complete(a);
  return all;
}

}  // namespace zhaoyin::access
