// Seal signatures: GB/T 38540-2020 v4 built and parsed, the version told
// apart by shape, both versions verified (GM/T 0031-2014 v1 is read in
// seal_signature_v1.cpp). The ASN.1 and what is signed: seal_signature.h.
#include <zhaoyin/trust/seal_signature.h>

#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>

#include "seal_signature_detail.h"

namespace zhaoyin::trust {

namespace seal_signature_detail {

void malformed(const std::string& what) { throw TrustError("malformed", "SES_Signature: " + what); }

const der::Element& expect(const der::Element& e, std::uint8_t tag, const char* what) {
  if (e.tag != tag) malformed(std::string(what) + " has the wrong type");
  return e;
}

}  // namespace seal_signature_detail

namespace {

using seal_signature_detail::expect;
using seal_signature_detail::malformed;

constexpr std::size_t kSm3Size = 32;

[[noreturn]] void invalid(const std::string& what) { throw TrustError("invalid_argument", what); }

bool ascii(std::string_view s) {
  for (const char c : s)
    if (static_cast<unsigned char>(c) > 0x7E || (static_cast<unsigned char>(c) < 0x20)) return false;
  return true;
}

// GB/T 38540-2020 §7.1 SES_Signature, given the top SEQUENCE's 4 or 5 elements.
void parse_v4(const std::vector<der::Element>& fields, ParsedSealSignature& out) {
  const der::Element& tbs = expect(fields[0], der::kSequence, "TBS_Sign");
  out.tbs_sign = tbs.raw_bytes();
  const auto tbs_fields = tbs.children();
  if (tbs_fields.size() != 5 && tbs_fields.size() != 6) malformed("TBS_Sign: expected 5 or 6 elements");
  out.version = static_cast<int>(expect(tbs_fields[0], der::kInteger, "version").as_integer());
  if (out.version != 4) malformed("version " + std::to_string(out.version) + " is not 4");
  out.seal = parse_seal(expect(tbs_fields[1], der::kSequence, "eseal").raw_bytes());
  if (out.seal.version != 4) malformed("a v4 signature carries a v1 seal");
  out.time = expect(tbs_fields[2], der::kGeneralizedTime, "timeInfo").as_time();
  out.data_hash = expect(tbs_fields[3], der::kBitString, "dataHash").as_bits();
  out.property_info = expect(tbs_fields[4], der::kIa5String, "propertyInfo").as_string();
  if (tbs_fields.size() == 6) {
    // §7.1 extDatas ExtensionDatas OPTIONAL (a SEQUENCE OF); some writers tag
    // it [0] EXPLICIT. Both are read; the content is covered by the signature.
    const der::Element& ext = tbs_fields[5];
    if (ext.tag == 0xA0) {
      const auto inner = ext.children();
      if (inner.size() != 1) malformed("extDatas [0] must hold one SEQUENCE");
      expect(inner[0], der::kSequence, "extDatas");
    } else {
      expect(ext, der::kSequence, "extDatas");
    }
  }
  out.signer_cert = Certificate::from_der(expect(fields[1], der::kOctetString, "cert").as_octets());
  out.sign_alg_oid = expect(fields[2], der::kOid, "signatureAlgID").as_oid();
  out.signature = expect(fields[3], der::kBitString, "signature").as_bits();
  if (fields.size() == 5) {
    // GB/T 38540-2020 §7.1 writes `timeStamp [0] BIT STRING OPTIONAL` without
    // stating the module's tagging, and implementations differ: read both the
    // IMPLICIT form (primitive 80) and the EXPLICIT one (A0 wrapping a BIT STRING).
    if (fields[4].tag == 0x80) {
      const Bytes content = fields[4].content_bytes();
      if (content.empty() || content[0] != 0) malformed("timeStamp is not a whole-byte BIT STRING");
      out.timestamp = Bytes(content.begin() + 1, content.end());
    } else if (fields[4].tag == 0xA0) {
      const auto inner = fields[4].children();
      if (inner.size() != 1) malformed("timeStamp [0] must hold one BIT STRING");
      out.timestamp = expect(inner[0], der::kBitString, "timeStamp").as_bits();
    } else {
      malformed("timeStamp must be [0]");
    }
  }
}

SealSignatureCheck failed(std::string code, std::string message) {
  return SealSignatureCheck{false, std::move(code), std::move(message)};
}

}  // namespace

Bytes build_tbs_sign_v4(const SignatureRequest& request) {
  ParsedSeal seal;
  try {
    seal = parse_seal(request.seal_der);
  } catch (const TrustError& e) {
    invalid(std::string("the seal does not parse: ") + e.what());
  }
  if (seal.version != 4) invalid("a v4 seal signature needs a v4 seal");
  if (request.data_hash.size() != kSm3Size) invalid("the data hash must be an SM3 digest (32 bytes)");
  if (!ascii(request.property_info)) invalid("property info must be printable ASCII (IA5String)");
  return der::sequence({der::integer(4), request.seal_der, der::generalized_time(request.time),
                        der::bit_string(request.data_hash), der::ia5_string(request.property_info)});
}

Bytes assemble_seal_signature_v4(const Bytes& tbs_sign_der, const Certificate& signer_cert, const Bytes& signature) {
  if (!signer_cert.valid()) invalid("no signer certificate");
  if (signature.empty()) invalid("no signature");
  return der::sequence({tbs_sign_der, der::octet_string(signer_cert.der()), der::oid(kOidSm2WithSm3),
                        der::bit_string(signature)});
}

Bytes sign_seal_signature_v4(const SignatureRequest& request, const Sm2Key& signer_key,
                             const Certificate& signer_cert) {
  if (!signer_key.has_private() || !signer_key.same_public_key(signer_cert.public_key()))
    invalid("the signer key does not belong to the signer certificate");
  const Bytes tbs = build_tbs_sign_v4(request);
  return assemble_seal_signature_v4(tbs, signer_cert, signer_key.sign(tbs));
}

std::optional<std::vector<std::uint64_t>> stated_protection_range(std::string_view property_info) {
  constexpr std::string_view kKey = "byterange=";
  std::size_t start = 0;
  while (start <= property_info.size()) {
    std::size_t end = property_info.find(';', start);
    if (end == std::string_view::npos) end = property_info.size();
    const std::string_view field = property_info.substr(start, end - start);
    if (field.substr(0, kKey.size()) == kKey) {
      std::vector<std::uint64_t> range;
      std::string_view rest = field.substr(kKey.size());
      while (true) {
        const std::size_t comma = rest.find(',');
        const std::string_view number = rest.substr(0, comma);
        std::uint64_t value = 0;
        if (number.empty() || number.size() > 19) return std::vector<std::uint64_t>{};
        for (const char c : number) {
          if (c < '0' || c > '9') return std::vector<std::uint64_t>{};
          value = value * 10 + static_cast<std::uint64_t>(c - '0');
        }
        range.push_back(value);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
      }
      if (range.size() % 2 != 0) return std::vector<std::uint64_t>{};
      return range;
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::string data_property_info(std::string_view task_id, std::uint64_t length) {
  return "zhaoyin:data;task=" + std::string(task_id) + ";byterange=0," + std::to_string(length);
}

ParsedSealSignature parse_seal_signature(const Bytes& bytes) {
  ParsedSealSignature out;
  out.der = bytes;
  try {
    const der::Element top = expect(der::parse(bytes), der::kSequence, "SES_Signature");
    const auto fields = top.children();
    // The version by shape: GB/T 38540-2020 §7.1 has 4 or 5 elements,
    // GM/T 0031-2014 §6.2 two (toSign, signature).
    if (fields.size() == 4 || fields.size() == 5) parse_v4(fields, out);
    else if (fields.size() == 2) seal_signature_detail::parse_v1(fields, out);
    else malformed("neither the GB/T 38540 (4 or 5 elements) nor the GM/T 0031 (2 elements) shape");
  } catch (const TrustError& e) {
    if (e.code() == "malformed") throw;
    malformed(e.what());
  }
  return out;
}

TimePoint seal_signature_check_time(const ParsedSealSignature& s, TimePoint verification_time) {
  return s.time_known ? s.time : verification_time;
}

SealSignatureCheck verify_seal_signature(const ParsedSealSignature& s, const TrustStore& trust,
                                         const std::optional<Bytes>& data_hash, bool require_crl) {
  const TimePoint now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return verify_seal_signature(s, trust, data_hash, require_crl, now);
}

namespace {

SealSignatureCheck verify_at(const ParsedSealSignature& s, const TrustStore& trust,
                             const std::optional<Bytes>& data_hash, bool require_crl, TimePoint at) {
  if (s.sign_alg_oid != kOidSm2WithSm3)
    return failed("unsupported_algorithm", "signed with " + s.sign_alg_oid + ", not SM2-with-SM3");
  bool good = false;
  try {
    good = s.signer_cert.valid() && s.signer_cert.public_key().verify(s.tbs_sign, s.signature);
  } catch (const TrustError&) {
  }
  if (!good) return failed("bad_signature", "the signer's signature over TBS_Sign does not verify");
  if (data_hash && *data_hash != s.data_hash)
    return failed("data_hash_mismatch", "the signed digest is not the digest of this data");
  const SealCheck seal = verify_seal(s.seal, trust, at, require_crl);
  if (!seal.ok) return failed("seal_" + seal.code, "seal " + s.seal.info.es_id + ": " + seal.message);
  if (!seal_allows_signer(s.seal, s.signer_cert))
    return failed("signer_not_authorised", "the seal " + s.seal.info.es_id + " does not list the signer " +
                                               s.signer_cert.subject_line());
  const ChainResult chain = trust.verify(s.signer_cert, at, require_crl);
  if (!chain.ok) return failed("signer_" + chain.code, "signer certificate: " + chain.message);
  return SealSignatureCheck{true, "ok", "seal signature verified"};
}

}  // namespace

SealSignatureCheck verify_seal_signature(const ParsedSealSignature& s, const TrustStore& trust,
                                         const std::optional<Bytes>& data_hash, bool require_crl,
                                         TimePoint verification_time) {
  const TimePoint at = seal_signature_check_time(s, verification_time);
  SealSignatureCheck result = verify_at(s, trust, data_hash, require_crl, at);
  result.signing_time_known = s.time_known;
  result.checked_at = at;
  if (!s.time_known)
    result.message += " (" + s.time_note + "; the seal and the certificates were checked at the verification time)";
  return result;
}

}  // namespace zhaoyin::trust
