#pragma once
// Verifies who is on the other side of a login, a presentation or a
// signature: the holder's license certificate, its chain and revocation, the
// enterprise's status, the relying party's verification scope and approved
// matters, and the holder's authorisation (the legal representative's grant).
//
// The caller checks its own message signature first (the wallet's answer, the
// presentation code) and passes the certificate that made it; every check run
// is listed in the result, and the first failing one ends the verification
// with its own error code (docs/API.md, "Verification refusals"):
//
//   code                     status  check
//   unknown_license          422     certificate   the authority never issued this certificate to a holder
//   untrusted_chain          422     chain         no valid path to a trust root
//   license_not_yet_valid    422     validity
//   license_expired          422     validity
//   license_revoked          422     revocation    on its CA's CRL
//   revocation_unavailable   503     revocation    the CRL is missing or stale
//   enterprise_not_active    403     enterprise    吊销 or 注销
//   out_of_scope             403     scope         本省 application, license of another province
//   matter_not_approved      403     matter        the application is not approved for the matter
//   authorisation_missing    403     authorisation administrator/agent without a grant
//   bad_grant                422     authorisation grant not signed by this enterprise's legal representative, or for someone else
//   authorisation_superseded 403     authorisation the grant is not the one the authority now holds
//   authorisation_expired    403     authorisation outside the grant's validity
//   matter_not_covered       403     authorisation precise grant that does not cover the matter
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/domain/license.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::verification {

using TimePoint = std::chrono::system_clock::time_point;

// The relying-party application the verification is made for.
struct RelyingParty {
  std::string client_id;
  std::string name;
  std::string department;
  std::string scope = "national";      // province | national (验证范围 本省 | 全国)
  std::string province;                // two-digit code when scope == province
  std::vector<std::string> matters;    // approved matters (a prefix approves its subtree)
};

// One check as reported to the relying party.
struct Check {
  std::string name;     // signature | freshness | replay | certificate | chain | validity | revocation |
                        // enterprise | scope | matter | authorisation | ...
  bool passed = false;
  std::string code;     // "ok" or the refusal code
  std::string detail;   // human readable
};
nlohmann::json to_json(const Check& c);  // {"name","result":"passed"|"failed","code","detail"}
nlohmann::json to_json(const std::vector<Check>& checks);

struct VerifiedSubject {
  std::string license_serial;          // upper-case hex
  domain::FaceInfo face_info;
  std::string holder_name;
  domain::HolderRole role = domain::HolderRole::LegalRepresentative;
  domain::Authorisation authorisation; // full for the legal representative
  nlohmann::json grant;                // as verified; null for the legal representative
  std::vector<trust::Certificate> chain;  // leaf first, root last
  std::vector<Check> checks;
  TimePoint verified_at{};

  // {"name","role","role_label","authorisation":{"scope","matters","valid_from","valid_to"}}
  // (role_label is the kind-specific title for the legal representative: 经营者, 负责人, ...)
  nlohmann::json holder_json() const;
  // {"license_serial","face_info" (with labels),"holder","checks","verified_at"}
  nlohmann::json to_json() const;
};

class VerificationFailed : public std::runtime_error {
 public:
  VerificationFailed(std::string code, int status, const std::string& message, std::vector<Check> checks)
      : std::runtime_error(message), code_(std::move(code)), status_(status), checks_(std::move(checks)) {}
  const std::string& code() const noexcept { return code_; }
  int status() const noexcept { return status_; }
  const std::vector<Check>& checks() const noexcept { return checks_; }  // up to and including the failed one

 private:
  std::string code_;
  int status_;
  std::vector<Check> checks_;
};

struct SubjectEvidence {
  trust::Certificate certificate;      // the certificate whose key signed the caller's message
  nlohmann::json grant;                // the grant presented with it (null: none)
  std::optional<std::string> matter;   // the matter the flow requires, if any
  TimePoint at{};                      // when the message was made / answered
  std::vector<Check> prior_checks;     // checks the caller already ran (signature, freshness, ...), listed first
};

// Throws VerificationFailed on the first failing check. Never throws anything
// else for bad evidence; an authority that cannot answer raises its own errors.
VerifiedSubject verify_subject(const authority::AuthorityConnector& authority, const RelyingParty& rp,
                               const SubjectEvidence& evidence);

// True if `matter` lies within one of `approved` (equal, or a descendant in the matter tree).
bool matter_approved(const std::vector<std::string>& approved, const std::string& matter);

}  // namespace zhaoyin::verification
