#pragma once
// Certificate path validation to configured trust roots, with validity windows
// and revocation checking (the store's CRLs, or another RevocationSource such
// as an OCSP client), all SM2 signatures verified with the distinguishing ID.
#include <memory>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/revocation.h>

namespace zhaoyin::trust {

struct ChainResult {
  bool ok = false;
  // "ok", "untrusted_chain", "bad_signature", "cert_expired", "cert_not_yet_valid",
  // "cert_revoked", "cert_status_unknown", "crl_missing", "crl_expired", "crl_invalid", "not_a_ca"
  std::string code;
  std::string message;              // human readable, names the failing certificate
  std::vector<Certificate> path;    // leaf first, root last (when built)
};

class TrustStore {
 public:
  void add_root(const Certificate& root);
  void add_intermediate(const Certificate& ca);
  void add_crl(const Crl& crl);  // latest CRL per issuer wins
  const std::vector<Certificate>& roots() const { return roots_; }
  const std::vector<Certificate>& intermediates() const { return intermediates_; }
  const std::vector<Crl>& crls() const { return crls_; }

  // Replaces the CRLs as the source of revocation status (nullptr: the CRLs
  // again). Copies of the store share the source.
  void set_revocation_source(std::shared_ptr<const RevocationSource> source) { source_ = std::move(source); }
  const std::shared_ptr<const RevocationSource>& revocation_source() const { return source_; }
  // "its issuer's CRL" or the installed source's description.
  std::string revocation_description() const;

  // Builds a path leaf → intermediates → a root and checks every signature,
  // every validity window at `at`, and revocation of every non-root certificate
  // with the revocation source — by default its issuer's CRL (when require_crl,
  // a missing CRL is "crl_missing"). An exception the installed source throws
  // (it cannot be asked now) is not a verdict: it leaves verify() as it is.
  ChainResult verify(const Certificate& leaf, TimePoint at, bool require_crl = true) const;

 private:
  std::vector<Certificate> roots_;
  std::vector<Certificate> intermediates_;
  std::vector<Crl> crls_;
  std::shared_ptr<const RevocationSource> source_;
};

}  // namespace zhaoyin::trust
