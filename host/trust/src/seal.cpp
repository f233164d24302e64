// Electronic seals: build and sign GB/T 38540-2020 v4 SESeal, parse v4 and
// GM/T 0031-2014 v1, verify. The ASN.1 and what is signed are documented in
// seal.h; this file follows that text field by field.
#include <zhaoyin/trust/seal.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::trust {

namespace {

constexpr std::string_view kSealHeaderId = "ES";
constexpr int kVersionV4 = 4;
constexpr std::int64_t kCertListCertificates = 1;
constexpr std::int64_t kCertListDigests = 2;
constexpr std::size_t kSm3DigestSize = 32;

[[noreturn]] void malformed(const std::string& what) { throw TrustError("malformed", "seal: " + what); }
[[noreturn]] void invalid(const std::string& what) { throw TrustError("invalid_argument", "seal: " + what); }

bool ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// ---------------------------------------------------------------- reading helpers

const der::Element& expect(const der::Element& e, std::uint8_t tag, const char* what) {
  if (e.tag != tag) malformed(std::string("expected ") + what);
  return e;
}

std::vector<der::Element> sequence_of(const der::Element& e, std::size_t min_size, std::size_t max_size,
                                      const char* what) {
  expect(e, der::kSequence, what);
  std::vector<der::Element> children = e.children();
  if (children.size() < min_size || children.size() > max_size) malformed(std::string("wrong number of fields in ") + what);
  return children;
}

int as_int(const der::Element& e, const char* what) {
  const std::int64_t v = e.as_integer();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) malformed(std::string(what) + " out of range");
  return static_cast<int>(v);
}

std::string ia5(const der::Element& e, const char* what) { return expect(e, der::kIa5String, what).as_string(); }

TimePoint seal_time(const der::Element& e, bool v4) {
  // v4 mandates GeneralizedTime; GM/T 0031 says UTCTime, but some makers of
  // old seals wrote GeneralizedTime, and either is unambiguous.
  if (v4 && e.tag != der::kGeneralizedTime) malformed("v4 dates must be GeneralizedTime");
  return e.as_time();
}

// ---------------------------------------------------------------- parsing pieces

// SES_Header; returns the header version.
int parse_header(const der::Element& e, SealInfo& info) {
  const auto fields = sequence_of(e, 3, 3, "SES_Header");
  if (ia5(fields[0], "header ID") != kSealHeaderId) malformed("header ID is not \"ES\"");
  const int version = as_int(fields[1], "header version");
  info.vid = ia5(fields[2], "header Vid");
  return version;
}

std::vector<Certificate> parse_certificate_list(const der::Element& list) {
  std::vector<Certificate> certs;
  for (const der::Element& item : sequence_of(list, 0, std::numeric_limits<std::size_t>::max(), "certificate list"))
    certs.push_back(Certificate::from_der(expect(item, der::kOctetString, "certificate OCTET STRING").as_octets()));
  return certs;
}

Bytes parse_digest_list(const der::Element& list) {
  Bytes digests;
  for (const der::Element& item : sequence_of(list, 0, std::numeric_limits<std::size_t>::max(), "CertDigestList")) {
    const auto obj = sequence_of(item, 2, 2, "CertDigestObj");
    std::string type = expect(obj[0], der::kPrintableString, "digest type").as_string();
    std::transform(type.begin(), type.end(), type.begin(), [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    const Bytes value = obj[1].as_octets();
    if (type != "sm3") continue;  // a digest we cannot recompute can never match
    if (value.size() != kSm3DigestSize) malformed("SM3 digest is not 32 bytes");
    digests.insert(digests.end(), value.begin(), value.end());
  }
  return digests;
}

void parse_property(const der::Element& e, bool v4, SealInfo& info, Bytes& digests) {
  const std::size_t expected = v4 ? 7 : 6;
  const auto fields = sequence_of(e, expected, expected, "SES_ESPropertyInfo");
  std::size_t i = 0;
  // The standard leaves room for other seal types; keep the number as given.
  info.type = static_cast<SealOwnerType>(as_int(fields[i++], "seal type"));
  info.name = expect(fields[i++], der::kUtf8String, "seal name").as_string();
  if (v4) {
    const std::int64_t list_type = fields[i++].as_integer();
    if (list_type == kCertListCertificates) info.signer_certs = parse_certificate_list(fields[i++]);
    else if (list_type == kCertListDigests) digests = parse_digest_list(fields[i++]);
    else malformed("unknown certListType");
  } else {
    info.signer_certs = parse_certificate_list(fields[i++]);
  }
  info.created = seal_time(fields[i++], v4);
  info.valid_start = seal_time(fields[i++], v4);
  info.valid_end = seal_time(fields[i++], v4);
}

SealPicture parse_picture(const der::Element& e) {
  const auto fields = sequence_of(e, 4, 4, "SES_ESPictrueInfo");
  SealPicture picture;
  picture.type = ia5(fields[0], "picture type");
  picture.data = fields[1].as_octets();
  picture.width_mm = as_int(fields[2], "picture width");
  picture.height_mm = as_int(fields[3], "picture height");
  return picture;
}

std::vector<SealExtension> parse_extensions(const der::Element& e) {
  std::vector<SealExtension> out;
  for (const der::Element& item : sequence_of(e, 0, std::numeric_limits<std::size_t>::max(), "ExtensionDatas")) {
    const auto fields = sequence_of(item, 2, 3, "ExtData");
    SealExtension ext;
    ext.oid = fields[0].as_oid();
    if (fields.size() == 3) {
      ext.critical = fields[1].as_boolean();
      // DER omits a DEFAULT value, so an explicit FALSE is not DER.
      if (!ext.critical) malformed("explicit critical FALSE in ExtData");
    }
    ext.value = fields.back().as_octets();
    out.push_back(std::move(ext));
  }
  return out;
}

// SES_SealInfo; returns the header version.
int parse_seal_info(const der::Element& e, bool v4, ParsedSeal& out) {
  const auto fields = sequence_of(e, 4, 5, "SES_SealInfo");
  const int version = parse_header(fields[0], out.info);
  out.info.es_id = ia5(fields[1], "esID");
  parse_property(fields[2], v4, out.info, out.signer_cert_digests_sm3);
  out.info.picture = parse_picture(fields[3]);
  if (fields.size() == 5) out.info.extensions = parse_extensions(fields[4]);
  return version;
}

// Fills the maker certificate, algorithm, signature and the signed bytes.
// What the maker signed differs between the versions:
//   v4 (GB/T 38540-2020 §6.1 签名值; §6.2 c; §6.3 b): the signature over the
//      印章信息 SES_SealInfo alone — exactly the eSealInfo TLV as received. The
//      maker certificate names the key and signAlgID the algorithm; neither
//      is signed content.
//   v1 (GM/T 0031-2014 SES_SignInfo.signData): over SEQUENCE { esealInfo,
//      cert, signatureAlgorithm }, as GM/T 0031 seals are made.
void parse_signature_part(const der::Element& seal_info, const der::Element& cert, const der::Element& alg,
                          const der::Element& signature, bool v4, ParsedSeal& out) {
  out.maker_cert = Certificate::from_der(expect(cert, der::kOctetString, "maker cert OCTET STRING").as_octets());
  // A maker certificate without a usable SM2 key can never verify: refuse it
  // here rather than let every later use trip over it.
  if (!out.maker_cert.public_key().valid()) malformed("maker certificate has no SM2 public key");
  out.sign_alg_oid = alg.as_oid();
  out.signature = signature.as_bits();
  // The received bytes, never a re-encoding: the reader is strict DER, so
  // these are the only bytes a conformant maker can have signed.
  out.signed_data = v4 ? seal_info.raw_bytes()
                       : der::sequence({seal_info.raw_bytes(), cert.raw_bytes(), alg.raw_bytes()});
}

ParsedSeal parse_seal_strict(const Bytes& bytes) {
  ParsedSeal out;
  const der::Element top = der::parse(bytes);
  const auto parts = sequence_of(top, 2, 4, "SESeal");
  if (parts.size() == 4) {
    const int version = parse_seal_info(parts[0], true, out);
    if (version != kVersionV4) malformed("v4 structure with header version " + std::to_string(version));
    parse_signature_part(parts[0], parts[1], parts[2], parts[3], true, out);
    out.version = kVersionV4;
  } else if (parts.size() == 2) {
    const int version = parse_seal_info(parts[0], false, out);
    if (version < 1 || version >= kVersionV4) malformed("GM/T 0031 structure with header version " + std::to_string(version));
    const auto sign_info = sequence_of(parts[1], 3, 3, "SES_SignInfo");
    parse_signature_part(parts[0], sign_info[0], sign_info[1], sign_info[2], false, out);
    out.version = 1;
  } else {
    malformed("SESeal has neither the v4 nor the v1 shape");
  }
  out.der = bytes;
  return out;
}

// ---------------------------------------------------------------- building pieces

Bytes encode_seal_info_v4(const SealInfo& info) {
  std::vector<Bytes> certs;
  for (const Certificate& cert : info.signer_certs) certs.push_back(der::octet_string(cert.der()));

  std::vector<Bytes> fields = {
      der::sequence({der::ia5_string(kSealHeaderId), der::integer(kVersionV4), der::ia5_string(info.vid)}),
      der::ia5_string(info.es_id),
      der::sequence({der::integer(static_cast<int>(info.type)), der::utf8_string(info.name),
                     der::integer(kCertListCertificates), der::sequence(certs), der::generalized_time(info.created),
                     der::generalized_time(info.valid_start), der::generalized_time(info.valid_end)}),
      der::sequence({der::ia5_string(info.picture.type), der::octet_string(info.picture.data),
                     der::integer(info.picture.width_mm), der::integer(info.picture.height_mm)}),
  };
  if (!info.extensions.empty()) {
    std::vector<Bytes> exts;
    for (const SealExtension& ext : info.extensions) {
      std::vector<Bytes> ext_fields = {der::oid(ext.oid)};
      if (ext.critical) ext_fields.push_back(der::boolean(true));  // FALSE is the DEFAULT: omitted
      ext_fields.push_back(der::octet_string(ext.value));
      exts.push_back(der::sequence(ext_fields));
    }
    fields.push_back(der::sequence(exts));
  }
  return der::sequence(fields);
}

void check_build_input(const SealInfo& info, const Sm2Key& maker_key, const Certificate& maker_cert) {
  if (info.es_id.empty() || !ascii(info.es_id)) invalid("esID must be non-empty ASCII");
  if (info.vid.empty() || !ascii(info.vid)) invalid("Vid must be non-empty ASCII");
  if (info.name.empty()) invalid("the seal needs a name");
  if (info.picture.data.empty()) invalid("the seal needs a picture");
  if (info.picture.type.empty() || !ascii(info.picture.type)) invalid("picture type must be non-empty ASCII");
  if (info.picture.width_mm <= 0 || info.picture.height_mm <= 0) invalid("picture size must be positive");
  if (info.signer_certs.empty()) invalid("the seal needs at least one signer certificate");
  for (const Certificate& cert : info.signer_certs)
    if (!cert.valid()) invalid("empty signer certificate");
  if (info.valid_end < info.valid_start) invalid("validity ends before it starts");
  for (const SealExtension& ext : info.extensions)
    if (ext.oid.empty()) invalid("extension without an OID");
  if (!maker_cert.valid()) invalid("no maker certificate");
  if (!maker_key.valid() || !maker_key.has_private()) invalid("the maker key has no private part");
  if (maker_key.public_der() != maker_cert.public_key().public_der())
    invalid("the maker key does not belong to the maker certificate");
}

SealCheck failed(std::string code, std::string message) { return SealCheck{false, std::move(code), std::move(message)}; }

}  // namespace

Bytes build_seal_v4(const SealInfo& info, const Sm2Key& maker_key, const Certificate& maker_cert) {
  check_build_input(info, maker_key, maker_cert);
  Bytes seal_info;
  try {
    seal_info = encode_seal_info_v4(info);
  } catch (const TrustError& e) {
    // The encoder refuses what DER cannot carry (a bad OID, invalid UTF-8, a
    // year past 9999): that is the caller's input, not a malformed seal.
    invalid(e.what());
  }
  const Bytes cert = der::octet_string(maker_cert.der());
  const Bytes alg = der::oid(kOidSm2WithSm3);
  // GB/T 38540-2020 §6.1 签名值 / §6.2 c: the maker signs DER(SES_SealInfo),
  // SM2 with SM3 and the ID 1234567812345678 (GM/T 0009), DER-encoded.
  const Bytes signature = maker_key.sign(seal_info);
  return der::sequence({seal_info, cert, alg, der::bit_string(signature)});
}

ParsedSeal parse_seal(const Bytes& der) {
  try {
    return parse_seal_strict(der);
  } catch (const TrustError& e) {
    if (e.code() == "malformed") throw;
    // Whatever a nested parser calls it (a certificate OpenSSL refuses, ...),
    // to the caller these bytes are not a seal.
    throw TrustError("malformed", std::string("seal: ") + e.what());
  }
}

SealCheck verify_seal(const ParsedSeal& seal, const TrustStore& trust, TimePoint at, bool require_crl) {
  if (seal.sign_alg_oid != kOidSm2WithSm3)
    return failed("unsupported_algorithm", "seal is signed with " + seal.sign_alg_oid + ", not SM2-with-SM3");
  bool signature_ok = false;
  try {
    signature_ok = seal.maker_cert.valid() && seal.maker_cert.public_key().verify(seal.signed_data, seal.signature);
  } catch (const TrustError&) {
    // A ParsedSeal assembled by hand may carry a certificate whose key does not decode.
  }
  if (!signature_ok) return failed("bad_signature", "the seal maker's signature does not verify");
  if (at < seal.info.valid_start) return failed("seal_not_yet_valid", "the seal is not valid yet");
  if (at > seal.info.valid_end) return failed("seal_expired", "the seal has expired");
  const ChainResult chain = trust.verify(seal.maker_cert, at, require_crl);
  if (!chain.ok) return failed(chain.code, "seal maker certificate: " + chain.message);
  return SealCheck{true, "ok", "seal verified"};
}

bool seal_allows_signer(const ParsedSeal& seal, const Certificate& cert) {
  if (!cert.valid()) return false;
  const Bytes cert_der = cert.der();
  for (const Certificate& allowed : seal.info.signer_certs)
    if (allowed.valid() && allowed.der() == cert_der) return true;
  const Bytes& digests = seal.signer_cert_digests_sm3;
  if (digests.empty()) return false;
  const Bytes fingerprint = cert.fingerprint_sm3();
  for (std::size_t offset = 0; offset + kSm3DigestSize <= digests.size(); offset += kSm3DigestSize)
    if (std::equal(fingerprint.begin(), fingerprint.end(), digests.begin() + static_cast<std::ptrdiff_t>(offset),
                   digests.begin() + static_cast<std::ptrdiff_t>(offset + kSm3DigestSize)))
      return true;
  return false;
}

}  // namespace zhaoyin::trust
