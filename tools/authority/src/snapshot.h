#pragma once
// One consistent view of the sandbox's files, as the service answers from it:
// the CAs with their keys and current CRLs, the registry (through the host's
// own SandboxConnector, so both read the files alike), the relying-party CA
// that authenticates hosts, the status signer and the operator's changes.
// Immutable once loaded; the service swaps in a new one when the files change.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/authority/sandbox_connector.h>
#include <zhaoyin/authority/status_answer.h>
#include <zhaoyin/trust/crl.h>
#include "authority_state.h"

namespace zhaoyin::authority_service {

namespace fs = std::filesystem;

// A CA whose CRL the service publishes and for whose certificates it answers OCSP.
struct CaRecord {
  std::string name;  // "root" or the province code ("42")
  trust::Certificate cert;
  trust::Sm2Key key;
  trust::Crl crl;
  fs::path cert_file;
  fs::path key_file;
  fs::path crl_file;
};

// A seal the registry lists now.
struct CurrentSeal {
  authority::SealRecord record;
};

class Snapshot {
 public:
  // Throws std::runtime_error (or authority::AuthorityError) naming the file at fault.
  static std::shared_ptr<const Snapshot> load(const fs::path& sandbox_dir);

  fs::path dir;
  std::string base_url;  // sandbox.json authority.url (the default when absent)
  std::shared_ptr<authority::SandboxConnector> sandbox;
  std::vector<CaRecord> cas;  // the root first, then the issuing CAs
  trust::Certificate root;
  trust::Certificate relying_party_ca;
  trust::Certificate status_signer;  // empty until the service has first started
  trust::Sm2Key status_signer_key;
  trust::Certificate seal_maker;
  AuthorityState state;
  std::map<std::string, authority::SealRecord> seals;  // the registry's current seals by code
  std::map<std::string, std::string> provinces;        // USCC -> province code

  const CaRecord* ca_named(const std::string& name) const;
  // A certificate the authority issued, by upper-case serial: an end entity
  // (authority/certs/) or one of its CAs.
  std::optional<trust::Certificate> find_issued(const std::string& serial) const;
  // The CA that issued `cert` (subject = issuer name and its key verifies the signature).
  const CaRecord* issuer_of(const trust::Certificate& cert) const;
};

// The key file next to a CA's certificate: ca-42.pem -> ca-42.key.
fs::path key_file_of(const fs::path& cert_file);

// DIR/authority/status-signer.{pem,key}: the certificate (issued by the root,
// extendedKeyUsage kStatusSigningPurpose) whose key signs the JSON status
// answers. Issued the first time the service starts; true if it was.
bool ensure_status_signer(const fs::path& sandbox_dir);
// UUID 80e002cd-c599-477b-81d6-c50d15915879 in the 2.25 arc (ITU-T X.667);
// the host's http connector checks for the same (status_answer.h).
inline constexpr std::string_view kStatusSigningPurpose = authority::kStatusSignerPurpose;

}  // namespace zhaoyin::authority_service
