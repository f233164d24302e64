#include <zhaoyin/verification/subject_verifier.h>

#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::verification {

nlohmann::json to_json(const Check& c) {
  return {{"name", c.name}, {"result", c.passed ? "passed" : "failed"}, {"code", c.code}, {"detail", c.detail}};
}

nlohmann::json to_json(const std::vector<Check>& checks) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : checks) out.push_back(to_json(c));
  return out;
}

nlohmann::json VerifiedSubject::holder_json() const {
  const std::string title = role == domain::HolderRole::LegalRepresentative
                                ? domain::label(face_info.kind, "legal_representative")
                                : domain::role_label(role);
  return {{"name", holder_name},
          {"role", domain::to_string(role)},
          {"role_label", title},
          {"authorisation",
           {{"scope", authorisation.scope},
            {"matters", authorisation.matters},
            {"valid_from", authorisation.valid_from.empty() ? nlohmann::json(nullptr) : nlohmann::json(authorisation.valid_from)},
            {"valid_to", authorisation.valid_to.empty() ? nlohmann::json(nullptr) : nlohmann::json(authorisation.valid_to)}}}};
}

nlohmann::json VerifiedSubject::to_json() const {
  return {{"license_serial", license_serial},
          {"face_info", domain::to_json(face_info)},
          {"holder", holder_json()},
          {"checks", verification::to_json(checks)},
          {"verified_at", protocol::rfc3339(verified_at)}};
}

bool matter_approved(const std::vector<std::string>& approved, const std::string& matter) {
  domain::Authorisation a;
  a.scope = "precise";
  a.matters = approved;
  return domain::authorisation_covers(a, matter);
}

namespace {

// Runs the checks in order, recording each; fail() throws with the list so far.
class Run {
 public:
  explicit Run(std::vector<Check> prior) : checks_(std::move(prior)) {}

  void pass(std::string name, std::string detail) { checks_.push_back({std::move(name), true, "ok", std::move(detail)}); }

  [[noreturn]] void fail(std::string name, std::string code, int status, const std::string& detail) {
    checks_.push_back({std::move(name), false, code, detail});
    throw VerificationFailed(std::move(code), status, detail, checks_);
  }

  std::vector<Check> take() { return std::move(checks_); }

 private:
  std::vector<Check> checks_;
};

void check_chain(Run& run, const authority::AuthorityConnector& authority, const trust::Certificate& cert,
                 TimePoint at, std::vector<trust::Certificate>& path) {
  const trust::TrustStore store = authority.trust_store();
  const trust::ChainResult r = store.verify(cert, at, true);
  if (r.ok) {
    path = r.path;
    run.pass("chain", "chains to " + r.path.back().subject_line());
    run.pass("validity", "within the validity of every certificate in the chain");
    // The store's revocation source decided: its issuer's CRL, or with
    // authority.certificate_status = ocsp its issuer's OCSP responder (which
    // throws AuthorityUnavailable, a 503, when it cannot be had within grace).
    run.pass("revocation", "not revoked per " + store.revocation_description());
    return;
  }
  if (r.code == "cert_expired") {
    run.pass("chain", "chains to a trust root");
    run.fail("validity", "license_expired", 422, r.message);
  }
  if (r.code == "cert_not_yet_valid") {
    run.pass("chain", "chains to a trust root");
    run.fail("validity", "license_not_yet_valid", 422, r.message);
  }
  if (r.code == "cert_revoked") {
    run.pass("chain", "chains to a trust root");
    run.pass("validity", "within the validity of every certificate in the chain");
    run.fail("revocation", "license_revoked", 422, r.message);
  }
  if (r.code == "cert_status_unknown") {
    run.pass("chain", "chains to a trust root");
    run.pass("validity", "within the validity of every certificate in the chain");
    run.fail("revocation", "unknown_license", 422, r.message);
  }
  if (r.code == "crl_missing" || r.code == "crl_expired" || r.code == "crl_invalid")
    run.fail("revocation", "revocation_unavailable", 503, "revocation cannot be checked now: " + r.message);
  run.fail("chain", "untrusted_chain", 422, r.message);
}

void check_authorisation(Run& run, const authority::AuthorityConnector& authority,
                         const authority::HolderRecord& holder, const SubjectEvidence& evidence,
                         VerifiedSubject& subject) {
  if (holder.role == domain::HolderRole::LegalRepresentative) {
    subject.authorisation = domain::Authorisation{};  // full, by law
    run.pass("authorisation", "the legal representative holds full authority");
    return;
  }
  const nlohmann::json& grant = evidence.grant;
  if (grant.is_null() || (grant.is_object() && grant.empty()))
    run.fail("authorisation", "authorisation_missing", 403,
             holder.name + " (" + domain::role_label(holder.role) + ") presented no authorisation");
  if (!grant.is_object() || !grant.contains("signer_cert_serial") || !grant["signer_cert_serial"].is_string())
    run.fail("authorisation", "bad_grant", 422, "the grant is malformed");

  const std::string signer_serial = authority::normalise_serial(grant["signer_cert_serial"].get<std::string>()).value_or("");
  const auto signer = authority.find_holder(signer_serial);
  if (!signer || signer->role != domain::HolderRole::LegalRepresentative || signer->uscc != holder.uscc)
    run.fail("authorisation", "bad_grant", 422, "the grant is not signed by this enterprise's legal representative");
  const protocol::GrantCheck g = protocol::verify_grant(grant, signer->certificate);
  if (!g.ok) run.fail("authorisation", "bad_grant", 422, g.message);
  if (!g.payload.is_object() || g.payload.value("holder_cert_serial", "") != holder.cert_serial ||
      g.payload.value("uscc", "") != holder.uscc || !g.payload.contains("authorisation"))
    run.fail("authorisation", "bad_grant", 422, "the grant was made for another holder");

  // The authority's current grant is the one in force: a grant the legal
  // representative has since replaced or withdrawn no longer counts.
  if (!holder.grant || holder.grant->payload != grant.value("payload", ""))
    run.fail("authorisation", "authorisation_superseded", 403,
             "the presented grant is not the authorisation the authority now holds for " + holder.name);

  domain::Authorisation a;
  try {
    a = domain::authorisation_from_json(g.payload["authorisation"]);
  } catch (const std::exception& e) {
    run.fail("authorisation", "bad_grant", 422, std::string("the grant's authorisation is malformed: ") + e.what());
  }
  subject.authorisation = a;
  subject.grant = grant;
  if (!domain::authorisation_in_effect(a, evidence.at))
    run.fail("authorisation", "authorisation_expired", 403,
             "the authorisation of " + holder.name + " is valid from " + a.valid_from + " to " + a.valid_to);
  if (evidence.matter && !domain::authorisation_covers(a, *evidence.matter))
    run.fail("authorisation", "matter_not_covered", 403,
             "the precise authorisation of " + holder.name + " does not cover " + *evidence.matter);
  run.pass("authorisation", a.scope == "full" ? "full authorisation (全业务授权) in effect"
                                             : "precise authorisation (精准授权) in effect");
}

}  // namespace

VerifiedSubject verify_subject(const authority::AuthorityConnector& authority, const RelyingParty& rp,
                               const SubjectEvidence& evidence) {
  Run run(evidence.prior_checks);
  VerifiedSubject subject;
  subject.verified_at = evidence.at;

  if (!evidence.certificate.valid()) run.fail("certificate", "unknown_license", 422, "no certificate was presented");
  const std::string serial = evidence.certificate.serial_hex();
  const auto holder = authority.find_holder(serial);
  if (!holder || holder->certificate.der() != evidence.certificate.der())
    run.fail("certificate", "unknown_license", 422, "the authority issued no license certificate " + serial);
  subject.license_serial = serial;
  subject.holder_name = holder->name;
  subject.role = holder->role;
  run.pass("certificate", "license certificate " + serial + " of " + holder->name);

  check_chain(run, authority, evidence.certificate, evidence.at, subject.chain);

  const auto face = authority.find_license(holder->uscc);
  if (!face) run.fail("enterprise", "unknown_license", 422, "the authority has no license for " + holder->uscc);
  subject.face_info = *face;
  if (face->status != domain::LicenseStatus::Active)
    run.fail("enterprise", "enterprise_not_active", 403,
             face->name + " is " + domain::status_label(face->status) + ", not 存续");
  run.pass("enterprise", face->name + " is 存续");

  if (rp.scope == "province") {
    const std::string region = face->uscc.size() >= 4 ? face->uscc.substr(2, 2) : "";
    if (region != rp.province)
      run.fail("scope", "out_of_scope", 403,
               "the application verifies licenses of province " + rp.province + " only (本省); this one is of " +
                   region);
    run.pass("scope", "license of province " + region + " (本省)");
  } else {
    run.pass("scope", "national scope (全国)");
  }

  if (evidence.matter) {
    if (!matter_approved(rp.matters, *evidence.matter))
      run.fail("matter", "matter_not_approved", 403,
               "the application is not approved for the matter " + *evidence.matter);
    run.pass("matter", "the application is approved for " + *evidence.matter);
  }

  check_authorisation(run, authority, *holder, evidence, subject);
  subject.checks = run.take();
  return subject;
}

}  // namespace zhaoyin::verification
