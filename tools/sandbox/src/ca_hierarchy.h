#pragma once
// The sandbox's certificate authority: a root, one issuing CA per province,
// the seal-making authority (制章机构), and their CRLs.
//
//   Zhaoyin Sandbox Root CA ──┬── Zhaoyin Sandbox <Province> License CA ── holder licenses
//                             └── Zhaoyin Sandbox Seal Maker (signs SESeals)
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
  static CaHierarchy create(TimePoint now);

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
  // and authority/host.{pem,key} (write_host_credential).
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
};

// The relying-party host's signing credential (Server profile, issued by the
// root, CN "Zhaoyin Sandbox Relying-Party Host"): the host signs the requests
// a wallet fetches after scanning a QR code with it, and wallets check it
// chains to the root they trust. Written as authority/host.pem and host.key.
// Made by `init`, or added to an older sandbox that lacks it.
void write_host_credential(const std::filesystem::path& authority_dir, const trust::Certificate& root,
                           const trust::Sm2Key& root_key, TimePoint now);
// Adds authority/host.{pem,key} from authority/root.{pem,key} when missing;
// returns true if it did.
bool ensure_host_credential(const std::filesystem::path& authority_dir, TimePoint now);

}  // namespace zhaoyin::sandbox
