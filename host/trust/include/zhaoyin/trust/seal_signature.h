#pragma once
// Electronic seal signatures: GB/T 38540-2020 SES_Signature (version 4),
// built, parsed and verified; GM/T 0031-2014 SES_Signature (version 1) parsed
// and verified (Zhaoyin never writes v1).
//
//   SES_Signature ::= SEQUENCE {
//     toSign          TBS_Sign,
//     cert            OCTET STRING,        -- the signer's certificate, DER
//     signatureAlgID  OBJECT IDENTIFIER,   -- 1.2.156.10197.1.501 SM2-with-SM3
//     signature       BIT STRING,          -- DER SM2 signature
//     timeStamp       [0] BIT STRING OPTIONAL }
//   TBS_Sign ::= SEQUENCE {
//     version         INTEGER (4),         -- the seal's version
//     eseal           SESeal,              -- the seal used, exactly as the maker signed it
//     timeInfo        GeneralizedTime,     -- signing time
//     dataHash        BIT STRING,          -- SM3 of the signed data
//     propertyInfo    IA5String,           -- what was signed (document id, byte range, …)
//     extDatas        ExtensionDatas OPTIONAL }
//
// GB/T 38540-2020 §7.1: propertyInfo's structure is the implementer's, but it
// "至少应包含签名保护范围" (shall at least contain the signature's protection
// range). Zhaoyin writes `;`-separated key=value fields and states the range
// as `byterange=o1,l1[,o2,l2...]` (offset,length pairs over the signed bytes):
//   PDF:  zhaoyin:pdf;task=<id>;byterange=<the signature's /ByteRange>
//   data: zhaoyin:data;task=<id>;byterange=0,<length of the data>
//   OFD:  zhaoyin:ofd;task=<id>;file=/<Signature.xml>;byterange=0,<its length>
//         (GB/T 33190-2016 §18.2: the signed data is the Signature.xml file)
// dataHash is SM3 over exactly those bytes, concatenated.
//
// The signer signs the DER of TBS_Sign (SM2 with SM3, ID 1234567812345678)
// with the key of `cert`, which must be one of the seal's signer certificates.
// Because TBS_Sign carries only the data's digest, a wallet can be shown the
// to-be-signed bytes (seal, time, digest, properties) and sign them without
// ever receiving the document.
//
// GM/T 0031-2014 (v1), §6.2 电子签章 (the seal inside is a v1 SESeal, seal.h):
//   SES_Signature ::= SEQUENCE { toSign TBS_Sign, signature BIT STRING }
//   TBS_Sign ::= SEQUENCE {
//     version             INTEGER,            -- below 4 (GM/T 0031 family)
//     eseal               SESeal,             -- a v1 seal
//     timeInfo            BIT STRING,         -- 可以是时间戳，也可以是UTCTIME时间
//     dataHash            BIT STRING,
//     propertyInfo        IA5String,
//     cert                OCTET STRING,       -- the signer's certificate, inside the signed part
//     signatureAlgorithm  OBJECT IDENTIFIER } -- inside the signed part too
// `signature` covers DER(TBS_Sign) exactly as received. The version is told
// from the shape: 2 elements v1, 4 or 5 elements v4; a v1 signature must
// carry a v1 seal and a v4 signature a v4 seal.
//
// v1 timeInfo is read as follows (docs/SEALS.md): its octets are a DER
// UTCTime or GeneralizedTime TLV, or the bare text of one (YYMMDDhhmmssZ,
// YYYYMMDDhhmmssZ) — the signing time; anything else, an RFC 3161
// time-stamp token included (not verified yet), leaves the signing time
// unknown (`time_known` false). Zhaoyin does not guess a time, e.g. from a
// local time without a zone. With the signing time unknown, the seal's
// validity and the certificate chains are checked at the verification time,
// and the result says so.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/trust/seal.h>

namespace zhaoyin::trust {

class TrustStore;

struct SignatureRequest {
  Bytes seal_der;             // the GB/T 38540 v4 SESeal
  TimePoint time;             // timeInfo (whole seconds)
  Bytes data_hash;            // SM3 of the data, 32 bytes
  std::string property_info;  // ASCII, e.g. "zhaoyin:pdf;byterange=0,1200,9400,310"
};

// The DER of TBS_Sign. Throws TrustError("invalid_argument") for a seal that
// does not parse as v4, a data hash that is not 32 bytes, or non-ASCII
// property info.
Bytes build_tbs_sign_v4(const SignatureRequest& request);

// The complete SES_Signature from TBS_Sign, the signer's certificate and the
// DER signature over the TBS bytes (made by the signer, e.g. in a wallet).
Bytes assemble_seal_signature_v4(const Bytes& tbs_sign_der, const Certificate& signer_cert, const Bytes& signature);

// build_tbs_sign_v4 + sign + assemble, for a signer whose key is at hand.
Bytes sign_seal_signature_v4(const SignatureRequest& request, const Sm2Key& signer_key, const Certificate& signer_cert);

struct ParsedSealSignature {
  int version = 0;            // 4, or 1 for GM/T 0031-2014
  ParsedSeal seal;
  TimePoint time;             // the signing time; meaningful only when time_known
  // How timeInfo was read: "generalized_time" (v4; v1 a DER GeneralizedTime TLV),
  // "utc_time" (v1, a DER UTCTime TLV), "utc_time_text" / "generalized_time_text"
  // (v1, the bare characters), or, with time_known false, "timestamp_token"
  // (a CMS SignedData, RFC 3161) or "unrecognised".
  bool time_known = true;
  std::string time_form = "generalized_time";
  std::string time_note;      // for a report: what timeInfo held when the time is unknown
  Bytes time_info;            // v1: timeInfo's octets as received
  Bytes data_hash;
  std::string property_info;
  Certificate signer_cert;    // v4 SES_Signature.cert; v1 TBS_Sign.cert
  std::string sign_alg_oid;   // v4 signatureAlgID; v1 TBS_Sign.signatureAlgorithm
  Bytes signature;            // DER
  Bytes tbs_sign;             // the exact signed bytes
  std::optional<Bytes> timestamp;
  Bytes der;                  // the whole SES_Signature
};

// The protection range stated in propertyInfo (the `byterange=` field, see
// above): offset,length pairs. std::nullopt when propertyInfo states none in
// that form; an empty vector when the field is there but is not a list of
// non-negative integers in pairs (a stated range that can match nothing).
std::optional<std::vector<std::uint64_t>> stated_protection_range(std::string_view property_info);

// "zhaoyin:data;task=<task_id>;byterange=0,<length>" (§7.1 for business data).
std::string data_property_info(std::string_view task_id, std::uint64_t length);

// v4 or v1, told apart by shape (see above). Strict DER. Throws TrustError("malformed").
ParsedSealSignature parse_seal_signature(const Bytes& der);

struct SealSignatureCheck {
  bool ok = false;
  // ok | unsupported_algorithm | bad_signature | data_hash_mismatch | signer_not_authorised |
  // seal_<SealCheck code> (seal_bad_signature, seal_expired, seal_not_yet_valid, seal_untrusted_chain, ...) |
  // signer_<chain code> (signer_untrusted_chain, signer_cert_expired, signer_cert_revoked, ...)
  std::string code;
  std::string message;
  bool signing_time_known = true;
  TimePoint checked_at{};     // when the seal and the chains were checked: the signing time, or the verification time
};

// The instant the seal's validity and the certificate chains are checked at:
// the signing time when it is known, otherwise `verification_time`.
TimePoint seal_signature_check_time(const ParsedSealSignature& signature, TimePoint verification_time);

// Verifies (GB/T 38540-2020 §7.3; for v1 GM/T 0031-2014 §6.2, the same
// steps), stopping at the first failure: the algorithm; the signer's
// signature over TBS_Sign; dataHash equals `data_hash` (when given); the seal
// (verify_seal at the signing time); that the seal lists the signer's
// certificate; the signer's certificate chain at the signing time (`trust`,
// CRLs required as in TrustStore::verify). The timeStamp, when present, is
// not verified yet. The protection range stated in propertyInfo is compared by
// the caller, who knows what was hashed (stated_protection_range).
// When the signing time is unknown (v1, see above), "the signing time" in
// these steps is `verification_time` (in the first form: now, whole seconds),
// and the result says so (signing_time_known, checked_at, message).
SealSignatureCheck verify_seal_signature(const ParsedSealSignature& signature, const TrustStore& trust,
                                         const std::optional<Bytes>& data_hash, bool require_crl = true);
SealSignatureCheck verify_seal_signature(const ParsedSealSignature& signature, const TrustStore& trust,
                                         const std::optional<Bytes>& data_hash, bool require_crl,
                                         TimePoint verification_time);

}  // namespace zhaoyin::trust
