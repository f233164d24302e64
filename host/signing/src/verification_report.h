#pragma once
// Verification reports for seal signatures, in the spirit of ETSI EN 319 102-1
// as EU DSS reports them: per signature an indication
//   TOTAL_PASSED | TOTAL_FAILED | INDETERMINATE
// with a sub-indication naming the reason, and what was checked (seal, signer,
// signing time, data integrity, what the signature covers).
#include <nlohmann/json.hpp>
#include <optional>
#include <zhaoyin/authority/connector.h>

#include "long_term.h"
#include "sign_task.h"

namespace zhaoyin::signing {

// Every signature field of a PDF. Throws pdf::PdfError(malformed_pdf) for a broken file.
// With `long_term`, an RFC 3161 timeStamp in a signature is verified and, when
// valid, the signature is validated at its genTime with the stored evidence
// (docs/SEALS.md, "Long-term validation"); the report's `validated_at` says which time was used.
nlohmann::json verify_pdf(const authority::AuthorityConnector& authority, const Bytes& pdf,
                          const LongTermContext* long_term = nullptr);

// One SES_Signature's report (indication, checks, seal, signer, time) given the
// SM3 of the data it should sign and the byte range that was hashed; for
// formats that carry signatures their own way (OFD, ofd_task.h).
nlohmann::json seal_signature_report(const authority::AuthorityConnector& authority, const Bytes& ses_signature,
                                     const std::optional<Bytes>& data_hash, const std::vector<std::uint64_t>& hashed_range,
                                     const LongTermContext* long_term = nullptr);

// One license signature's report (a detached CMS, docs/SEALS.md "License
// signatures") given the SM3 of the data it should sign; for OFD's Type="Sign".
nlohmann::json license_signature_report(const authority::AuthorityConnector& authority, const Bytes& cms,
                                        const std::optional<Bytes>& data_hash, const LongTermContext* long_term = nullptr);

// A detached SES_Signature over `data`.
nlohmann::json verify_detached(const authority::AuthorityConnector& authority, const Bytes& data, const Bytes& ses_signature,
                               const LongTermContext* long_term = nullptr);

}  // namespace zhaoyin::signing
