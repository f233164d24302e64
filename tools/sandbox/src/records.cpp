#include "records.h"

#include <algorithm>
#include "permits.h"

namespace zhaoyin::sandbox {

namespace {

nlohmann::json holder_record(const Holder& h) {
  return nlohmann::json{{"name", h.plan.name},
                        {"role", domain::to_string(h.plan.role)},
                        {"cert_serial", h.cert.serial_hex()},
                        {"cert", "authority/certs/" + h.cert.serial_hex() + ".pem"},
                        {"authorisation", domain::to_json(h.authorisation)},
                        {"grant", h.grant}};
}

nlohmann::json seal_record(const Seal& s) {
  return nlohmann::json{{"es_id", s.es_id},
                        {"type", s.type},
                        {"type_label", s.type_label},
                        {"name", s.name},
                        {"file", "seals/" + s.es_id + ".seal"},
                        {"image", "seals/" + s.es_id + ".png"}};
}

// The legal representative's title depends on the enterprise kind (经营者,
// 执行事务合伙人, 负责人); the other roles are the same everywhere.
std::string role_label(const Enterprise& e, const Holder& h) {
  if (h.plan.role == domain::HolderRole::LegalRepresentative) {
    return domain::label(e.face.kind, "legal_representative");
  }
  return domain::role_label(h.plan.role);
}

}  // namespace

std::string crl_reason_name(int reason) {
  static const char* const names[] = {"unspecified",          "keyCompromise", "cACompromise",
                                      "affiliationChanged",   "superseded",    "cessationOfOperation",
                                      "certificateHold",      "unused",        "removeFromCRL",
                                      "privilegeWithdrawn",   "aACompromise"};
  if (reason < 0 || reason > 10) return "unspecified";
  return names[reason];
}

nlohmann::json registry_json(const std::vector<Enterprise>& enterprises) {
  nlohmann::json records = nlohmann::json::array();
  nlohmann::json revoked = nlohmann::json::array();
  for (const Enterprise& e : enterprises) {
    nlohmann::json holders = nlohmann::json::array();
    for (const Holder& h : e.holders) {
      holders.push_back(holder_record(h));
      if (h.revocation) {
        revoked.push_back({{"serial", h.revocation->serial_hex},
                           {"province", e.plan.province},
                           {"reason", crl_reason_name(h.revocation->reason)},
                           {"revoked_at", iso8601_utc(h.revocation->revoked_at)}});
      }
    }
    nlohmann::json seals = nlohmann::json::array();
    for (const Seal& s : e.seals) seals.push_back(seal_record(s));
    records.push_back({{"face_info", domain::to_json(e.face)},
                       {"province", e.plan.province},
                       {"holders", holders},
                       {"seals", seals},
                       {"permits", seed_permits(e.plan)}});
  }
  return nlohmann::json{{"format", "zhaoyin-registry/1"}, {"enterprises", records}, {"revoked", revoked}};
}

nlohmann::json wallet_json(const Enterprise& e, const Holder& h, const CaHierarchy& ca) {
  nlohmann::json seals = nlohmann::json::array();
  for (const Seal& s : e.seals) {
    const auto& mine = h.authorisation.seals;
    seals.push_back({{"es_id", s.es_id},
                     {"type", s.type},
                     {"type_label", s.type_label},
                     {"name", s.name},
                     {"authorised", std::find(mine.begin(), mine.end(), s.es_id) != mine.end()},
                     {"seal", trust::base64_encode(s.der)}});
  }
  return nlohmann::json{
      {"format", "zhaoyin-wallet/1"},
      {"sandbox", true},
      {"holder",
       {{"name", h.plan.name}, {"role", domain::to_string(h.plan.role)}, {"role_label", role_label(e, h)}}},
      {"license", {{"serial", h.cert.serial_hex()}, {"face_info", domain::to_json(e.face)}}},
      {"certificate", h.cert.pem()},
      {"chain", {ca.issuing_ca(e.plan.province).cert.pem(), ca.root().pem()}},
      {"private_key", h.key.private_pem_encrypted(h.password)},
      {"authorisation", domain::to_json(h.authorisation)},
      {"grant", h.grant},
      {"seals", seals}};
}

}  // namespace zhaoyin::sandbox
