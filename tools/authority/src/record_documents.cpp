#include "record_documents.h"

#include <zhaoyin/sandbox/authority_url.h>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::authority_service {

using nlohmann::json;

namespace {

std::string b64(const trust::Bytes& bytes) { return trust::base64_encode(bytes); }

// The grant's state from the operator's records: a withdrawn grant is still
// in registry.json (the wallet holds it) but no longer in force.
std::string grant_state(const Snapshot& s, const std::string& serial) {
  if (const auto it = s.state.grants.find(serial); it != s.state.grants.end()) return it->second.status;
  return "active";
}

json holder_json(const Snapshot& s, const authority::HolderRecord& h) {
  json grant = nullptr;
  json grant_status = nullptr;
  if (h.grant) {
    grant = {{"payload", h.grant->payload},
             {"signature", h.grant->signature},
             {"signer_cert_serial", h.grant->signer_cert_serial}};
    grant_status = grant_state(s, h.cert_serial);
  }
  return {{"uscc", h.uscc},
          {"name", h.name},
          {"role", domain::to_string(h.role)},
          {"cert_serial", h.cert_serial},
          {"certificate", b64(h.certificate.der())},
          {"authorisation", domain::to_json(h.authorisation)},
          {"grant", grant},
          {"grant_status", grant_status}};
}

json seal_json(const authority::SealRecord& seal) {
  return {{"es_id", seal.es_id},
          {"uscc", seal.uscc},
          {"type", seal.type},
          {"type_label", seal.type_label},
          {"name", seal.name},
          {"seal", b64(seal.seal_der)},
          {"image", seal.image_png.empty() ? json(nullptr) : json(b64(seal.image_png))}};
}

StatusAnswer unknown_enterprise(const std::string& uscc) {
  return not_found_answer("unknown_enterprise", "the authority has no enterprise " + uscc);
}

}  // namespace

StatusAnswer ca_certificates(const Snapshot& s, TimePoint now) {
  json certificates = json::array();
  for (const auto& ca : s.cas) {
    certificates.push_back({{"name", ca.name},
                            {"role", ca.name == "root" ? "root" : "issuing_ca"},
                            {"serial", ca.cert.serial_hex()},
                            {"certificate", b64(ca.cert.der())},
                            {"crl_url", sandbox::crl_url(s.base_url, ca.name)}});
  }
  certificates.push_back({{"name", "seal_maker"},
                          {"role", "seal_maker"},
                          {"serial", s.seal_maker.serial_hex()},
                          {"certificate", b64(s.seal_maker.der())},
                          {"crl_url", nullptr}});
  return fresh_document(s, {{"certificates", certificates}}, now);
}

StatusAnswer license_face(const Snapshot& s, const std::string& uscc, TimePoint now) {
  const auto face = s.sandbox->find_license(uscc);
  if (!face) return unknown_enterprise(uscc);
  return fresh_document(s,
                        {{"uscc", uscc},
                         {"province", s.provinces.count(uscc) ? s.provinces.at(uscc) : ""},
                         {"face_info", domain::to_json(*face)}},
                        now);
}

StatusAnswer enterprise_holders(const Snapshot& s, const std::string& uscc, TimePoint now) {
  if (!s.sandbox->find_license(uscc)) return unknown_enterprise(uscc);
  json holders = json::array();
  for (const auto& h : s.sandbox->holders_of(uscc)) holders.push_back(holder_json(s, h));
  return fresh_document(s, {{"uscc", uscc}, {"holders", holders}}, now);
}

StatusAnswer enterprise_seals(const Snapshot& s, const std::string& uscc, TimePoint now) {
  if (!s.sandbox->find_license(uscc)) return unknown_enterprise(uscc);
  json seals = json::array();
  for (const auto& seal : s.sandbox->seals_of(uscc)) seals.push_back(seal_json(seal));
  return fresh_document(s, {{"uscc", uscc}, {"seals", seals}}, now);
}

StatusAnswer holder_record(const Snapshot& s, const std::string& serial, TimePoint now) {
  const auto holder = s.sandbox->find_holder(serial);
  if (!holder) return not_found_answer("unknown_holder", "no holder has the license certificate " + serial);
  return fresh_document(s, holder_json(s, *holder), now);
}

StatusAnswer certificate_record(const Snapshot& s, const std::string& serial, TimePoint now) {
  const auto cert = s.find_issued(serial);
  if (!cert) return not_found_answer("unknown_certificate", "the authority issued no certificate " + serial);
  return fresh_document(s, {{"serial", serial}, {"certificate", b64(cert->der())}}, now);
}

}  // namespace zhaoyin::authority_service
