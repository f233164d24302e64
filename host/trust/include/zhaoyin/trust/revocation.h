#pragma once
// Where the chain check learns whether a certificate is revoked (RFC 5280
// §6.3: CRLs; RFC 6960: OCSP). TrustStore::verify asks its RevocationSource
// once per certificate below the root, with that certificate's issuer; by
// default the source is the store's own CRLs (CrlRevocation). A networked
// authority connector installs another source (its OCSP client), and then no
// CRL is needed at all.
#include <string>
#include <vector>
#include <zhaoyin/trust/crl.h>

namespace zhaoyin::trust {

// One certificate's revocation verdict: empty `code` means "not revoked".
// Codes are ChainResult codes: cert_revoked, cert_status_unknown, crl_missing,
// crl_expired, crl_invalid.
struct RevocationVerdict {
  std::string code;
  std::string message;
  bool passed() const { return code.empty(); }
};

class RevocationSource {
 public:
  virtual ~RevocationSource() = default;
  // Is `subject`, issued by `issuer`, revoked at `at`? `required`: false lets
  // a source without information pass (TrustStore::verify's require_crl).
  // A source that cannot be asked now throws; TrustStore::verify lets that
  // exception through (the caller fails closed, e.g. 503), it never turns it
  // into a chain verdict.
  virtual RevocationVerdict check(const Certificate& subject, const Certificate& issuer, TimePoint at,
                                  bool required) const = 0;
  // Words for reports: "its issuer's CRL", "its issuer's OCSP responder".
  virtual std::string describe() const = 0;
};

// The CRL check (RFC 5280 §6.3.3): the issuer's CRL, signed by the issuer's key
// (which must carry cRLSign), current at `at` (thisUpdate ≤ at ≤ nextUpdate),
// not listing the subject. Refers to `crls`, which must outlive it.
class CrlRevocation final : public RevocationSource {
 public:
  explicit CrlRevocation(const std::vector<Crl>& crls) : crls_(crls) {}
  RevocationVerdict check(const Certificate& subject, const Certificate& issuer, TimePoint at,
                          bool required) const override;
  std::string describe() const override { return "its issuer's CRL"; }

 private:
  const std::vector<Crl>& crls_;
};

}  // namespace zhaoyin::trust
