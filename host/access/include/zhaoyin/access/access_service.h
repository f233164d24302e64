#pragma once
// The access applications' store and review steps. One instance per host
// (thread-safe); every step is one store transaction, so a step either
// happens with its trail entry or not at all.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/access/access_application.h>

namespace zhaoyin::store {
class Database;
}

namespace zhaoyin::access {

// Who is acting: a staff member as the admin pages authenticated them.
struct Actor {
  std::string username;
  std::string role;  // applicant | reviewer | operator (provider: only through its one-time link)
};

// Issued once, on approval or rotation: the secret is not stored in clear and
// cannot be shown again.
struct Credentials {
  std::string client_id;
  std::string client_secret;
};

// The 技术服务方确认 link, shown once to whoever minted it: only its SM3 is stored.
struct ProviderLinkIssued {
  std::string token;  // 43 URL-safe characters (256 random bits)
  TimePoint expires_at{};
};

// What the provider sees behind a valid link: the application, which review
// (0: the application's own, n: amendment n), the stage, and the form under review.
struct ProviderReview {
  AccessApplication application;
  int amendment = 0;
  ReviewStage stage;
  AccessForm form;
};

class AccessService {
 public:
  // `stages`: the configured review (access.review_stages); each submission
  // takes the plan of its form from it (plan_for).
  explicit AccessService(std::shared_ptr<store::Database> db, ReviewPlan stages = default_review_stages());
  const ReviewPlan& stages() const { return stages_; }

  // Applicants: create and edit drafts (saved even when invalid: drafts are
  // drafts), submit (validates; AccessError 422 invalid_form with every field
  // error). Editing is allowed in draft and returned only, by the owner.
  AccessApplication create_draft(const Actor& applicant, const AccessForm& form);
  AccessApplication save_draft(const Actor& applicant, const std::string& id, const AccessForm& form);
  AccessApplication submit(const Actor& applicant, const std::string& id, const std::vector<std::string>& known_matters,
                           const std::vector<std::string>& retired_matters = {});

  // The review (review_stages.h): pass, accept (= pass the first stage),
  // approve (= pass the last stage), return, reject — on the review waiting
  // for a decision (the application's own, or its submitted amendment's),
  // by the staff the current stage is assigned to. `stage`, when given, must
  // be the current stage's key (409 wrong_stage: a stale page, or a stage
  // skipped). Passing the last stage of the application's own review creates
  // the active store::Application (needs, scope, province, channels, matters,
  // annual volume = 万次 × 10000, peak rate, redirect URIs, department) and
  // returns its credentials in `issued`; of an amendment's, it puts the
  // amended form in force (a new approved version; same credentials).
  // Operators: suspend, resume, revoke change the client's status too.
  AccessApplication act(const Actor& actor, const std::string& id, Action action, const std::string& opinion,
                        std::optional<Credentials>* issued = nullptr, const std::string& stage = "");

  // Amendments (变更申请) to an active application, by its owner: save
  // creates the open amendment from `form` or edits it (draft, returned);
  // 409 amendment_pending while one is in review. Submitting validates it
  // and starts its review; the approved version stays in force meanwhile.
  AccessApplication save_amendment(const Actor& applicant, const std::string& id, const AccessForm& form);
  AccessApplication submit_amendment(const Actor& applicant, const std::string& id,
                                     const std::vector<std::string>& known_matters,
                                     const std::vector<std::string>& retired_matters = {});

  // The 技术服务方确认 stage. The owner or a reviewer/operator mints a link
  // while a review is at that stage (a new one replaces the unused old one);
  // valid 7 days, once, for this round and stage only. Opening it:
  // 404 link_not_found, 410 link_used / link_expired (also when the review
  // has moved on). Signing off records `person` (required, ≤ 64 characters,
  // 422 signer_required) with role provider; `decision` is Pass or Return.
  ProviderLinkIssued mint_provider_link(const Actor& actor, const std::string& id);
  ProviderReview provider_review(const std::string& token) const;
  AccessApplication provider_sign_off(const std::string& token, const std::string& person, Action decision,
                                      const std::string& opinion);

  // Operators: a new secret for an active application (the old one stops working at once).
  Credentials rotate_secret(const Actor& op, const std::string& id);

  std::optional<AccessApplication> find(const std::string& id) const;
  // Applicants see their own; reviewers and operators see all (optionally one status).
  std::vector<AccessApplication> list_for(const Actor& actor, std::optional<Status> status = std::nullopt) const;

 private:
  // The application with its review plan (one submitted before migration 27
  // has no snapshot: it follows the configured stages).
  std::optional<AccessApplication> load(const std::string& id) const;
  void complete(AccessApplication& a) const;
  AccessApplication review_step(const Actor& actor, const std::string& id, Action action, const std::string& opinion,
                                std::optional<Credentials>* issued, const std::string& stage);

  std::shared_ptr<store::Database> db_;
  ReviewPlan stages_;
};

// A printable PDF of the filled form and its trail (A4, Chinese text), for
// the archive of the relying party and of the reviewing office.
std::string render_application_pdf(const AccessApplication& application);

}  // namespace zhaoyin::access
