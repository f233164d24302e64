#pragma once
// License signatures (电子签名 with the business-license key, no seal): a
// detached CMS SignedData (RFC 5652 §5) with SM2/SM3, the profile of
// GB/T 35275-2017 (SM2 密码算法加密签名消息语法规范) written with the RFC 5652
// object identifiers so that tools that know CMS (OpenSSL, PDF readers'
// adbe.pkcs7.detached) read it:
//
//   ContentInfo ::= SEQUENCE { contentType id-signedData (1.2.840.113549.1.7.2),
//                              content [0] EXPLICIT SignedData }
//   SignedData ::= SEQUENCE {
//     version 1, digestAlgorithms SET { sm3 (1.2.156.10197.1.401) },
//     encapContentInfo SEQUENCE { id-data (1.2.840.113549.1.7.1) },   -- detached: no eContent
//     certificates [0] IMPLICIT SET { the holder's license certificate },
//     signerInfos SET { SignerInfo } }
//   SignerInfo ::= SEQUENCE {
//     version 1, sid IssuerAndSerialNumber, digestAlgorithm sm3,
//     signedAttrs [0] IMPLICIT SET { contentType id-data, signingTime UTCTime,
//                                    messageDigest SM3(the signed bytes) },
//     signatureAlgorithm sm2-with-sm3 (1.2.156.10197.1.501),
//     signature OCTET STRING (DER SEQUENCE { r, s }),
//     unsignedAttrs [1] IMPLICIT SET { id-aa-signatureTimeStampToken } OPTIONAL }
//
// The signer signs DER(signedAttrs) with the SET OF tag 0x31 (RFC 5652 §5.4),
// SM2 with SM3 and the ID 1234567812345678 — bytes the host builds and the
// wallet signs, as it signs a TBS_Sign for a seal. The optional time-stamp is
// RFC 3161 Appendix A's id-aa-signatureTimeStampToken over the signature value.
#include <chrono>
#include <optional>
#include <string>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::trust {

class TrustStore;

inline constexpr std::string_view kOidSignedData = "1.2.840.113549.1.7.2";
inline constexpr std::string_view kOidData = "1.2.840.113549.1.7.1";
inline constexpr std::string_view kOidSignatureTimeStampToken = "1.2.840.113549.1.9.16.2.14";

// DER(SET OF Attribute) of the signed attributes: what the holder signs.
// Throws TrustError("invalid_argument") for a digest that is not 32 bytes.
Bytes build_license_signed_attributes(const Bytes& sm3_digest, TimePoint signing_time);

// The ContentInfo around a signature over `signed_attributes`.
Bytes assemble_license_signature(const Bytes& signed_attributes, const Certificate& holder, const Bytes& signature);
// The same with a time-stamp token as an unsigned attribute (RFC 3161 Appendix A).
Bytes license_signature_with_timestamp(const Bytes& cms, const Bytes& token);

// True when `der` starts like a CMS ContentInfo of SignedData (to tell it from
// a GB/T 38540 SES_Signature without parsing either fully).
bool looks_like_cms(const Bytes& der);

struct ParsedLicenseSignature {
  Certificate signer_cert;
  Bytes signed_attributes;        // DER SET OF, as signed
  Bytes message_digest;           // the messageDigest attribute: SM3 of the signed bytes
  TimePoint signing_time{};
  Bytes signature;                // DER SEQUENCE { r, s }
  std::optional<Bytes> timestamp; // RFC 3161 token
};

// Strict DER; throws TrustError("malformed") for anything but the profile
// above (one signer, SM3, SM2, the three signed attributes, the signer's
// certificate present and matching sid, no eContent).
ParsedLicenseSignature parse_license_signature(const Bytes& der);

struct LicenseSignatureCheck {
  bool ok = false;
  // ok, bad_signature, data_hash_mismatch, signer_<chain code> (signer_cert_revoked, ...)
  std::string code;
  std::string message;
};

// The signature over the signed attributes; messageDigest against `data_sm3`
// (when given); the signer's chain and CRLs at `at`.
LicenseSignatureCheck verify_license_signature(const ParsedLicenseSignature& sig, const TrustStore& trust,
                                               const std::optional<Bytes>& data_sm3, TimePoint at);

}  // namespace zhaoyin::trust
