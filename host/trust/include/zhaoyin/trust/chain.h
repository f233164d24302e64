#pragma once
// Certificate path validation to configured trust roots, with validity windows
// and CRL revocation checking, all SM2 signatures verified with the distinguishing ID.
#include <zhaoyin/trust/crl.h>

namespace zhaoyin::trust {

struct ChainResult {
  bool ok = false;
  // "ok", "untrusted_chain", "bad_signature", "cert_expired", "cert_not_yet_valid",
  // "cert_revoked", "crl_missing", "crl_expired", "crl_invalid", "not_a_ca"
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

  // Builds a path leaf → intermediates → a root and checks every signature,
  // every validity window at `at`, and revocation of every non-root certificate
  // against its issuer's CRL (when require_crl, a missing CRL is "crl_missing").
  ChainResult verify(const Certificate& leaf, TimePoint at, bool require_crl = true) const;

 private:
  std::vector<Certificate> roots_;
  std::vector<Certificate> intermediates_;
  std::vector<Crl> crls_;
};

}  // namespace zhaoyin::trust
