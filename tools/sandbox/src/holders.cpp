#include "holders.h"

#include <algorithm>
#include <zhaoyin/sandbox/error.h>
#include <zhaoyin/sandbox/grant.h>
#include "seals.h"

namespace zhaoyin::sandbox {

namespace {

trust::DistinguishedName license_subject(const Enterprise& e, const HolderPlan& h) {
  return trust::DistinguishedName{{{"C", "CN"},
                                   {"ST", province(e.plan.province).full_name},
                                   {"O", e.face.name},
                                   {"OU", domain::to_string(h.role)},
                                   {"CN", h.name + " (Sandbox)"},
                                   {"serialNumber", e.face.uscc}}};
}

std::string es_id_of_type(const EnterprisePlan& plan, const std::string& type) {
  const auto& types = plan.seal_types;
  const auto it = std::find(types.begin(), types.end(), type);
  if (it == types.end()) {
    throw SandboxError("demo data: " + plan.face.name + " has no " + type + " seal to authorise");
  }
  return seal_es_id(plan, static_cast<std::size_t>(it - types.begin()));
}

domain::Authorisation authorisation_for(const Enterprise& e, const HolderPlan& h, const trust::Certificate& cert,
                                        TimePoint now) {
  domain::Authorisation a;
  if (h.role == domain::HolderRole::LegalRepresentative) {
    // Theirs by law: everything, every seal, for as long as the license certificate.
    a.scope = "full";
    a.valid_from = iso8601_utc(cert.not_before());
    a.valid_to = iso8601_utc(cert.not_after());
    for (std::size_t i = 0; i < e.plan.seal_types.size(); ++i) a.seals.push_back(seal_es_id(e.plan, i));
    return a;
  }
  a.scope = h.scope;
  a.matters = h.matters;
  const bool expired = h.window == AuthorisationWindow::Expired;
  a.valid_from = iso8601_utc(now - days(expired ? 400 : 30));
  a.valid_to = iso8601_utc(expired ? now - days(30) : now + days(365));
  for (const auto& type : h.seal_types) a.seals.push_back(es_id_of_type(e.plan, type));
  return a;
}

}  // namespace

std::string new_license_password() {
  std::string password;
  while (password.size() < 8) {
    for (const std::uint8_t b : trust::random_bytes(16)) {
      // 250 is the largest multiple of 10 below 256: rejecting the rest keeps
      // every digit equally likely.
      if (b < 250 && password.size() < 8) password += static_cast<char>('0' + b % 10);
    }
  }
  return password;
}

void make_holders(Enterprise& e, CaHierarchy& ca, TimePoint now) {
  if (e.plan.holders.empty() || e.plan.holders.front().role != domain::HolderRole::LegalRepresentative) {
    throw SandboxError("demo data: " + e.face.name + " must list its legal representative first");
  }
  e.holders.clear();
  for (std::size_t i = 0; i < e.plan.holders.size(); ++i) {
    Holder h;
    h.plan = e.plan.holders[i];
    h.key = trust::Sm2Key::generate();
    h.cert = ca.issue_license(e.plan.province, license_subject(e, h.plan), h.key, now);
    h.authorisation = authorisation_for(e, h.plan, h.cert, now);
    h.password = new_license_password();
    h.wallet_path = "wallets/" + e.face.uscc + "-" + std::to_string(i + 1) + ".wallet.json";
    e.holders.push_back(std::move(h));
  }
}

void sign_grants(Enterprise& e) {
  const Holder& legal_rep = e.holders.front();
  for (std::size_t i = 1; i < e.holders.size(); ++i) {
    Holder& h = e.holders[i];
    const nlohmann::json payload =
        grant_payload(e.face.uscc, h.plan.name, h.cert.serial_hex(), h.plan.role, h.authorisation);
    h.grant = sign_grant(payload, legal_rep.key, legal_rep.cert.serial_hex());
  }
}

void apply_revocations(Enterprise& e, CaHierarchy& ca, TimePoint now) {
  for (Holder& h : e.holders) {
    if (h.plan.revoke_reason) {
      h.revocation = ca.revoke(e.plan.province, h.cert, *h.plan.revoke_reason, now - std::chrono::minutes(2));
    }
  }
}

}  // namespace zhaoyin::sandbox
