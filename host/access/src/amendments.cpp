// Amendments (变更申请) to an approved application: the owner edits a copy
// of the form and submits it; it goes through the review stages while the
// approved version stays in force (the client keeps its terms, tokens keep
// working); approval brings it into force as the next version
// (review_steps.cpp), rejection changes nothing.
#include <zhaoyin/access/access_service.h>

#include <zhaoyin/store/database.h>

#include "access_repository.h"
#include "service_support.h"

namespace zhaoyin::access {

namespace {

using namespace detail;
using Change = AccessRepository::Change;

[[noreturn]] void amendment_pending(const std::string& id) {
  throw AccessError(409, "amendment_pending",
                    "access application " + id + " has an amendment in review: wait for its decision");
}

// The application as its owner may amend it: theirs and active.
AccessApplication amendable(const std::optional<AccessApplication>& a, const Actor& applicant, const std::string& id,
                            Action action) {
  if (!a) not_found(id);
  require_role(applicant, {kApplicant}, "amend access applications");
  require_owner(applicant, *a);
  if (a->status != Status::Active) invalid_transition(*a, action);
  return *a;
}

}  // namespace

AccessApplication AccessService::save_amendment(const Actor& applicant, const std::string& id, const AccessForm& form) {
  const auto a = amendable(load(id), applicant, id, Action::Submit);
  AccessRepository repo(*db_);
  const auto at = epoch_seconds(Clock::now());
  const auto text = to_json(form).dump();
  if (const auto* open = open_amendment(a)) {
    if (open->state == AmendmentState::Submitted) amendment_pending(id);
    const std::vector<Change> edit = {
        {"UPDATE access_amendments SET form_json = ?, updated_at = ? WHERE application_id = ? AND number = ?"
         " AND state IN ('draft', 'returned')",
         {text, at, id, std::int64_t{open->number}}}};
    if (!repo.transact(id, edit, std::nullopt)) amendment_pending(id);
    return *load(id);
  }
  std::int64_t number = 1;
  for (const auto& m : a.amendments) number = std::max<std::int64_t>(number, m.number + 1);
  // Only while none is open (the partial unique index backs this up).
  const std::vector<Change> create = {
      {"INSERT INTO access_amendments (application_id, number, state, form_json, review_plan, review_stage,"
       " review_round, created_by, created_at, updated_at)"
       " SELECT ?, ?, 'draft', ?, '', 0, 0, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM access_amendments"
       " WHERE application_id = ? AND state IN ('draft', 'submitted', 'returned'))",
       {id, number, text, applicant.username, at, at, id}}};
  try {
    if (!repo.transact(id, create, std::nullopt)) amendment_pending(id);
  } catch (const store::StoreError&) {
    // PostgreSQL: a concurrent creation won the unique index.
    const auto fresh = load(id);
    if (fresh && open_amendment(*fresh)) amendment_pending(id);
    throw;
  }
  return *load(id);
}

AccessApplication AccessService::submit_amendment(const Actor& applicant, const std::string& id,
                                                  const std::vector<std::string>& known_matters,
                                                  const std::vector<std::string>& retired_matters) {
  const auto a = amendable(load(id), applicant, id, Action::Submit);
  const auto* open = open_amendment(a);
  if (!open) throw AccessError(409, "invalid_transition", "access application " + id + " has no amendment to submit");
  if (open->state == AmendmentState::Submitted) amendment_pending(id);
  auto errors = validate(open->form, known_matters, retired_matters);
  if (!errors.empty())
    throw AccessError(422, "invalid_form", "the amendment has " + std::to_string(errors.size()) + " problem(s)",
                      std::move(errors));
  const auto now = Clock::now();
  TrailEntry entry{0, Action::Submit, a.status, a.status, applicant.username, applicant.role,
                   acknowledgement_statement(), now, open->number};
  const std::vector<Change> changes = {
      {"UPDATE access_amendments SET state = 'submitted', review_stage = 0, review_round = review_round + 1,"
       " review_plan = ?, updated_at = ? WHERE application_id = ? AND number = ? AND state = ?",
       {plan_to_json(plan_for(open->form, stages())).dump(), epoch_seconds(now), id, std::int64_t{open->number},
        to_string(open->state)}},
      // Still active: an application suspended or revoked meanwhile is not amended.
      {"UPDATE access_applications SET updated_at = ? WHERE id = ? AND status = 'active'", {epoch_seconds(now), id}}};
  if (!AccessRepository(*db_).transact(id, changes, entry)) {
    const auto fresh = load(id);
    if (fresh && fresh->status == Status::Active) amendment_pending(id);
    invalid_transition(fresh ? *fresh : a, Action::Submit);
  }
  return *load(id);
}

}  // namespace zhaoyin::access
