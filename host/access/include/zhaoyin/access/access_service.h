#pragma once
// The access applications' store and review steps. One instance per host
// (thread-safe); every step is one store transaction, so a step either
// happens with its trail entry or not at all.
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
  std::string role;  // applicant | reviewer | operator
};

// Issued once, on approval or rotation: the secret is not stored in clear and
// cannot be shown again.
struct Credentials {
  std::string client_id;
  std::string client_secret;
};

class AccessService {
 public:
  explicit AccessService(std::shared_ptr<store::Database> db);

  // Applicants: create and edit drafts (saved even when invalid: drafts are
  // drafts), submit (validates; AccessError 422 invalid_form with every field
  // error). Editing is allowed in draft and returned only, by the owner.
  AccessApplication create_draft(const Actor& applicant, const AccessForm& form);
  AccessApplication save_draft(const Actor& applicant, const std::string& id, const AccessForm& form);
  AccessApplication submit(const Actor& applicant, const std::string& id, const std::vector<std::string>& known_matters,
                           const std::vector<std::string>& retired_matters = {});

  // Reviewers (accept, return, approve, reject) and operators (suspend,
  // resume, revoke). Approve creates the active store::Application (needs,
  // scope, province, channels, matters, annual volume = 万次 × 10000, peak
  // rate, redirect URIs, department) and returns its credentials in
  // `issued`; suspend/resume/revoke change that application's status too.
  AccessApplication act(const Actor& actor, const std::string& id, Action action, const std::string& opinion,
                        std::optional<Credentials>* issued = nullptr);

  // Operators: a new secret for an active application (the old one stops working at once).
  Credentials rotate_secret(const Actor& op, const std::string& id);

  std::optional<AccessApplication> find(const std::string& id) const;
  // Applicants see their own; reviewers and operators see all (optionally one status).
  std::vector<AccessApplication> list_for(const Actor& actor, std::optional<Status> status = std::nullopt) const;

 private:
  std::shared_ptr<store::Database> db_;
};

// A printable PDF of the filled form and its trail (A4, Chinese text), for
// the archive of the relying party and of the reviewing office.
std::string render_application_pdf(const AccessApplication& application);

}  // namespace zhaoyin::access
