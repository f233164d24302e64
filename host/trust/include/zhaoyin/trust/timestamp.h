#pragma once
// RFC 3161 time-stamps (Time-Stamp Protocol) with SM2/SM3, for the
// `timeStamp` of a GB/T 38540-2020 §7.1 SES_Signature: a time-stamp token over
// the signature value, which proves the signature existed at the token's
// genTime, so it can be validated at that time after its certificates expire.
//
//   TimeStampReq  ::= SEQUENCE { version INTEGER (1), messageImprint MessageImprint,
//                     reqPolicy OID OPTIONAL, nonce INTEGER OPTIONAL,
//                     certReq BOOLEAN DEFAULT FALSE, extensions [0] IMPLICIT OPTIONAL }   (§2.4.1)
//   TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL } (§2.4.2)
//   TimeStampToken: CMS SignedData (RFC 5652 §5) whose eContent is DER(TSTInfo),
//                   eContentType id-ct-TSTInfo, one SignerInfo whose signed
//                   attributes carry contentType, messageDigest and an ESS
//                   signingCertificate(V2) naming the TSA's certificate (RFC 5816).
//   TSTInfo       ::= SEQUENCE { version INTEGER (1), policy OID, messageImprint,
//                     serialNumber INTEGER, genTime GeneralizedTime, accuracy OPTIONAL,
//                     ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL,
//                     tsa [0] GeneralName OPTIONAL, extensions [1] IMPLICIT OPTIONAL }
//
// The CMS structures are written and read here with the DER helpers rather
// than OpenSSL's TS/CMS code: OpenSSL 3.0 cannot sign PKCS#7 or CMS with an
// SM2 key (PKCS7_SIGNER_INFO_set: "signing not supported for this key type";
// CMS_sign leaves the SignerInfo's signature empty), and its verifiers hash
// SM2 signatures without the distinguishing ID (docs/SEALS.md, "Long-term
// validation"). Every SM2 signature here uses the ID 1234567812345678.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/trust/chain.h>

namespace zhaoyin::trust {

inline constexpr std::string_view kOidSm3 = "1.2.156.10197.1.401";
inline constexpr std::string_view kOidSha256 = "2.16.840.1.101.3.4.2.1";
inline constexpr std::string_view kOidTimeStampingPurpose = "1.3.6.1.5.5.7.3.8";  // id-kp-timeStamping
// The sandbox TSA's policy: an OID in the UUID arc 2.25 (ITU-T X.667), UUID
// 0b6a1f3c-5d2e-4e8a-9c71-3f4d2a6b8e10.
inline constexpr std::string_view kSandboxTsaPolicy = "2.25.15168512374547089227683385683935530512";

// SM3 or SHA-256 of `data` by the hash algorithm's OID; TrustError("unsupported_algorithm") otherwise.
Bytes timestamp_hash(std::string_view hash_oid, const Bytes& data);

struct TimestampRequest {
  std::string hash_oid = std::string(kOidSm3);  // SM3 or SHA-256
  Bytes hashed_message;
  std::optional<std::string> policy;
  std::optional<Bytes> nonce;  // positive; big-endian magnitude without leading zeros
  bool cert_req = false;
};

Bytes encode_timestamp_request(const TimestampRequest& request);
// Strict DER. TrustError("malformed") for a bad structure, a version other
// than 1, or an imprint whose length does not fit its algorithm;
// TrustError("unsupported_algorithm") for a hash other than SM3 or SHA-256.
TimestampRequest parse_timestamp_request(const Bytes& der);

// PKIStatus (RFC 3161 §2.4.2) and the PKIFailureInfo bits used here.
enum class PkiStatus : int { granted = 0, granted_with_mods = 1, rejection = 2, waiting = 3,
                             revocation_warning = 4, revocation_notification = 5 };
inline constexpr int kFailBadAlg = 0;
inline constexpr int kFailBadRequest = 2;
inline constexpr int kFailBadDataFormat = 5;
inline constexpr int kFailUnacceptedPolicy = 15;
inline constexpr int kFailUnacceptedExtension = 16;
inline constexpr int kFailSystemFailure = 25;

struct TimestampResponse {
  int status = 0;
  std::string status_text;         // the first statusString, if any
  std::optional<int> failure_bit;  // the lowest PKIFailureInfo bit set, if any
  std::optional<Bytes> token;      // DER ContentInfo
};

Bytes encode_timestamp_response(const TimestampResponse& response);
// TrustError("malformed") for anything that is not a DER TimeStampResp, and
// for a granted status without a token or a token with a rejection.
TimestampResponse parse_timestamp_response(const Bytes& der);

struct TstInfo {
  std::string policy;
  std::string hash_oid;
  Bytes hashed_message;
  Bytes serial;                 // magnitude, big-endian
  TimePoint gen_time;           // whole seconds (a fraction is dropped)
  std::optional<Bytes> nonce;   // magnitude, big-endian
  std::optional<std::int64_t> accuracy_seconds;
};

struct TimestampToken {
  TstInfo info;
  Bytes tst_info_der;                      // the eContent, exactly as signed over
  std::vector<Certificate> certificates;   // SignedData.certificates
  // SignerInfo.sid: issuerAndSerialNumber (version 1), or subjectKeyIdentifier (version 3, RFC 5652 §5.3).
  Bytes signer_issuer_der;
  Bytes signer_serial_der;
  Bytes signer_key_id;
  std::string digest_oid;                  // SignerInfo.digestAlgorithm
  std::string signature_oid;               // SignerInfo.signatureAlgorithm
  Bytes signed_attributes_der;             // DER SET OF Attribute, as the signature covers it
  Bytes signature;
  Bytes der;
};

// Strict DER, one SignerInfo (RFC 3161 §2.4.2), attached TSTInfo. TrustError("malformed").
TimestampToken parse_timestamp_token(const Bytes& der);

// The time-stamping authority's side: its certificate (profile TimeStamping),
// key, and the certificates above it to send when certReq is set.
struct TsaCredential {
  Certificate cert;
  Sm2Key key;
  std::vector<Certificate> chain;  // issuing CAs, not the root
  std::string policy = std::string(kSandboxTsaPolicy);
};

// A token over `request` at `gen_time` with `serial` (positive magnitude).
// The signed attributes are contentType, signingTime, messageDigest (SM3) and
// signingCertificateV2 (SM3 hash of the TSA certificate); the signature is
// SM2 with ID 1234567812345678. TrustError("invalid_argument") for a request
// policy the TSA does not serve.
Bytes issue_timestamp_token(const TsaCredential& tsa, const TimestampRequest& request, const Bytes& serial,
                            TimePoint gen_time);

struct TimestampCheck {
  bool ok = false;
  // ok | timestamp_malformed | timestamp_unsupported_algorithm | timestamp_imprint_mismatch |
  // timestamp_bad_signature | timestamp_tsa_not_authorised | timestamp_untrusted_tsa
  std::string code;
  std::string message;
  std::optional<TimestampToken> token;  // when it parsed
  Certificate tsa_certificate;          // when found
  ChainResult tsa_chain;                // when checked
};

// RFC 3161 §2.4.2 and RFC 5652 §5.6, stopping at the first failure: the token
// parses; its messageImprint is the hash of `stamped_data`; the TSA
// certificate (from the token, or `extra_certificates`) is the one the sid
// and the ESS signingCertificate(V2) name; messageDigest is the hash of
// TSTInfo; the SM2 signature over the signed attributes verifies; the
// certificate's only extendedKeyUsage is id-kp-timeStamping, critical (§2.3);
// the certificate chains to `tsa_trust` at genTime. Never throws for bad input.
TimestampCheck verify_timestamp_token(const Bytes& token_der, const Bytes& stamped_data, const TrustStore& tsa_trust,
                                      bool require_crl = false,
                                      const std::vector<Certificate>& extra_certificates = {});

// The SES_Signature with its timeStamp (GB/T 38540-2020 §7.1, `[0] BIT STRING`,
// written IMPLICIT like seal_signature.h reads it) set to `token`, replacing
// one already there. TrustError("malformed") if `ses_signature` is not a v4 SES_Signature.
Bytes with_timestamp(const Bytes& ses_signature, const Bytes& token);

}  // namespace zhaoyin::trust
