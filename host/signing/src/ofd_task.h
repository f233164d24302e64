#pragma once
// Sign tasks over OFD documents (GB/T 33190-2016, docs/api/signing.md "OFD"):
// what differs from PDFs, kept out of the task state machine. The steps are
// the PDF ones — the host prepares, the wallet signs the TBS_Sign, the host
// completes — with the OFD signature structure of §18 instead of an
// incremental update: Signature.xml is written at `prepare` (its References
// protect the package), the SES_Signature's dataHash is the SM3 of
// Signature.xml, and `sign` adds SignedValue.dat.
#include <nlohmann/json.hpp>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/ofd/ofd_signing.h>

#include "long_term.h"
#include "sign_task.h"

namespace zhaoyin::signing {

inline constexpr const char* kOfdContentType = "application/ofd";

// At creation: the document must be a sound OFD, the placements (task-wide
// and per party) on its pages, and signatures it already carries intact
// (422 document_modified otherwise, as for PDFs). Sets r.pages. Throws http::ApiError (422 with the OfdError's code, or
// placement_off_page).
void check_ofd_for_task(SignTaskRequest& r, const Bytes& document);

struct OfdPreparation {
  Bytes package;                 // stored as the prepared document
  Bytes data_hash;               // SM3 of Signature.xml
  std::string property_info;     // GB/T 38540-2020 §7.1, see ofd_task.cpp
  std::string signature_path;    // recorded as the signature's field_name
};

// Writes the next Signature.xml into `current` for a seal of `seal_type` by
// enterprise `uscc` (its party's placement), or — seal_type kLicenseSignature —
// for a license signature: Type="Sign" in Signatures.xml, no StampAnnot, and
// SignedValue.dat a detached CMS over Signature.xml (docs/SEALS.md "OFD").
OfdPreparation prepare_ofd_signature(const SignTask& task, const Bytes& current, const std::string& seal_type,
                                     const std::string& uscc, const std::string& signer_name,
                                     const std::string& signing_time_rfc3339);

// Before a further signature on a stored OFD (another party's, or the same
// party's next seal): the task's signatures are still the package's last ones,
// each over the Signature.xml it signed, and no signature's References were
// broken nor a file added that none protects. Throws http::ApiError(409,
// document_modified) otherwise.
void require_ofd_intact(const SignTask& task, const Bytes& current);

// The prepared package with SignedValue.dat (the SES_Signature) beside the Signature.xml.
Bytes complete_ofd_signature(const Bytes& prepared, const std::string& signature_path, const Bytes& ses_signature);

// POST /api/v1/signatures/verify with "ofd": every signature of Signatures.xml
// — its References, its SignedValue over Signature.xml, the seal and the
// chains — and files no signature protects. Throws ofd::OfdError for a
// package that does not parse.
nlohmann::json verify_ofd(const authority::AuthorityConnector& authority, const Bytes& ofd,
                          const LongTermContext* long_term = nullptr);

}  // namespace zhaoyin::signing
