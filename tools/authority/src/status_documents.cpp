#include "status_documents.h"

#include <zhaoyin/authority/signed_request.h>
#include "crl_reasons.h"

namespace zhaoyin::authority_service {

using nlohmann::json;

namespace {

std::string utc(TimePoint t) { return authority::format_request_time(t); }

StatusAnswer document(const Snapshot& s, json body, TimePoint now) { return fresh_document(s, std::move(body), now); }

StatusAnswer not_found(const std::string& code, const std::string& message) { return not_found_answer(code, message); }

}  // namespace

StatusAnswer fresh_document(const Snapshot& s, json body, TimePoint now) {
  body["produced_at"] = utc(now);
  body["fresh_until"] = utc(now + kStatusValidity);
  body["generation"] = s.state.generation;
  return StatusAnswer{200, std::move(body)};
}

StatusAnswer not_found_answer(const std::string& code, const std::string& message) {
  return StatusAnswer{404, error_body(code, message)};
}

json error_body(const std::string& code, const std::string& message) {
  return json{{"error", {{"code", code}, {"message", message}}}};
}

StatusAnswer enterprise_status(const Snapshot& s, const std::string& uscc, TimePoint now) {
  const auto face = s.sandbox->find_license(uscc);
  if (!face) return not_found("unknown_enterprise", "the authority has no enterprise " + uscc);
  // The registry's face holds 存续/吊销/注销; the operator's record adds 迁出 and the time of the change.
  EnterpriseStatus status = enterprise_status_from(domain::to_string(face->status));
  std::string changed_at;
  if (const auto it = s.state.enterprises.find(uscc); it != s.state.enterprises.end()) {
    status = it->second.status;
    changed_at = it->second.changed_at;
  }
  json body = {{"uscc", uscc},
               {"name", face->name},
               {"province", s.provinces.count(uscc) ? s.provinces.at(uscc) : ""},
               {"status", to_string(status)},
               {"status_label", status_label(status)},
               {"changed_at", changed_at.empty() ? json(nullptr) : json(changed_at)}};
  return document(s, std::move(body), now);
}

StatusAnswer license_status(const Snapshot& s, const std::string& serial, TimePoint now) {
  json body = {{"serial", serial}, {"status", "unknown"}};
  const auto cert = s.find_issued(serial);
  const CaRecord* ca = cert ? s.issuer_of(*cert) : nullptr;
  if (cert && ca) {
    body["status"] = "good";
    body["ca"] = ca->name;
    body["subject"] = cert->subject_line();
    body["not_before"] = utc(cert->not_before());
    body["not_after"] = utc(cert->not_after());
    if (const auto entry = ca->crl.find(serial)) {
      body["status"] = "revoked";
      body["revoked_at"] = utc(entry->revoked_at);
      body["reason"] = crl_reason_name(entry->reason);
    }
    if (const auto holder = s.sandbox->find_holder(serial)) {
      body["uscc"] = holder->uscc;
      body["holder_name"] = holder->name;
      body["role"] = domain::to_string(holder->role);
    }
  }
  // The CRL this answer agrees with: its number and next update.
  if (ca) {
    body["crl_number"] = ca->crl.crl_number();
    body["crl_next_update"] = utc(ca->crl.next_update());
  }
  return document(s, std::move(body), now);
}

StatusAnswer seal_status(const Snapshot& s, const std::string& es_id, TimePoint now) {
  if (const auto it = s.seals.find(es_id); it != s.seals.end()) {
    const auto& seal = it->second;
    return document(s,
                    {{"es_id", es_id},
                     {"uscc", seal.uscc},
                     {"type", seal.type},
                     {"name", seal.name},
                     {"status", "active"},
                     {"replaced_by", nullptr},
                     {"changed_at", nullptr}},
                    now);
  }
  if (const auto it = s.state.seals.find(es_id); it != s.state.seals.end()) {
    const auto& change = it->second;
    return document(s,
                    {{"es_id", es_id},
                     {"uscc", change.uscc},
                     {"type", change.type},
                     {"name", change.name},
                     {"status", change.status},
                     {"replaced_by", change.replaced_by.empty() ? json(nullptr) : json(change.replaced_by)},
                     {"changed_at", change.changed_at}},
                    now);
  }
  return not_found("unknown_seal", "the authority has no seal " + es_id);
}

StatusAnswer grant_status(const Snapshot& s, const std::string& serial, TimePoint now) {
  const auto holder = s.sandbox->find_holder(serial);
  if (!holder || !holder->grant)
    return not_found("unknown_grant", "the authority has no grant for the holder of certificate " + serial);
  json body = {{"holder_cert_serial", serial},
               {"uscc", holder->uscc},
               {"holder_name", holder->name},
               {"role", domain::to_string(holder->role)},
               {"status", "active"},
               {"changed_at", nullptr},
               {"grant",
                {{"payload", holder->grant->payload},
                 {"signature", holder->grant->signature},
                 {"signer_cert_serial", holder->grant->signer_cert_serial}}}};
  if (const auto it = s.state.grants.find(serial); it != s.state.grants.end()) {
    body["status"] = it->second.status;
    body["changed_at"] = it->second.changed_at;
  }
  return document(s, std::move(body), now);
}

StatusAnswer seal_changes(const Snapshot& s, std::int64_t since, std::int64_t limit, TimePoint now) {
  json events = json::array();
  std::int64_t next = since;
  bool more = false;
  for (const auto& e : s.state.seal_events) {
    if (e.seq <= since) continue;
    if (static_cast<std::int64_t>(events.size()) >= limit) {
      more = true;
      break;
    }
    json event = {{"seq", e.seq}, {"event", e.event}, {"es_id", e.es_id}, {"uscc", e.uscc}, {"at", e.at}};
    if (e.event == "replaced") event["replaced_by"] = e.related;
    if (e.event == "new" && !e.related.empty()) event["replaces"] = e.related;
    events.push_back(std::move(event));
    next = e.seq;
  }
  return document(s, {{"since", since}, {"next", next}, {"more", more}, {"events", events}}, now);
}

}  // namespace zhaoyin::authority_service
