#pragma once
// Long-term validation data in the PDF itself (docs/SEALS.md, "The evidence
// in the file"): after a signature and its time-stamp are complete, the
// host appends a Document Security Store update (ISO 32000-2 §12.8.4.3,
// ETSI EN 319 142-1 §5.4.2) with the evidence it stored for that signature
// (the signer's and the seal maker's paths and their issuers' CRLs) and the
// time-stamp's TSA certificates; a verifier reads it back and uses what
// verifies, so the signature validates at genTime on a host that never saw it made.
#include <optional>
#include <zhaoyin/pdf/dss.h>

#include "long_term.h"

namespace zhaoyin::signing {

// The signed PDF followed by one more incremental update extending its /DSS
// with `evidence` and the certificates of `timestamp_token` (when there is
// one), keyed to the signature in `field_name`. Throws pdf::PdfError.
Bytes with_validation_data(const Bytes& signed_pdf, const std::string& field_name, const SignatureEvidence& evidence,
                           const std::optional<Bytes>& timestamp_token);

// The evidence for one signature in a PDF's /DSS (its /VRI entry, else the
// DSS-wide lists), checked before anything is trusted: a certificate must
// chain (signatures and validity at `at`) to the authority's roots or to the
// TSA anchors; a CRL must be signed by its issuer, a certificate so trusted.
// What does not verify is listed in `rejected` and left out. source = "file".
SignatureEvidence evidence_in_file(const trust::TrustStore& authority, const trust::TrustStore& tsa,
                                   const pdf::DocumentSecurityStore& dss, const std::string& vri_key, TimePoint at);

}  // namespace zhaoyin::signing
