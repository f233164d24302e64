#pragma once
// The authority over the network (`authority.driver = http`): a connector
// that asks a license platform's service — `zhaoyin authority serve`, or a
// province's platform behind a small adapter — for what the host needs,
// through the API of docs/AUTHORITY.md:
//
//   trust store       GET /v1/ca-certificates, then each CA's CRL at its distribution point
//   certificates      GET /v1/certificates/{serial}
//   revocation        GET /v1/licenses/{serial}
//   license face      GET /v1/enterprises/{uscc}/license
//   holders           GET /v1/holders/{serial}, /v1/enterprises/{uscc}/holders
//   seals             GET /v1/enterprises/{uscc}/seals
//   permits           GET /v1/enterprises/{uscc}/permits
//   name lookup       GET /v1/enterprises?name=...
//   OCSP (optional)   GET /ocsp/{request}   (authority.certificate_status = ocsp)
//
// Requests are signed with the host's relying-party certificate; every JSON
// answer's Authority-Signature is verified with the status signer's
// certificate, which must be issued by the configured root and carry the
// status-signer purpose. CRLs must be signed by their CA.
//
// Answers are cached, shared by all request threads: a status answer until
// its fresh_until, a CRL until its nextUpdate, each at most max_freshness
// after it arrived. Past that the connector asks again (timeout, limited
// retries with backoff). While the authority cannot answer, a cached answer
// stands in until its freshness plus `grace` has passed; then the call throws
// AuthorityUnavailable — verification fails closed. With a shared cache (Redis)
// a JSON answer one host fetched is used by the others until the same
// freshness, each verifying its signature again.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/authority/shared_cache.h>
#include <zhaoyin/trust/sm2.h>

namespace zhaoyin::authority {

// authority.certificate_status: how the revocation state of a certificate is
// learnt. crl: from its CA's CRL (the trust store) and /v1/licenses/{serial};
// ocsp: also asked of the service's OCSP responder (RFC 6960, <url>/ocsp), whose
// answer decides (ocsp_client.h).
enum class CertificateStatusSource { Crl, Ocsp };

struct HttpConnectorSettings {
  std::string url;                              // authority.url: base URL, http:// or https://
  std::string ca_file;                          // authority.ca_file: https: the CAs to trust (PEM); empty: the system's
  trust::Certificate root;                      // authority.root_certificate: the trust anchor
  trust::Certificate host_certificate;          // identity.certificate_file: signs the requests
  trust::Sm2Key host_key;                       // identity.key_file
  std::chrono::milliseconds timeout{5000};      // authority.timeout_ms
  int retries = 2;                              // authority.retries
  std::chrono::milliseconds retry_backoff{200}; // authority.retry_backoff_ms
  std::chrono::seconds max_freshness{300};      // authority.max_freshness_seconds (0: ask every time)
  std::chrono::seconds grace{900};              // authority.grace_seconds
  CertificateStatusSource certificate_status = CertificateStatusSource::Crl;  // authority.certificate_status
  // redis.host set: the status and record answers are shared with the other
  // hosts (until the freshness this host would give them); nullptr: none.
  std::shared_ptr<SharedAnswerCache> shared_cache;
};

class HttpAuthorityConnector final : public AuthorityConnector {
 public:
  // Checks the settings (throws AuthorityError); contacts nothing yet.
  explicit HttpAuthorityConnector(HttpConnectorSettings settings);
  ~HttpAuthorityConnector() override;

  std::string name() const override { return "http"; }
  trust::TrustStore trust_store() const override;
  std::optional<trust::Certificate> find_certificate(const std::string& serial_hex) const override;
  RevocationStatus revocation_status(const std::string& serial_hex) const override;
  std::optional<domain::FaceInfo> find_license(const std::string& uscc) const override;
  std::optional<HolderRecord> find_holder(const std::string& cert_serial_hex) const override;
  std::vector<HolderRecord> holders_of(const std::string& uscc) const override;
  std::vector<SealRecord> seals_of(const std::string& uscc) const override;
  // GET /v1/enterprises/{uscc}/permits: each permit's signed record is
  // verified with the status signer too.
  std::vector<PermitRecord> permits_of(const std::string& uscc) const override;
  // GET /v1/enterprises?name=<URL-encoded exact name>
  std::optional<std::string> find_uscc_by_name(const std::string& name) const override;
  // Refreshes the trust material that is due (the refresher calls it
  // periodically); AuthorityError when the authority cannot answer.
  std::optional<SealChangePage> seal_changes(std::int64_t since, std::size_t limit) const override;
  void reload() override;
  ConnectorHealth health() const override;

  const HttpConnectorSettings& settings() const;

  // With certificate_status = ocsp: the responder's answer about `certificate`
  // issued by `issuer` (GET <url>/ocsp/{request}, RFC 6960 Appendix A.1),
  // verified (ocsp_client.h) and cached until its nextUpdate, at most
  // max_freshness; within the grace period a cached answer stands in, then
  // AuthorityUnavailable. nullopt with certificate_status = crl.
  std::optional<RevocationStatus> live_status(const trust::Certificate& certificate,
                                              const trust::Certificate& issuer) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace zhaoyin::authority
