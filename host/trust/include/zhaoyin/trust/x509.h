#pragma once
// X.509 v3 certificates with SM2 keys: issue, parse, inspect.
//
// Issued certificates are signed SM2-with-SM3 (OID 1.2.156.10197.1.501) with the
// distinguishing ID set, so `openssl verify -vfyopt distid:1234567812345678`
// accepts them.
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm2.h>

struct x509_st;
struct X509_name_st;
struct asn1_string_st;

namespace zhaoyin::trust {

using TimePoint = std::chrono::system_clock::time_point;

// An ordered list of attributes, e.g. {{"C","CN"},{"O","..."},{"CN","..."}}.
// Short names as OpenSSL knows them: C, ST, L, O, OU, CN, serialNumber, title.
// Values are UTF-8.
struct DistinguishedName {
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string get(std::string_view short_name) const;  // first match or ""
};

class Certificate {
 public:
  Certificate() = default;
  static Certificate from_pem(std::string_view pem);  // throws TrustError("malformed")
  static Certificate from_der(const Bytes& der);      // throws TrustError("malformed")
  // All certificates in a PEM bundle, in order.
  static std::vector<Certificate> bundle_from_pem(std::string_view pem);

  bool valid() const { return static_cast<bool>(x509_); }
  std::string pem() const;
  Bytes der() const;

  std::string serial_hex() const;  // upper-case hex of the serial, no leading "0x"
  DistinguishedName subject() const;
  DistinguishedName issuer() const;
  std::string subject_line() const;  // one-line RFC 2253 form, UTF-8, for logs and UI
  TimePoint not_before() const;
  TimePoint not_after() const;
  bool is_ca() const;  // basicConstraints CA:TRUE and, if keyUsage is present, keyCertSign
  // extendedKeyUsage purposes as dotted OIDs (empty when the extension is absent).
  std::vector<std::string> extended_key_usages() const;
  bool has_extended_key_usage(std::string_view dotted_oid) const;
  // subjectAltName entries: dNSName values as written (IA5), iPAddress values in
  // text form ("127.0.0.1", "::1" — RFC 5952 for IPv6). Empty when absent.
  std::vector<std::string> dns_names() const;
  std::vector<std::string> ip_addresses() const;
  Sm2Key public_key() const;
  Bytes fingerprint_sm3() const;  // SM3 of the DER
  // True if `issuer`'s key verifies this certificate's signature (SM2, ID set).
  bool signed_by(const Certificate& issuer, std::string_view id = kSm2DefaultId) const;

  x509_st* native() const { return x509_.get(); }  // owned; shared between copies
  static Certificate adopt(x509_st* x);

 private:
  std::shared_ptr<x509_st> x509_;
};

enum class CertProfile {
  RootCa,     // basicConstraints CA:TRUE critical, keyCertSign|cRLSign
  IssuingCa,  // CA:TRUE, pathlen:0, keyCertSign|cRLSign
  License,    // end entity: digitalSignature|nonRepudiation (license holder keys)
  SealMaker,  // end entity: digitalSignature (the seal-making authority's key)
  Server,     // end entity: digitalSignature, extendedKeyUsage serverAuth
  // The relying-party host profile (docs/PROTOCOL.md §2.3): a dedicated CA under
  // the root that issues only host certificates, and the host certificates.
  // Both carry extendedKeyUsage kRelyingPartyHostPurpose, so a license CA (which
  // never carries it) cannot issue a certificate a wallet accepts as a host.
  RelyingPartyCa,    // CA:TRUE, pathlen:0, keyCertSign|cRLSign, EKU relying-party host
  RelyingPartyHost,  // end entity: digitalSignature, EKU relying-party host; names in subjectAltName
  // A time-stamping authority (RFC 3161 §2.3): digitalSignature|nonRepudiation,
  // extendedKeyUsage id-kp-timeStamping alone and critical.
  TimeStamping,
};

// The extendedKeyUsage purpose of relying-party host certificates and of the
// CA that issues them: an OID in the UUID arc 2.25 (ITU-T X.667 / RFC 4122 §1 —
// no registration needed), UUID 17e79605-3b2d-435f-9a90-50688d00f9cb.
inline constexpr std::string_view kRelyingPartyHostPurpose = "2.25.31774707253270305984337934018630711755";

struct CertificateRequest {
  DistinguishedName subject;
  Sm2Key subject_key;           // public part is used
  CertProfile profile = CertProfile::License;
  TimePoint not_before;
  TimePoint not_after;
  std::optional<Bytes> serial;  // random 16 bytes (positive) when unset
  std::string crl_distribution_point;  // URI, optional
  // subjectAltName (optional): DNS names (LDH labels, no wildcard) and IP
  // addresses in text form. Required for RelyingPartyHost.
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  // Extra non-critical extensions as (dotted OID, DER value) pairs.
  std::vector<std::pair<std::string, Bytes>> extra_extensions;
};

// Issues a certificate signed by issuer_key. issuer == nullptr means
// self-signed (the issuer name is the subject, issuer_key must match subject_key).
// Adds subjectKeyIdentifier and authorityKeyIdentifier.
// Throws TrustError("malformed") for a bad request (empty DN, unknown attribute,
// not_after <= not_before, non-positive serial, duplicate extension, an
// issuer_key that does not match the issuer certificate or, when self-signed,
// the subject key) and TrustError("crypto_failure") if OpenSSL fails.
Certificate issue_certificate(const CertificateRequest& request, const Sm2Key& issuer_key,
                              const Certificate* issuer);

namespace detail {

// Internal to zhaoyin_trust (crl.cpp and chain.cpp share them); not an API for
// other libraries.
DistinguishedName dn_from_native(const X509_name_st* name);
std::string dn_line(const X509_name_st* name);            // RFC 2253, UTF-8
TimePoint time_from_native(const asn1_string_st* time);   // ASN1_TIME; throws TrustError("malformed")
std::string serial_hex_from_native(const asn1_string_st* serial);  // ASN1_INTEGER, upper-case hex
// Verifies a DER `SIGNED{}` structure (certificate or CRL): SEQUENCE { tbs,
// AlgorithmIdentifier, BIT STRING }. The algorithm must be SM2-with-SM3; the
// signature is checked over the exact TBS bytes with `id`. Never throws.
bool verify_signed_der(const Bytes& der, const Sm2Key& key, std::string_view id);
// Adds subjectAltName (non-critical) with the given names; throws
// TrustError("malformed") for a DNS name that is not LDH or an unparsable IP.
void add_subject_alt_names(x509_st* x, const std::vector<std::string>& dns_names,
                           const std::vector<std::string>& ip_addresses);

}  // namespace detail

}  // namespace zhaoyin::trust
