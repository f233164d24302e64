#pragma once
// The Document Security Store (ISO 32000-2 §12.8.4.3, ETSI EN 319 142-1
// §5.4.2 "PAdES-LTV"): the validation data of a document's signatures —
// certificates, CRLs, OCSP responses, each a stream holding one DER object —
// kept in the file itself, in the catalog's /DSS, so the signatures can be
// validated where the signer's evidence is not otherwise at hand.
//
// It is written as one more incremental update after a signature (and its
// time-stamp) is complete, never touching the signed bytes:
//
//   Bytes ltv = add_validation_data(signed_pdf, "ZhaoyinSeal1", {certs, crls, {}});
//
// Later updates extend it: the arrays and VRI entries already there are kept,
// DER objects already stored are not stored twice. An update that adds only
// validation data is not a change to the signed document (ETSI EN 319 142-1
// §5.4.2 adds the DSS "after the signature"); anything else is
// (`unsigned_revisions_after` in pdf_signing.h reports it).
#include <map>
#include <string>
#include <vector>
#include <zhaoyin/pdf/pdf_signing.h>

namespace zhaoyin::pdf {

struct ValidationData {
  std::vector<Bytes> certs;   // DER X.509 certificates (RFC 5280)
  std::vector<Bytes> crls;    // DER CertificateLists (RFC 5280)
  std::vector<Bytes> ocsps;   // DER OCSPResponses (RFC 6960)
};

struct DocumentSecurityStore {
  bool present = false;                        // the catalog has a /DSS dictionary
  ValidationData all;                          // /Certs, /CRLs, /OCSPs
  std::map<std::string, ValidationData> vri;   // /VRI: key (vri_key) → its /Cert, /CRL, /OCSP
};

// Appends an incremental update whose catalog's /DSS holds `data` in
// /Certs, /CRLs, /OCSPs and a /VRI entry for the signature in field
// `field_name` keyed by its vri_key (ISO 32000-2 Table 261, Table 262).
// Throws PdfError: malformed_pdf; invalid_argument when the field has no signature.
Bytes add_validation_data(const Bytes& pdf, const std::string& field_name, const ValidationData& data);

// The catalog's /DSS as the file is now (present = false without one). Streams
// that are not streams are skipped; throws PdfError(malformed_pdf) for a broken file.
DocumentSecurityStore read_validation_data(const Bytes& pdf);

// True when the revision between byte `from` (the end of an earlier revision)
// and byte `to` (its own end) changes nothing but validation data: every
// object it rewrites is the catalog with only /DSS different, and every object
// it adds is reachable from the new /DSS (or is its cross-reference stream).
// A revision that cannot be read as such is false.
bool validation_data_only(const Bytes& pdf, std::size_t from, std::size_t to);

}  // namespace zhaoyin::pdf
