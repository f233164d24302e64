#pragma once
// Verification reports for seal signatures, in the spirit of ETSI EN 319 102-1
// as EU DSS reports them: per signature an indication
//   TOTAL_PASSED | TOTAL_FAILED | INDETERMINATE
// with a sub-indication naming the reason, and what was checked (seal, signer,
// signing time, data integrity, what the signature covers).
#include <nlohmann/json.hpp>
#include <optional>
#include <zhaoyin/authority/connector.h>

#include "sign_task.h"

namespace zhaoyin::signing {

// Every signature field of a PDF. Throws pdf::PdfError(malformed_pdf) for a broken file.
nlohmann::json verify_pdf(const authority::AuthorityConnector& authority, const Bytes& pdf);

// A detached SES_Signature over `data`.
nlohmann::json verify_detached(const authority::AuthorityConnector& authority, const Bytes& data, const Bytes& ses_signature);

}  // namespace zhaoyin::signing
