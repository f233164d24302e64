// License signatures: detached CMS SignedData with SM2/SM3 (license_signature.h).
#include <zhaoyin/trust/license_signature.h>

#include <algorithm>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/timestamp.h>

namespace zhaoyin::trust {

namespace {

constexpr std::string_view kOidContentType = "1.2.840.113549.1.9.3";
constexpr std::string_view kOidMessageDigest = "1.2.840.113549.1.9.4";
constexpr std::string_view kOidSigningTime = "1.2.840.113549.1.9.5";

[[noreturn]] void malformed(const std::string& what) { throw TrustError("malformed", "CMS license signature: " + what); }

Bytes concat(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// X.690 §11.6: the components of a DER SET OF in ascending order of their encodings.
Bytes set_of(std::vector<Bytes> elements) {
  std::sort(elements.begin(), elements.end());
  return der::tlv(der::kSet, concat(elements));
}

Bytes algorithm(std::string_view oid) { return der::sequence({der::oid(oid)}); }

Bytes attribute(std::string_view oid, const Bytes& value) { return der::sequence({der::oid(oid), set_of({value})}); }

// IssuerAndSerialNumber (RFC 5652 §10.2.4) from the certificate's own TBS bytes.
Bytes issuer_and_serial(const Certificate& cert) {
  const Bytes cert_der = cert.der();
  const auto tbs = der::parse(cert_der).children().at(0).children();
  const std::size_t first = tbs.at(0).tag == 0xA0 ? 1 : 0;  // [0] EXPLICIT version
  return der::sequence({tbs.at(first + 2).raw_bytes(), tbs.at(first).raw_bytes()});
}

Bytes signed_data(const Bytes& signed_attributes, const Certificate& holder, const Bytes& signature,
                  const std::optional<Bytes>& timestamp) {
  // [0] IMPLICIT SET OF: the SET's content under the context tag (RFC 5652 §5.3).
  const auto attrs = der::parse(signed_attributes);
  std::vector<Bytes> signer = {der::integer(1), issuer_and_serial(holder), algorithm(kOidSm3),
                               der::context(0, attrs.content_bytes(), true), algorithm(kOidSm2WithSm3),
                               der::octet_string(signature)};
  if (timestamp) {
    const Bytes unsigned_attrs = set_of({attribute(kOidSignatureTimeStampToken, *timestamp)});
    signer.push_back(der::context(1, der::parse(unsigned_attrs).content_bytes(), true));
  }
  const Bytes sd = der::sequence({der::integer(1), set_of({algorithm(kOidSm3)}), der::sequence({der::oid(kOidData)}),
                                  der::context(0, holder.der(), true), set_of({der::sequence(signer)})});
  return der::sequence({der::oid(kOidSignedData), der::context(0, sd, true)});
}

}  // namespace

Bytes build_license_signed_attributes(const Bytes& sm3_digest, TimePoint signing_time) {
  if (sm3_digest.size() != 32) throw TrustError("invalid_argument", "an SM3 digest is 32 bytes");
  // RFC 5652 §11: contentType and messageDigest are required when signed
  // attributes are present; signingTime (§11.3, UTCTime before 2050) states the time.
  return set_of({attribute(kOidContentType, der::oid(kOidData)),
                 attribute(kOidSigningTime, der::utc_time(signing_time)),
                 attribute(kOidMessageDigest, der::octet_string(sm3_digest))});
}

Bytes assemble_license_signature(const Bytes& signed_attributes, const Certificate& holder, const Bytes& signature) {
  return signed_data(signed_attributes, holder, signature, std::nullopt);
}

Bytes license_signature_with_timestamp(const Bytes& cms, const Bytes& token) {
  const auto parsed = parse_license_signature(cms);
  return signed_data(parsed.signed_attributes, parsed.signer_cert, parsed.signature, token);
}

bool looks_like_cms(const Bytes& der) {
  try {
    const auto top = der::parse(der);
    const auto children = top.children();
    return top.tag == der::kSequence && !children.empty() && children[0].tag == der::kOid &&
           children[0].as_oid() == kOidSignedData;
  } catch (const TrustError&) {
    return false;
  }
}

ParsedLicenseSignature parse_license_signature(const Bytes& bytes) {
  ParsedLicenseSignature out;
  const auto top = der::parse(bytes);
  if (top.tag != der::kSequence) malformed("not a ContentInfo");
  const auto info = top.children();
  if (info.size() != 2 || info[0].tag != der::kOid || info[0].as_oid() != kOidSignedData || info[1].tag != 0xA0)
    malformed("not a ContentInfo of SignedData");
  const auto wrapped = info[1].children();
  if (wrapped.size() != 1 || wrapped[0].tag != der::kSequence) malformed("[0] must hold one SignedData");
  const auto sd = wrapped[0].children();
  if (sd.size() != 5 || sd[0].tag != der::kInteger || sd[0].as_integer() != 1) malformed("SignedData must be version 1 with certificates and no CRLs");
  if (sd[1].tag != der::kSet) malformed("digestAlgorithms");
  const auto digests = sd[1].children();
  if (digests.size() != 1 || digests[0].tag != der::kSequence || digests[0].children().empty() ||
      digests[0].children()[0].as_oid() != kOidSm3)
    malformed("digestAlgorithms must be SM3 alone");
  const auto encap = sd[2].children();
  if (sd[2].tag != der::kSequence || encap.size() != 1 || encap[0].tag != der::kOid || encap[0].as_oid() != kOidData)
    malformed("encapContentInfo must be id-data without eContent (detached)");
  if (sd[3].tag != 0xA0) malformed("certificates [0] missing");
  const auto certs = sd[3].children();
  if (certs.size() != 1) malformed("exactly the signer's certificate is expected");
  out.signer_cert = Certificate::from_der(certs[0].raw_bytes());
  // An SM2 key or nothing: a certificate whose key does not decode is no signer (found by fuzz_license_signature).
  try {
    (void)out.signer_cert.public_key();
  } catch (const TrustError&) {
    malformed("the signer's certificate has no SM2 public key");
  }
  if (sd[4].tag != der::kSet) malformed("signerInfos");
  const auto signers = sd[4].children();
  if (signers.size() != 1 || signers[0].tag != der::kSequence) malformed("exactly one SignerInfo is expected");
  const auto si = signers[0].children();
  if ((si.size() != 6 && si.size() != 7) || si[0].tag != der::kInteger || si[0].as_integer() != 1)
    malformed("SignerInfo must be version 1 (issuerAndSerialNumber)");
  if (si[1].raw_bytes() != issuer_and_serial(out.signer_cert)) malformed("sid does not name the certificate carried");
  if (si[2].tag != der::kSequence || si[2].children().empty() || si[2].children()[0].as_oid() != kOidSm3)
    malformed("digestAlgorithm must be SM3");
  if (si[3].tag != 0xA0) malformed("signedAttrs [0] missing");
  out.signed_attributes = der::tlv(der::kSet, si[3].content_bytes());
  if (si[4].tag != der::kSequence || si[4].children().empty() || si[4].children()[0].as_oid() != kOidSm2WithSm3)
    malformed("signatureAlgorithm must be SM2 with SM3 (1.2.156.10197.1.501)");
  if (si[5].tag != der::kOctetString) malformed("signature must be an OCTET STRING");
  out.signature = si[5].as_octets();
  if (si.size() == 7) {
    if (si[6].tag != 0xA1) malformed("unsignedAttrs must be [1]");
    for (const auto& a : si[6].children()) {
      const auto parts = a.children();
      if (a.tag != der::kSequence || parts.size() != 2 || parts[1].tag != der::kSet) malformed("unsigned attribute");
      const auto values = parts[1].children();
      if (parts[0].as_oid() != kOidSignatureTimeStampToken || values.size() != 1 || out.timestamp)
        malformed("only one signatureTimeStampToken is accepted as an unsigned attribute");
      out.timestamp = values[0].raw_bytes();
    }
  }
  bool has_type = false, has_digest = false, has_time = false;
  for (const auto& a : si[3].children()) {
    const auto parts = a.children();
    if (a.tag != der::kSequence || parts.size() != 2 || parts[1].tag != der::kSet) malformed("signed attribute");
    const auto values = parts[1].children();
    if (values.size() != 1) malformed("a signed attribute must have one value");
    const std::string oid = parts[0].as_oid();
    if (oid == kOidContentType && !has_type) {
      if (values[0].tag != der::kOid || values[0].as_oid() != kOidData) malformed("contentType must be id-data");
      has_type = true;
    } else if (oid == kOidMessageDigest && !has_digest) {
      if (values[0].tag != der::kOctetString) malformed("messageDigest must be an OCTET STRING");
      out.message_digest = values[0].as_octets();
      if (out.message_digest.size() != 32) malformed("messageDigest must be an SM3 digest");
      has_digest = true;
    } else if (oid == kOidSigningTime && !has_time) {
      out.signing_time = values[0].as_time();
      has_time = true;
    } else {
      malformed("unexpected or repeated signed attribute " + oid);
    }
  }
  if (!has_type || !has_digest || !has_time) malformed("contentType, messageDigest and signingTime are required");
  return out;
}

LicenseSignatureCheck verify_license_signature(const ParsedLicenseSignature& sig, const TrustStore& trust,
                                               const std::optional<Bytes>& data_sm3, TimePoint at) {
  // SM2 over DER(signedAttrs) with the SET OF tag (RFC 5652 §5.4), ID 1234567812345678 (GM/T 0009).
  bool verified = false;
  try {
    verified = sig.signer_cert.public_key().verify(sig.signed_attributes, sig.signature, kSm2DefaultId);
  } catch (const TrustError&) {
    verified = false;  // a key that does not decode verifies nothing
  }
  if (!verified) return {false, "bad_signature", "the holder's SM2 signature over the signed attributes does not verify"};
  if (data_sm3 && *data_sm3 != sig.message_digest)
    return {false, "data_hash_mismatch", "the signed data changed: its SM3 is not the messageDigest signed"};
  const auto chain = trust.verify(sig.signer_cert, at, true);
  if (!chain.ok) return {false, "signer_" + chain.code, chain.message};
  return {true, "ok", ""};
}

}  // namespace zhaoyin::trust
