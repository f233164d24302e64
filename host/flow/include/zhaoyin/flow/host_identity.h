#pragma once
// The host's signing credential: an SM2 key and its certificate chain (host
// certificate first), issued by the authority the wallets trust. The host
// signs every wallet request with it so a wallet can tell a genuine request
// from a forged QR code (docs/PROTOCOL.md, "Wallet requests").
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::flow {

class HostIdentityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class HostIdentity {
 public:
  // chain[0] is the host certificate; the key must be its private key.
  // Throws HostIdentityError when the chain is empty or the key does not match.
  HostIdentity(trust::Sm2Key key, std::vector<trust::Certificate> chain);

  // Reads a PEM certificate file (host certificate, then any intermediates)
  // and an unencrypted PKCS#8 key file. Throws HostIdentityError naming the file.
  static HostIdentity load(const std::filesystem::path& certificate_file, const std::filesystem::path& key_file);

  // {"request": request, "signature": "<base64 DER SM2 over canonical_json(request)>",
  //  "host_certificates": ["<PEM>", ...]} — the body of GET /wallet/v1/requests/{ticket}.
  nlohmann::json sign_request(const nlohmann::json& request) const { return sign("request", request); }

  // The same envelope for any host message the wallet must be able to
  // attribute to this host: {member: message, "signature": …,
  // "host_certificates": […]} — e.g. "prepared" for a sign task's TBS_Sign.
  nlohmann::json sign(const std::string& member, const nlohmann::json& message) const;

  const std::vector<trust::Certificate>& chain() const { return chain_; }
  const trust::Certificate& certificate() const { return chain_.front(); }

 private:
  trust::Sm2Key key_;
  std::vector<trust::Certificate> chain_;
};

}  // namespace zhaoyin::flow
