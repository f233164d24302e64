// The staged review (review_stages.h): deciding the current stage of the
// application's own review or of its submitted amendment, and the technical
// service provider's sign-off through a one-time link.
//
// Every decision is one transaction guarded on the state it was taken from
// (status or amendment state, stage index, round): of two reviewers deciding
// the same stage exactly one lands and the other gets 409. What an approval
// changes outside the access tables (the client, its plugin binding) follows
// the transaction and is taken back with it if it fails.
#include <zhaoyin/access/access_service.h>

#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/database.h>
#include <zhaoyin/store/extension_bindings.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

#include "access_repository.h"
#include "service_support.h"

namespace zhaoyin::access {

namespace {

using namespace detail;
using Change = AccessRepository::Change;

constexpr std::int64_t kLinkLifetimeSeconds = 7 * 24 * 3600;

std::string link_hash(const std::string& token) { return trust::hex_encode(trust::sm3(token)); }

[[noreturn]] void wrong_stage(const std::string& message) { throw AccessError(409, "wrong_stage", message); }

// 32 URL-safe characters (192 random bits), as on first approval.
std::string new_secret() { return trust::base64url_encode(trust::random_bytes(24)); }

const Amendment& amendment_of(const AccessApplication& a, int number) {
  for (const auto& m : a.amendments)
    if (m.number == number) return m;
  throw store::StoreError("access application " + a.id + " has no amendment " + std::to_string(number));
}

// The guard of a decision: the review is still where it was read.
Change guard(const AccessApplication& a, const PendingReview& review, const std::string& set,
             std::vector<AccessRepository::Value> set_values, std::int64_t at) {
  if (review.amendment == 0) {
    set_values.insert(set_values.end(), {at, a.id, to_string(a.status), std::int64_t{review.stage},
                                         std::int64_t{review.round}});
    return {"UPDATE access_applications SET " + set +
                ", updated_at = ? WHERE id = ? AND status = ? AND review_stage = ? AND review_round = ?",
            std::move(set_values)};
  }
  set_values.insert(set_values.end(), {at, a.id, std::int64_t{review.amendment}, std::int64_t{review.stage},
                                       std::int64_t{review.round}});
  return {"UPDATE access_amendments SET " + set +
              ", updated_at = ? WHERE application_id = ? AND number = ? AND state = 'submitted'"
              " AND review_stage = ? AND review_round = ?",
          std::move(set_values)};
}

// A decision that did not land: the review moved on since it was read.
[[noreturn]] void lost(AccessService& service, const AccessApplication& a, const PendingReview& review, Action action) {
  const auto fresh = service.find(a.id);
  const auto now = fresh ? pending_review(*fresh) : std::nullopt;
  // An amendment comes into force only on an active application.
  const bool blocked = review.amendment != 0 && fresh && fresh->status != Status::Active;
  if (!blocked && now && now->amendment == review.amendment && now->round == review.round)
    wrong_stage("stage '" + review.current().key + "' of access application " + a.id + " was decided meanwhile");
  invalid_transition(fresh ? *fresh : a, action);
}

// Decides the current stage of `review` (every check done before); `extra`
// runs in the same transaction.
void decide(AccessService& service, store::Database& db, const AccessApplication& a, const PendingReview& review,
            const Actor& actor, Action action, const std::string& opinion, std::optional<Credentials>* issued,
            const std::vector<Change>& extra) {
  AccessRepository repo(db);
  const auto& stage = review.current();
  const bool approves = (action == Action::Pass || action == Action::Accept || action == Action::Approve) && review.last();
  // The trail says what happened: 受理 on the first stage, 批准 when the last one approves.
  Action recorded = action;
  if (approves) recorded = Action::Approve;
  else if (action == Action::Pass && review.stage == 0 && review.amendment == 0) recorded = Action::Accept;
  else if (action == Action::Accept) recorded = review.stage == 0 ? Action::Accept : Action::Pass;

  const auto now = Clock::now();
  const auto at = epoch_seconds(now);
  Status to = a.status;
  std::vector<Change> changes;
  std::string client_id;
  std::string secret;
  std::string previous_form;  // an amendment's approval: the version it replaces
  if (review.amendment == 0) {
    if (action == Action::Return) to = Status::Returned;
    else if (action == Action::Reject) to = Status::Rejected;
    else if (approves) to = Status::Active;
    else to = Status::Accepted;
    if (approves) {
      client_id = "app-" + random_hex(8);
      secret = new_secret();
      changes.push_back(guard(a, review, "status = 'active', client_id = ?, version = 1", {client_id}, at));
      changes.push_back({"INSERT INTO access_versions (application_id, version, amendment, form_json, approved_by,"
                         " approved_at) VALUES (?, 1, 0, ?, ?, ?)",
                         {a.id, to_json(a.form).dump(), actor.username, at}});
    } else if (to == Status::Accepted) {
      changes.push_back(guard(a, review, "status = 'accepted', review_stage = ?", {std::int64_t{review.stage + 1}}, at));
    } else {
      changes.push_back(guard(a, review, "status = ?", {to_string(to)}, at));
    }
  } else {
    const auto& amendment = amendment_of(a, review.amendment);
    if (action == Action::Return) {
      changes.push_back(guard(a, review, "state = 'returned'", {}, at));
    } else if (action == Action::Reject) {
      changes.push_back(guard(a, review, "state = 'rejected'", {}, at));  // changes nothing in force
    } else if (approves) {
      previous_form = to_json(a.form).dump();
      const std::int64_t next = a.version + 1;
      changes.push_back(guard(a, review, "state = 'approved'", {}, at));
      // The amended form comes into force only if the application is still
      // active and no other version came in meanwhile.
      changes.push_back({"UPDATE access_applications SET form_json = ?, version = ?, updated_at = ?"
                         " WHERE id = ? AND status = 'active' AND version = ?",
                         {to_json(amendment.form).dump(), next, at, a.id, std::int64_t{a.version}}});
      changes.push_back({"INSERT INTO access_versions (application_id, version, amendment, form_json, approved_by,"
                         " approved_at) VALUES (?, ?, ?, ?, ?, ?)",
                         {a.id, next, std::int64_t{amendment.number}, to_json(amendment.form).dump(), actor.username, at}});
    } else {
      changes.push_back(guard(a, review, "review_stage = ?", {std::int64_t{review.stage + 1}}, at));
    }
  }
  changes.insert(changes.end(), extra.begin(), extra.end());
  TrailEntry entry{0, recorded, a.status, to, actor.username, actor.role, opinion, now, review.amendment, stage.key,
                   stage.label};
  const auto seq = repo.transact(a.id, changes, entry);
  if (!seq) lost(service, a, review, action);
  if (!approves) return;

  // Outside the access tables: create the client, or change its terms.
  store::ApplicationRepository applications(db);
  store::ExtensionBindingRepository bindings(db);
  try {
    if (review.amendment == 0) {
      applications.create(application_from(a.form, client_id), secret);
      if (!a.form.department.empty()) bindings.set(client_id, store::ExtensionKind::Plugin, {a.form.department});
    } else {
      const auto& form = amendment_of(a, review.amendment).form;
      if (!applications.update_terms(application_from(form, a.client_id)))
        throw store::StoreError("access application " + a.id + ": its client " + a.client_id + " is missing");
      if (form.department != a.form.department) {
        std::vector<std::string> plugin;
        if (!form.department.empty()) plugin.push_back(form.department);
        bindings.set(a.client_id, store::ExtensionKind::Plugin, plugin);
      }
    }
  } catch (...) {
    // Take the approval back, trail entry included; the consequence outside
    // is undone too (a half-made client revoked, the old terms restored).
    std::vector<Change> undo;
    if (review.amendment == 0) {
      try {
        applications.set_status(client_id, store::ApplicationStatus::Revoked);
      } catch (...) {
      }
      undo.push_back({"UPDATE access_applications SET status = ?, client_id = NULL, version = 0 WHERE id = ?",
                      {to_string(a.status), a.id}, false});
      undo.push_back({"DELETE FROM access_versions WHERE application_id = ? AND version = 1", {a.id}, false});
    } else {
      try {
        applications.update_terms(application_from(a.form, a.client_id));
      } catch (...) {
      }
      undo.push_back({"UPDATE access_amendments SET state = 'submitted' WHERE application_id = ? AND number = ?",
                      {a.id, std::int64_t{review.amendment}}, false});
      undo.push_back({"UPDATE access_applications SET form_json = ?, version = ? WHERE id = ?",
                      {previous_form, std::int64_t{a.version}, a.id}, false});
      undo.push_back({"DELETE FROM access_versions WHERE application_id = ? AND version = ?",
                      {a.id, std::int64_t{a.version + 1}}, false});
    }
    undo.push_back({"DELETE FROM access_trail WHERE application_id = ? AND seq = ?", {a.id, *seq}, false});
    repo.transact(a.id, undo, std::nullopt);
    throw;
  }
  if (issued && review.amendment == 0) *issued = Credentials{client_id, secret};
}

// The checks every decision shares, staff or provider: the step fits the stage.
void check_step(const AccessApplication& a, const PendingReview& review, Action action, const std::string& opinion,
                const std::string& stage) {
  const auto& current = review.current();
  if (!stage.empty() && stage != current.key)
    wrong_stage("access application " + a.id + " is at stage '" + current.key + "', not '" + stage + "'");
  if (action == Action::Accept && review.stage != 0)
    wrong_stage("受理 is the first stage; access application " + a.id + " is at '" + current.label + "'");
  if (action == Action::Approve && !review.last())
    wrong_stage("批准 is the last stage's decision; access application " + a.id + " is at '" + current.label +
                "' (no stage may be skipped)");
  if (action == Action::Reject && review.stage == 0)
    wrong_stage("the first stage accepts or returns; 不予批准 comes at a later stage");
  if ((action == Action::Return || action == Action::Reject) && trimmed(opinion).empty())
    throw AccessError(422, "opinion_required", "a " + to_string(action) + " needs an opinion (意见) saying why");
}

}  // namespace

AccessApplication AccessService::review_step(const Actor& actor, const std::string& id, Action action,
                                             const std::string& opinion, std::optional<Credentials>* issued,
                                             const std::string& stage) {
  const auto a = load(id);
  if (!a) not_found(id);
  if (actor.role != kReviewer && actor.role != kOperator)
    throw AccessError(403, "role_not_allowed", "the role '" + actor.role + "' may not review access applications");
  const auto review = pending_review(*a);
  if (!review) invalid_transition(*a, action);
  const auto& current = review->current();
  // A decision on a stage decided meanwhile (a stale page, the loser of a
  // race) is told so before whether this actor could decide the next one.
  if (!stage.empty() && stage != current.key)
    wrong_stage("access application " + id + " is at stage '" + current.key + "', not '" + stage + "'");
  if (current.provider)
    throw AccessError(403, "not_the_provider",
                      "stage '" + current.label + "' is the technical service provider's sign-off (its one-time link)");
  if (!current.assigned_to(actor.username, actor.role)) {
    if (!current.users.empty())
      throw AccessError(403, "not_assigned", "stage '" + current.label + "' is assigned to " + current.assignees_text());
    throw AccessError(403, "role_not_allowed",
                      "the role '" + actor.role + "' may not decide stage '" + current.label + "'");
  }
  check_step(*a, *review, action, opinion, stage);
  decide(*this, *db_, *a, *review, actor, action, opinion, issued, {});
  return *load(id);
}

ProviderLinkIssued AccessService::mint_provider_link(const Actor& actor, const std::string& id) {
  const auto a = load(id);
  if (!a) not_found(id);
  require_role(actor, {kApplicant, kReviewer, kOperator}, "hand out provider sign-off links");
  if (actor.role == kApplicant) require_owner(actor, *a);
  const auto review = pending_review(*a);
  if (!review || !review->current().provider)
    wrong_stage("access application " + id + " is not waiting for the technical service provider's sign-off");
  ProviderLinkIssued issued;
  issued.token = trust::base64url_encode(trust::random_bytes(32));
  const auto now = Clock::now();
  issued.expires_at = std::chrono::time_point_cast<std::chrono::seconds>(now) + std::chrono::seconds(kLinkLifetimeSeconds);
  const auto at = epoch_seconds(now);
  // A new link replaces the unused ones: only the latest handed out works.
  const std::vector<Change> changes = {
      {"DELETE FROM access_provider_links WHERE application_id = ? AND used_at IS NULL", {id}, false},
      {"INSERT INTO access_provider_links (token_hash, application_id, amendment, review_round, stage, minted_by,"
       " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
       {link_hash(issued.token), id, std::int64_t{review->amendment}, std::int64_t{review->round},
        review->current().key, actor.username, at, at + kLinkLifetimeSeconds}}};
  AccessRepository(*db_).transact(id, changes, std::nullopt);
  return issued;
}

ProviderReview AccessService::provider_review(const std::string& token) const {
  const auto link = token.empty() || token.size() > 128 ? std::nullopt : AccessRepository(*db_).find_link(link_hash(token));
  if (!link) throw AccessError(404, "link_not_found", "没有这个确认链接 (no such sign-off link)");
  if (link->used) throw AccessError(410, "link_used", "此确认链接已使用 (this sign-off link has been used)");
  if (epoch_seconds(Clock::now()) >= link->expires_at)
    throw AccessError(410, "link_expired", "此确认链接已过期 (this sign-off link has expired)");
  const auto a = load(link->application_id);
  if (!a) throw AccessError(404, "link_not_found", "没有这个确认链接 (no such sign-off link)");
  const auto review = pending_review(*a);
  // Returned and resubmitted, or decided otherwise: the link was for a round that is over.
  if (!review || review->amendment != link->amendment || review->round != link->round ||
      review->current().key != link->stage)
    throw AccessError(410, "link_expired", "申请已不在此确认环节，链接失效 (the review has moved on)");
  ProviderReview out{*a, review->amendment, review->current(), a->form};
  if (review->amendment != 0) out.form = amendment_of(*a, review->amendment).form;
  return out;
}

AccessApplication AccessService::provider_sign_off(const std::string& token, const std::string& person, Action decision,
                                                   const std::string& opinion) {
  const auto view = provider_review(token);
  if (decision != Action::Pass && decision != Action::Return)
    throw AccessError(400, "invalid_action", "the provider confirms (pass) or returns");
  const auto signer = trimmed(person);
  if (signer.empty() || signer.size() > 64)
    throw AccessError(422, "signer_required", "请填写确认人姓名 (the signer's name, up to 64 bytes)");
  const auto review = *pending_review(view.application);
  check_step(view.application, review, decision, opinion, "");
  const std::vector<Change> use_up = {
      {"UPDATE access_provider_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
       {epoch_seconds(Clock::now()), link_hash(token)}}};
  decide(*this, *db_, view.application, review, Actor{signer, kProvider}, decision, opinion, nullptr, use_up);
  return *load(view.application.id);
}

}  // namespace zhaoyin::access
