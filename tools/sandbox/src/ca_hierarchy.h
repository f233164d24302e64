#pragma once
// The sandbox's certificate authority: a root, one issuing CA per province,
// the seal-making authority (制章机构), the relying-party CA, and their CRLs.
//
//   Zhaoyin Sandbox Root CA ──┬── Zhaoyin Sandbox <Province> License CA ── holder licenses
//                             ├── Zhaoyin Sandbox Seal Maker (signs SESeals)
//                             └── Zhaoyin Sandbox Relying-Party CA ── host certificates
//
// The relying-party CA issues only host certificates (docs/PROTOCOL.md §2.3):
// wallets accept a QR request only when its signer's certificate comes from a
// CA with the relying-party host purpose, which no license CA carries.
#include <filesystem>
#include <string>
#include <vector>
#include <zhaoyin/trust/crl.h>
#include "clock_text.h"
#include "enterprises.h"

namespace zhaoyin::sandbox {

struct IssuingCa {
  Province province;
  trust::Certificate cert;
  trust::Sm2Key key;
  std::vector<trust::RevokedEntry> revoked;
  trust::Crl crl;  // set by issue_crls()
};

class CaHierarchy {
 public:
  // Generates every CA key and certificate, valid from a day before `now`.
  // Certificates name their CRL on the authority service at `authority_url`
  // (zhaoyin/sandbox/authority_url.h).
  static CaHierarchy create(TimePoint now, const std::string& authority_url);
  const std::string& authority_url() const { return authority_url_; }

  const trust::Certificate& root() const { return root_; }
  const trust::Certificate& seal_maker() const { return seal_maker_; }
  const trust::Sm2Key& seal_maker_key() const { return seal_maker_key_; }
  const std::vector<IssuingCa>& issuing_cas() const { return issuing_; }
  const IssuingCa& issuing_ca(const std::string& province_code) const;

  // A holder's license certificate (profile License, three years) from the
  // province's issuing CA.
  trust::Certificate issue_license(const std::string& province_code, const trust::DistinguishedName& subject,
                                   const trust::Sm2Key& holder_key, TimePoint now);
  // Puts the certificate on its issuing CA's next CRL.
  trust::RevokedEntry revoke(const std::string& province_code, const trust::Certificate& cert, int reason,
                             TimePoint at);
  // Signs every CA's CRL (the root's covers the issuing CAs and the seal maker).
  void issue_crls(TimePoint now);

  // authority/{root,ca-P,seal-maker}.{pem,key}, crl-*.pem, certs/<SERIAL>.pem.
  // authority/rp-ca.{pem,key} and authority/host.{pem,key} (write_host_credential).
  void write(const std::filesystem::path& authority_dir, TimePoint now) const;

 private:
  IssuingCa& issuing_ca_mutable(const std::string& province_code);

  trust::Certificate root_;
  trust::Sm2Key root_key_;
  trust::Crl root_crl_;
  std::vector<IssuingCa> issuing_;
  trust::Certificate seal_maker_;
  trust::Sm2Key seal_maker_key_;
  std::vector<trust::Certificate> end_entities_;  // every end-entity certificate issued
  std::string authority_url_;
};

// The host names a sandbox host certificate is issued for: the loopback names
// every test and demo uses, plus any the operator adds (`sandbox init
// --host-name`, kept in authority/host-names.txt).
std::vector<std::string> sandbox_host_names(const std::filesystem::path& authority_dir);
// Appends the names not yet listed to authority/host-names.txt.
void add_host_names(const std::filesystem::path& authority_dir, const std::vector<std::string>& names);

// The relying-party CA (CN "Zhaoyin Sandbox Relying-Party CA", issued by the
// root) and the host's signing credential it issues (profile RelyingPartyHost,
// CN "Zhaoyin Sandbox Relying-Party Host", subjectAltName = sandbox_host_names):
// the host signs the requests a wallet fetches after scanning a QR code with it.
// Written as authority/rp-ca.{pem,key}, authority/host.pem (host certificate,
// then the relying-party CA) and authority/host.key.
void write_host_credential(const std::filesystem::path& authority_dir, const trust::Certificate& root,
                           const trust::Sm2Key& root_key, TimePoint now);
// Re-issues the relying-party CA and host credential when they are missing or
// predate the relying-party profile (a host certificate without the purpose,
// or one that does not name every sandbox host name); returns true if it did.
bool ensure_host_credential(const std::filesystem::path& authority_dir, TimePoint now);

}  // namespace zhaoyin::sandbox
