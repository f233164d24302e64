#pragma once
// The authority's records as a relying party's host needs them to verify
// licenses and seals without the authority's files (docs/AUTHORITY.md
// §Records): the CA certificates for its trust store, a license's face info,
// the holders of an enterprise (certificate, authorisation, grant), a holder
// by certificate serial, a certificate by serial, and an enterprise's seals
// (SESeal DER and impression PNG). Signed and fresh like the status answers.
#include <string>
#include "status_documents.h"

namespace zhaoyin::authority_service {

StatusAnswer ca_certificates(const Snapshot& s, TimePoint now);
StatusAnswer license_face(const Snapshot& s, const std::string& uscc, TimePoint now);
StatusAnswer enterprise_holders(const Snapshot& s, const std::string& uscc, TimePoint now);
StatusAnswer enterprise_seals(const Snapshot& s, const std::string& uscc, TimePoint now);
StatusAnswer holder_record(const Snapshot& s, const std::string& serial, TimePoint now);
StatusAnswer certificate_record(const Snapshot& s, const std::string& serial, TimePoint now);

}  // namespace zhaoyin::authority_service
