#pragma once
// The one exception type of the trust core. `code` is a stable snake_case
// identifier that the HTTP edge and the CLIs pass on unchanged, e.g.
//   malformed, bad_signature, bad_password, untrusted_chain, cert_expired,
//   cert_not_yet_valid, cert_revoked, crl_invalid, seal_expired, crypto_failure.
#include <stdexcept>
#include <string>

namespace zhaoyin::trust {

class TrustError : public std::runtime_error {
 public:
  TrustError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

}  // namespace zhaoyin::trust
