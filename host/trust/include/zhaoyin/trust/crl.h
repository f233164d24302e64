#pragma once
// X.509 v2 certificate revocation lists, signed SM2-with-SM3.
#include <zhaoyin/trust/x509.h>

struct X509_crl_st;

namespace zhaoyin::trust {

struct RevokedEntry {
  std::string serial_hex;  // as Certificate::serial_hex()
  TimePoint revoked_at;
  int reason = 0;          // RFC 5280 CRLReason, 0 = unspecified
};

class Crl {
 public:
  Crl() = default;
  static Crl from_pem(std::string_view pem);  // throws TrustError("malformed")
  static Crl from_der(const Bytes& der);
  bool valid() const { return static_cast<bool>(crl_); }
  std::string pem() const;
  Bytes der() const;
  DistinguishedName issuer() const;
  TimePoint this_update() const;
  TimePoint next_update() const;  // throws TrustError("malformed") if the CRL has none
  bool has_next_update() const;
  long crl_number() const;        // the crlNumber extension, -1 if absent
  std::vector<RevokedEntry> entries() const;
  // serial_hex in any case, leading zeros ignored; nullopt if not listed (or not hex).
  std::optional<RevokedEntry> find(std::string_view serial_hex) const;
  bool signed_by(const Certificate& issuer, std::string_view id = kSm2DefaultId) const;

  X509_crl_st* native() const { return crl_.get(); }

 private:
  std::shared_ptr<X509_crl_st> crl_;
};

// Throws TrustError("malformed") for a bad request (next_update <= this_update,
// negative crl_number, a serial that is not positive hex or is listed twice, a
// reason outside RFC 5280's CRLReason, an issuer_key that does not match the
// issuer certificate) and TrustError("crypto_failure") if OpenSSL fails.
Crl issue_crl(const Certificate& issuer, const Sm2Key& issuer_key,
              const std::vector<RevokedEntry>& revoked, TimePoint this_update,
              TimePoint next_update, long crl_number);

}  // namespace zhaoyin::trust
