// RFC 3161 time-stamp tokens: CMS SignedData (RFC 5652 §5) over DER(TSTInfo),
// issued (the TSA's side) and parsed and verified (the relying party's side),
// SM2 with SM3 and the distinguishing ID 1234567812345678 (GM/T 0009).
#include <algorithm>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/timestamp.h>

#include "timestamp_detail.h"

namespace zhaoyin::trust {

namespace {

using namespace tsp;

constexpr std::string_view kOidSignedData = "1.2.840.113549.1.7.2";
constexpr std::string_view kOidTstInfo = "1.2.840.113549.1.9.16.1.4";        // id-ct-TSTInfo
constexpr std::string_view kOidContentType = "1.2.840.113549.1.9.3";
constexpr std::string_view kOidMessageDigest = "1.2.840.113549.1.9.4";
constexpr std::string_view kOidSigningTime = "1.2.840.113549.1.9.5";
constexpr std::string_view kOidSigningCertificate = "1.2.840.113549.1.9.16.2.12";    // RFC 2634 §5.4 (SHA-1)
constexpr std::string_view kOidSigningCertificateV2 = "1.2.840.113549.1.9.16.2.47";  // RFC 5035 §3
constexpr std::string_view kOidSm2Sign = "1.2.156.10197.1.301.1";                     // GM/T 0006 sm2sign
constexpr std::size_t kMaxCertificates = 16;

Bytes sha1(const Bytes& data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha1(), nullptr) != 1) {
    ERR_clear_error();
    throw TrustError("crypto_failure", "SHA-1 failed");
  }
  out.resize(n);
  return out;
}

// The issuer Name and serialNumber of a certificate, as DER TLVs (RFC 5280 §4.1).
struct IssuerAndSerial {
  Bytes issuer;
  Bytes serial;
};

IssuerAndSerial issuer_and_serial(const Certificate& cert) {
  const Bytes certificate = cert.der();
  const auto outer = der::parse(certificate).children();
  const auto tbs = outer.at(0).children();
  const std::size_t first = !tbs.empty() && tbs[0].tag == 0xA0 ? 1 : 0;
  if (tbs.size() < first + 3) malformed("certificate TBS too short");
  return {tbs[first + 2].raw_bytes(), tbs[first].raw_bytes()};
}

Bytes subject_key_id(const Certificate& cert) {
  const ASN1_OCTET_STRING* id = X509_get0_subject_key_id(cert.native());
  ERR_clear_error();
  if (!id) return {};
  return Bytes(ASN1_STRING_get0_data(id), ASN1_STRING_get0_data(id) + ASN1_STRING_length(id));
}

Bytes attribute(std::string_view oid, const Bytes& value) {
  return der::sequence({der::oid(oid), der::tlv(der::kSet, value)});
}

// DER SET OF: the elements sorted by their encodings (X.690 §11.6).
Bytes set_of(std::vector<Bytes> elements) {
  std::sort(elements.begin(), elements.end());
  Bytes content;
  for (const auto& e : elements) content.insert(content.end(), e.begin(), e.end());
  return content;  // the SET's content; the caller chooses the tag (SET or [0] IMPLICIT)
}

TstInfo parse_tst_info(const Bytes& bytes) {
  const auto f = expect(der::parse(bytes), der::kSequence, "TSTInfo").children();
  if (f.size() < 5) malformed("TSTInfo is too short");
  if (f[0].as_integer() != 1) malformed("TSTInfo version must be 1");
  TstInfo info;
  info.policy = policy_text(f[1]);
  read_imprint(f[2], info.hash_oid, info.hashed_message);
  info.serial = magnitude(f[3]);
  info.gen_time = expect(f[4], der::kGeneralizedTime, "genTime").as_time();
  std::size_t i = 5;
  if (i < f.size() && f[i].tag == der::kSequence) {
    const auto accuracy = f[i++].children();
    if (accuracy.size() > 3) malformed("Accuracy has the wrong shape");
    for (std::size_t a = 0; a < accuracy.size(); ++a) {
      if (accuracy[a].tag == der::kInteger && a == 0) {
        info.accuracy_seconds = accuracy[a].as_integer();
        if (*info.accuracy_seconds < 0) malformed("negative accuracy");
      } else if (accuracy[a].tag != 0x80 && accuracy[a].tag != 0x81) {
        malformed("Accuracy has unknown fields");
      }
    }
  }
  if (i < f.size() && f[i].tag == der::kBoolean) {
    if (!f[i++].as_boolean()) malformed("ordering FALSE must be omitted (DER DEFAULT)");
  }
  if (i < f.size() && f[i].tag == der::kInteger) info.nonce = magnitude(f[i++]);
  if (i < f.size() && f[i].tag == 0xA0) ++i;  // tsa GeneralName: informative only
  if (i < f.size() && f[i].tag == 0xA1) ++i;  // extensions: none is critical to us; not interpreted
  if (i != f.size()) malformed("TSTInfo has unknown fields");
  return info;
}

struct SignedAttributes {
  std::string content_type;
  Bytes message_digest;
  std::optional<Bytes> cert_hash;  // the first ESSCertID(v2)'s hash of the signing certificate
  std::string cert_hash_oid;       // its algorithm (SHA-1 for v1)
};

SignedAttributes read_signed_attributes(const Bytes& set_der) {
  SignedAttributes out;
  std::vector<std::string> seen;
  for (const auto& attr : der::parse(set_der).children()) {
    const auto parts = expect(attr, der::kSequence, "Attribute").children();
    if (parts.size() != 2) malformed("Attribute has the wrong shape");
    const std::string type = expect(parts[0], der::kOid, "attrType").as_oid();
    if (std::find(seen.begin(), seen.end(), type) != seen.end()) malformed("attribute " + type + " appears twice");
    seen.push_back(type);
    const auto values = expect(parts[1], der::kSet, "attrValues").children();
    if (values.size() != 1) malformed("attribute " + type + " must have one value");
    const auto& v = values[0];
    if (type == kOidContentType) {
      out.content_type = expect(v, der::kOid, "contentType").as_oid();
    } else if (type == kOidMessageDigest) {
      out.message_digest = expect(v, der::kOctetString, "messageDigest").as_octets();
    } else if (type == kOidSigningCertificateV2 || type == kOidSigningCertificate) {
      const auto certs = expect(expect(v, der::kSequence, "SigningCertificate").children().at(0), der::kSequence, "certs")
                             .children();
      if (certs.empty()) malformed("SigningCertificate lists no certificate");
      const auto id = expect(certs[0], der::kSequence, "ESSCertID").children();
      if (id.empty()) malformed("empty ESSCertID");
      std::size_t k = 0;
      out.cert_hash_oid = type == kOidSigningCertificate ? "1.3.14.3.2.26" : std::string(kOidSha256);
      if (type == kOidSigningCertificateV2 && id[0].tag == der::kSequence) out.cert_hash_oid = algorithm_oid(id[k++]);
      if (k >= id.size()) malformed("ESSCertID has no hash");
      out.cert_hash = expect(id[k], der::kOctetString, "certHash").as_octets();
    }
  }
  return out;
}

Bytes hash_for(std::string_view oid, const Bytes& data) {
  if (oid == "1.3.14.3.2.26") return sha1(data);
  return timestamp_hash(oid, data);
}

bool critical_timestamping_only(const Certificate& cert) {
  const auto purposes = cert.extended_key_usages();
  if (purposes.size() != 1 || purposes[0] != kOidTimeStampingPurpose) return false;
  const int index = X509_get_ext_by_NID(cert.native(), NID_ext_key_usage, -1);
  const bool critical = index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert.native(), index)) == 1;
  ERR_clear_error();
  return critical;
}

TimestampCheck failed(TimestampCheck check, std::string code, std::string message) {
  check.ok = false;
  check.code = std::move(code);
  check.message = std::move(message);
  return check;
}

}  // namespace

TimestampToken parse_timestamp_token(const Bytes& bytes) {
  TimestampToken t;
  t.der = bytes;
  const auto content_info = expect(der::parse(bytes), der::kSequence, "ContentInfo").children();
  if (content_info.size() != 2 || expect(content_info[0], der::kOid, "contentType").as_oid() != kOidSignedData)
    malformed("the token is not a CMS SignedData");
  const auto wrapped = expect(content_info[1], 0xA0, "content").children();
  if (wrapped.size() != 1) malformed("ContentInfo content must hold one SignedData");
  const auto sd = expect(wrapped[0], der::kSequence, "SignedData").children();
  if (sd.size() < 4 || sd.size() > 6) malformed("SignedData has the wrong shape");
  if (sd[0].as_integer() != 3) malformed("SignedData version must be 3 (RFC 5652 §5.1)");
  expect(sd[1], der::kSet, "digestAlgorithms");
  const auto encap = expect(sd[2], der::kSequence, "encapContentInfo").children();
  if (encap.size() != 2 || expect(encap[0], der::kOid, "eContentType").as_oid() != kOidTstInfo)
    malformed("the token's content is not id-ct-TSTInfo");
  const auto econtent = expect(encap[1], 0xA0, "eContent").children();
  if (econtent.size() != 1) malformed("eContent must hold one OCTET STRING");
  t.tst_info_der = expect(econtent[0], der::kOctetString, "eContent").as_octets();
  t.info = parse_tst_info(t.tst_info_der);
  std::size_t i = 3;
  if (i < sd.size() && sd[i].tag == 0xA0) {
    const auto certs = sd[i++].children();
    if (certs.size() > kMaxCertificates) malformed("too many certificates");
    for (const auto& c : certs) t.certificates.push_back(Certificate::from_der(expect(c, der::kSequence, "Certificate").raw_bytes()));
  }
  if (i < sd.size() && sd[i].tag == 0xA1) ++i;  // crls: not used to check the TSA
  if (i + 1 != sd.size()) malformed("SignedData has unknown fields");
  const auto signers = expect(sd[i], der::kSet, "signerInfos").children();
  if (signers.size() != 1) malformed("a time-stamp token has exactly one SignerInfo (RFC 3161 §2.4.2)");
  const auto si = expect(signers[0], der::kSequence, "SignerInfo").children();
  if (si.size() < 6 || si.size() > 7) malformed("SignerInfo has the wrong shape");
  const auto version = si[0].as_integer();
  if (version == 1) {
    const auto sid = expect(si[1], der::kSequence, "IssuerAndSerialNumber").children();
    if (sid.size() != 2) malformed("IssuerAndSerialNumber has the wrong shape");
    t.signer_issuer_der = expect(sid[0], der::kSequence, "issuer").raw_bytes();
    t.signer_serial_der = expect(sid[1], der::kInteger, "serialNumber").raw_bytes();
  } else if (version == 3) {
    t.signer_key_id = expect(si[1], 0x80, "subjectKeyIdentifier").content_bytes();
    if (t.signer_key_id.empty()) malformed("empty subjectKeyIdentifier");
  } else {
    malformed("SignerInfo version must be 1 or 3");
  }
  t.digest_oid = algorithm_oid(si[2]);
  const auto& attrs = expect(si[3], 0xA0, "signedAttrs");
  // RFC 5652 §5.4: the signature covers the attributes' DER with the SET tag.
  t.signed_attributes_der = der::tlv(der::kSet, attrs.content_bytes());
  t.signature_oid = algorithm_oid(si[4]);
  t.signature = expect(si[5], der::kOctetString, "signature").as_octets();
  if (si.size() == 7) expect(si[6], 0xA1, "unsignedAttrs");
  return t;
}

Bytes issue_timestamp_token(const TsaCredential& tsa, const TimestampRequest& request, const Bytes& serial,
                            TimePoint gen_time) {
  if (request.policy && *request.policy != tsa.policy)
    throw TrustError("invalid_argument", "time-stamp: this TSA does not serve policy " + *request.policy);
  std::vector<Bytes> tst = {der::integer(1), policy_oid(tsa.policy), imprint(request.hash_oid, request.hashed_message),
                            der::integer_unsigned(serial), der::generalized_time(gen_time),
                            der::sequence({der::integer(1)})};  // accuracy: one second
  if (request.nonce) tst.push_back(der::integer_unsigned(*request.nonce));
  const Bytes tst_info = der::sequence(tst);

  const IssuerAndSerial id = issuer_and_serial(tsa.cert);
  // ESSCertIDv2 { SM3, SM3(cert), IssuerSerial { GeneralNames { directoryName [4] }, serial } }.
  const Bytes ess_cert_id = der::sequence({algorithm_identifier(kOidSm3), der::octet_string(sm3(tsa.cert.der())),
                                           der::sequence({der::sequence({der::context(4, id.issuer, true)}), id.serial})});
  const Bytes attributes = set_of({
      attribute(kOidContentType, der::oid(kOidTstInfo)),
      attribute(kOidSigningTime, der::utc_time(gen_time)),
      attribute(kOidMessageDigest, der::octet_string(sm3(tst_info))),
      attribute(kOidSigningCertificateV2, der::sequence({der::sequence({ess_cert_id})})),
  });
  const Bytes signature = tsa.key.sign(der::tlv(der::kSet, attributes));
  const Bytes signer_info = der::sequence({der::integer(1), der::sequence({id.issuer, id.serial}),
                                           algorithm_identifier(kOidSm3), der::tlv(0xA0, attributes),
                                           algorithm_identifier(kOidSm2WithSm3), der::octet_string(signature)});
  std::vector<Bytes> signed_data = {
      der::integer(3), der::tlv(der::kSet, algorithm_identifier(kOidSm3)),
      der::sequence({der::oid(kOidTstInfo), der::context(0, der::octet_string(tst_info), true)})};
  if (request.cert_req) {
    // §2.4.1: certReq asks for the TSA's certificate; the CAs above it come along.
    Bytes certs = tsa.cert.der();
    for (const auto& c : tsa.chain) {
      const Bytes d = c.der();
      certs.insert(certs.end(), d.begin(), d.end());
    }
    signed_data.push_back(der::tlv(0xA0, certs));
  }
  signed_data.push_back(der::tlv(der::kSet, signer_info));
  return der::sequence({der::oid(kOidSignedData), der::context(0, der::sequence(signed_data), true)});
}

TimestampCheck verify_timestamp_token(const Bytes& token_der, const Bytes& stamped_data, const TrustStore& tsa_trust,
                                      bool require_crl, const std::vector<Certificate>& extra_certificates) {
  TimestampCheck check;
  try {
    check.token = parse_timestamp_token(token_der);
  } catch (const std::exception& e) {
    ERR_clear_error();
    return failed(std::move(check), "timestamp_malformed", std::string("the time-stamp token does not parse: ") + e.what());
  }
  const TimestampToken& t = *check.token;
  try {
    // 1. The token stamps this data (the SES_Signature's signature value).
    if (timestamp_hash(t.info.hash_oid, stamped_data) != t.info.hashed_message)
      return failed(std::move(check), "timestamp_imprint_mismatch",
                    "the time-stamp's messageImprint is not the hash of the signature value");
    // 2. The TSA certificate the SignerInfo names.
    std::vector<Certificate> candidates = t.certificates;
    candidates.insert(candidates.end(), extra_certificates.begin(), extra_certificates.end());
    for (const auto& c : candidates) {
      const IssuerAndSerial id = issuer_and_serial(c);
      const bool named = t.signer_key_id.empty() ? id.issuer == t.signer_issuer_der && id.serial == t.signer_serial_der
                                                 : subject_key_id(c) == t.signer_key_id;
      if (named) {
        check.tsa_certificate = c;
        break;
      }
    }
    if (!check.tsa_certificate.valid())
      return failed(std::move(check), "timestamp_untrusted_tsa", "the TSA's certificate is neither in the token nor known");
    // 3. Signed attributes: content type, message digest, the certificate named (RFC 5035 §3 / RFC 2634 §5.4).
    const SignedAttributes attrs = read_signed_attributes(t.signed_attributes_der);
    if (attrs.content_type != kOidTstInfo)
      return failed(std::move(check), "timestamp_malformed", "the contentType attribute is not id-ct-TSTInfo");
    if (t.digest_oid != kOidSm3)
      return failed(std::move(check), "timestamp_unsupported_algorithm",
                    "the token's digest algorithm " + t.digest_oid + " is not SM3 (SM2 signs with SM3)");
    if (t.signature_oid != kOidSm2WithSm3 && t.signature_oid != kOidSm2Sign)
      return failed(std::move(check), "timestamp_unsupported_algorithm",
                    "the token's signature algorithm " + t.signature_oid + " is not SM2");
    if (attrs.message_digest != sm3(t.tst_info_der))
      return failed(std::move(check), "timestamp_bad_signature", "the messageDigest attribute is not SM3 of TSTInfo");
    if (!attrs.cert_hash)
      return failed(std::move(check), "timestamp_malformed", "the token has no ESS signingCertificate(V2) attribute");
    if (hash_for(attrs.cert_hash_oid, check.tsa_certificate.der()) != *attrs.cert_hash)
      return failed(std::move(check), "timestamp_bad_signature",
                    "the ESS signingCertificate attribute names another certificate than the signer's");
    // 4. The TSA's SM2 signature over the signed attributes, with the ID set.
    Sm2Key key;
    try {
      key = check.tsa_certificate.public_key();
    } catch (const TrustError&) {
      return failed(std::move(check), "timestamp_unsupported_algorithm", "the TSA's key is not an SM2 key");
    }
    if (!key.verify(t.signed_attributes_der, t.signature))
      return failed(std::move(check), "timestamp_bad_signature", "the TSA's SM2 signature over the token does not verify");
    // 5. RFC 3161 §2.3: a TSA certificate has id-kp-timeStamping as its only, critical, extended key usage.
    if (!critical_timestamping_only(check.tsa_certificate))
      return failed(std::move(check), "timestamp_tsa_not_authorised",
                    "'" + check.tsa_certificate.subject_line() +
                        "' is not a time-stamping certificate (RFC 3161 §2.3: critical extendedKeyUsage id-kp-timeStamping only)");
    // 6. The TSA chains to a configured TSA trust anchor at genTime.
    TrustStore store = tsa_trust;
    for (const auto& c : candidates)
      if (c.is_ca()) store.add_intermediate(c);
    check.tsa_chain = store.verify(check.tsa_certificate, t.info.gen_time, require_crl);
    if (!check.tsa_chain.ok)
      return failed(std::move(check), "timestamp_untrusted_tsa", "the TSA's certificate: " + check.tsa_chain.message);
  } catch (const TrustError& e) {
    ERR_clear_error();
    const std::string code = e.code() == "unsupported_algorithm" ? "timestamp_unsupported_algorithm" : "timestamp_malformed";
    return failed(std::move(check), code, std::string("the time-stamp token: ") + e.what());
  } catch (const std::exception& e) {
    ERR_clear_error();
    return failed(std::move(check), "timestamp_malformed", std::string("the time-stamp token: ") + e.what());
  }
  check.ok = true;
  check.code = "ok";
  check.message = "time-stamped by '" + check.tsa_certificate.subject_line() + "'";
  return check;
}

}  // namespace zhaoyin::trust
