#include "permit_documents.h"

#include <zhaoyin/authority/permit.h>
#include <zhaoyin/authority/signed_request.h>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::authority_service {

using nlohmann::json;

StatusAnswer enterprise_permits(const Snapshot& s, const std::string& uscc, TimePoint now) {
  if (!s.sandbox->find_license(uscc))
    return not_found_answer("unknown_enterprise", "the authority has no enterprise " + uscc);
  const std::string signed_at = authority::format_request_time(now);
  json permits = json::array();
  for (const auto& p : s.sandbox->permits_of(uscc)) {  // status on today's date
    json record = authority::to_json(p);
    record["signed_at"] = signed_at;
    // The exact bytes signed travel base64-encoded, so no JSON re-encoding on
    // the way can change what the signature covers.
    const std::string bytes = record.dump(-1, ' ', false);
    const trust::Bytes signature = s.status_signer_key.sign(trust::to_bytes(bytes));
    json item = authority::to_json(p);
    item["record"] = trust::base64_encode(trust::to_bytes(bytes));
    item["signature"] = trust::base64_encode(signature);
    item["signer_serial"] = s.status_signer.serial_hex();
    permits.push_back(std::move(item));
  }
  return fresh_document(s, {{"uscc", uscc}, {"permits", permits}}, now);
}

StatusAnswer enterprise_by_name(const Snapshot& s, const std::string& name, TimePoint now) {
  const auto uscc = s.sandbox->find_uscc_by_name(name);
  if (!uscc) return not_found_answer("unknown_enterprise", "the authority has no enterprise named exactly so");
  return fresh_document(s,
                        {{"name", name},
                         {"uscc", *uscc},
                         {"province", s.provinces.count(*uscc) ? s.provinces.at(*uscc) : ""}},
                        now);
}

}  // namespace zhaoyin::authority_service
