#pragma once
// Electronic seals: GB/T 38540-2020 SESeal (version 4), built, parsed and
// verified; GM/T 0031-2014 SESeal (version 1) parsed.
//
// v4 ASN.1 (GB/T 38540-2020 §7):
//   SESeal ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING,
//                         signAlgID OBJECT IDENTIFIER, signedValue BIT STRING }
//   SES_SealInfo ::= SEQUENCE { header SES_Header, esID IA5String,
//                         property SES_ESPropertyInfo, picture SES_ESPictrueInfo,
//                         extDatas ExtensionDatas OPTIONAL }
//   SES_Header ::= SEQUENCE { ID IA5String ("ES"), version INTEGER (4), Vid IA5String }
//   SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String,
//                         certListType INTEGER, certList SES_CertList,
//                         createDate GeneralizedTime, validStart GeneralizedTime,
//                         validEnd GeneralizedTime }
//   SES_CertList ::= CHOICE { certs CertInfoList,            -- certListType 1
//                             certDigestList CertDigestList } -- certListType 2
//   CertInfoList ::= SEQUENCE OF OCTET STRING (DER certificates)
//   CertDigestList ::= SEQUENCE OF SEQUENCE { type PrintableString, value OCTET STRING }
//   SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING,
//                         width INTEGER, height INTEGER }  -- millimetres
//   ExtensionDatas ::= SEQUENCE OF SEQUENCE { extnID OBJECT IDENTIFIER,
//                         critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
// signedValue (签名值, GB/T 38540-2020 §6.1) is the seal maker's SM2-with-SM3
// signature (OID 1.2.156.10197.1.501, distinguishing ID 1234567812345678,
// DER ECDSA-Sig-Value in the BIT STRING) over exactly DER(SES_SealInfo), i.e.
// the eSealInfo TLV as it appears in the seal (§6.2 c signs the 印章信息;
// §6.3 b verifies "according to the seal information, the maker certificate
// and the signature algorithm identifier": the certificate supplies the key,
// the identifier the algorithm; neither is part of the signed content).
// Verification runs over the received bytes, never over a re-encoding.
// (Zhaoyin before issue 18 signed SEQUENCE { eSealInfo, cert, signAlgID }; such
// seals now fail with "bad_signature" — see docs/SEALS.md.)
//
// v1 (GM/T 0031-2014): SESeal ::= SEQUENCE { esealInfo SES_SealInfo, signInfo SES_SignInfo }
// with SES_SealInfo as above except: the header version is below 4 (1 in the
// seals we build in tests; deployed GM/T 0031 seals also carry 2 or 3), and
//   SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String,
//                         certList SEQUENCE OF OCTET STRING,
//                         createDate UTCTime, validStart UTCTime, validEnd UTCTime }
//   SES_SignInfo ::= SEQUENCE { cert OCTET STRING,
//                         signatureAlgorithm OBJECT IDENTIFIER, signData BIT STRING }
// GM/T 0031-2014 signData is over the DER of SEQUENCE { esealInfo, cert,
// signatureAlgorithm } (unlike v4, which signs the SES_SealInfo alone).
//
// The version is told apart by structure (4 elements: v4, 2 elements: v1) and
// must agree with the header version.
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::trust {

inline constexpr std::string_view kOidSm2WithSm3 = "1.2.156.10197.1.501";

// Seal types in SES_ESPropertyInfo.type. The standard lets a deployment define
// more; parse_seal keeps any other number as it is (static_cast).
enum class SealOwnerType : int { Organization = 1, Person = 2 };

struct SealPicture {
  std::string type = "PNG";  // GIF, BMP, JPG, PNG, SVG, OFD
  Bytes data;
  int width_mm = 42;
  int height_mm = 42;
};

struct SealExtension {
  std::string oid;
  bool critical = false;
  Bytes value;
};

struct SealInfo {
  std::string vid = "Zhaoyin Sandbox";  // vendor id in the header
  std::string es_id;                    // seal code (印章编码), unique
  SealOwnerType type = SealOwnerType::Organization;
  std::string name;                     // e.g. "武汉长江数据科技有限公司合同专用章"
  // Certificates of the signers allowed to use this seal (certListType 1).
  std::vector<Certificate> signer_certs;
  TimePoint created;
  TimePoint valid_start;
  TimePoint valid_end;
  SealPicture picture;
  std::vector<SealExtension> extensions;
};

struct ParsedSeal {
  int version = 0;                // 4 or 1
  SealInfo info;
  // certListType 2 only: the SM3 digests of the signer certificates, 32 bytes
  // each, concatenated (entries of other digest types are skipped).
  Bytes signer_cert_digests_sm3;
  Certificate maker_cert;         // the seal maker (制章人) certificate
  std::string sign_alg_oid;
  Bytes signature;                // DER SM2 signature
  Bytes signed_data;              // the exact bytes the maker signed: v4 the eSealInfo TLV (see above)
  Bytes der;                      // the whole SESeal
};

// Builds and signs a v4 SESeal. Throws TrustError("invalid_argument") on bad
// input: empty or non-ASCII es_id, vid or picture type; empty name or picture;
// no signer certificate; validity that ends before it starts; a maker key
// without its private part or not matching maker_cert.
Bytes build_seal_v4(const SealInfo& info, const Sm2Key& maker_key, const Certificate& maker_cert);

// Parses v4 or v1 (detected from the structure and header version). Strict
// DER throughout; a signer or maker certificate OpenSSL cannot read, or a maker
// certificate without an SM2 key, makes the seal malformed too.
// Throws TrustError("malformed") on anything else.
ParsedSeal parse_seal(const Bytes& der);

struct SealCheck {
  bool ok = false;
  std::string code;  // "ok", "bad_signature", "seal_expired", "seal_not_yet_valid", "untrusted_chain", ...
  std::string message;
};

// Verifies (GB/T 38540-2020 §6.3), in this order and stopping at the first failure:
//   1. the signature algorithm is SM2-with-SM3 ("unsupported_algorithm"),
//   2. the maker's signature over signed_data — v4: the received SES_SealInfo
//      bytes, with the maker certificate's key (§6.3 b) ("bad_signature"),
//   3. validStart <= at <= validEnd ("seal_not_yet_valid" / "seal_expired"),
//   4. the maker certificate's chain in `trust` at `at` (TrustStore::verify's
//      code passed through: "untrusted_chain", "cert_expired", "cert_revoked", ...;
//      require_crl as in TrustStore::verify).
class TrustStore;
SealCheck verify_seal(const ParsedSeal& seal, const TrustStore& trust, TimePoint at,
                      bool require_crl = true);

// True if `cert` is in the seal's signer list (by DER equality or SM3 digest).
bool seal_allows_signer(const ParsedSeal& seal, const Certificate& cert);

}  // namespace zhaoyin::trust
