// GM/T 0031-2014 (v1) SES_Signature: read, field by field, as that standard
// defines it (§6.2 电子签章; ASN.1 and decisions in seal_signature.h and
// docs/SEALS.md). Verification is shared with v4 (seal_signature.cpp).
#include "seal_signature_detail.h"

#include <algorithm>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::trust::seal_signature_detail {

namespace {

constexpr int kFirstV4Version = 4;
constexpr std::size_t kTbsSignFields = 7;
constexpr std::size_t kNoteTextMax = 64;
// CMS ContentInfo.contentType of a SignedData, which an RFC 3161 / GB/T 20520
// TimeStampToken is.
constexpr std::string_view kOidCmsSignedData = "1.2.840.113549.1.7.2";

bool printable_ascii(const Bytes& b) {
  return std::all_of(b.begin(), b.end(), [](std::uint8_t c) { return c >= 0x20 && c < 0x7F; });
}

// The time in one DER UTCTime / GeneralizedTime TLV; nullopt when `tlv` is not
// exactly that (der::parse refuses trailing bytes and non-minimal lengths).
std::optional<TimePoint> der_time(const Bytes& tlv) {
  try {
    return der::parse(tlv).as_time();
  } catch (const TrustError&) {
    return std::nullopt;
  }
}

bool is_signed_data(const Bytes& octets) {
  try {
    const der::Element top = der::parse(octets);
    if (top.tag != der::kSequence) return false;
    const auto fields = top.children();
    return !fields.empty() && fields[0].tag == der::kOid && fields[0].as_oid() == kOidCmsSignedData;
  } catch (const TrustError&) {
    return false;
  }
}

// GM/T 0031-2014 TBS_Sign.timeInfo, "可以是时间戳，也可以是UTCTIME时间" (a
// time-stamp or a UTCTime), in a BIT STRING whose octets the standard does not
// otherwise lay out. Read as, in this order:
//   1. one DER UTCTime or GeneralizedTime TLV           → that time;
//   2. the bare characters of one, YYMMDDhhmmssZ (13) or
//      YYYYMMDDhhmmssZ (15, DER form)                    → that time;
//   3. a CMS SignedData (an RFC 3161 time-stamp token)   → unknown: Zhaoyin
//      does not verify time-stamp tokens yet, and an unverified genTime is
//      not a signing time;
//   4. anything else (e.g. a local time with no zone)    → unknown, never guessed.
void read_time_info(const Bytes& octets, ParsedSealSignature& out) {
  out.time_info = octets;
  if (!octets.empty() && (octets[0] == der::kUtcTime || octets[0] == der::kGeneralizedTime)) {
    if (const auto t = der_time(octets)) {
      out.time = *t;
      out.time_form = octets[0] == der::kUtcTime ? "utc_time" : "generalized_time";
      return;
    }
  }
  if (printable_ascii(octets) && (octets.size() == 13 || octets.size() == 15) && octets.back() == 'Z') {
    const bool utc = octets.size() == 13;
    if (const auto t = der_time(der::tlv(utc ? der::kUtcTime : der::kGeneralizedTime, octets))) {
      out.time = *t;
      out.time_form = utc ? "utc_time_text" : "generalized_time_text";
      return;
    }
  }
  out.time_known = false;
  if (is_signed_data(octets)) {
    out.time_form = "timestamp_token";
    out.time_note = "timeInfo is a time-stamp token (CMS SignedData), which is not verified: the signing time is unknown";
    return;
  }
  out.time_form = "unrecognised";
  if (printable_ascii(octets) && !octets.empty()) {
    const std::string text(octets.begin(), octets.begin() + static_cast<std::ptrdiff_t>(std::min(octets.size(), kNoteTextMax)));
    out.time_note = "timeInfo holds \"" + text + "\", not a UTC time (UTCTime or GeneralizedTime): the signing time is unknown";
  } else {
    out.time_note = "timeInfo holds " + std::to_string(octets.size()) +
                    " bytes that are neither a UTC time nor a time-stamp token: the signing time is unknown";
  }
}

}  // namespace

void parse_v1(const std::vector<der::Element>& fields, ParsedSealSignature& out) {
  if (fields.size() != 2) malformed("GM/T 0031 SES_Signature: expected 2 elements");
  const der::Element& tbs = expect(fields[0], der::kSequence, "TBS_Sign");
  out.tbs_sign = tbs.raw_bytes();
  const auto f = tbs.children();
  if (f.size() != kTbsSignFields) malformed("GM/T 0031 TBS_Sign: expected 7 elements");
  const std::int64_t version = expect(f[0], der::kInteger, "version").as_integer();
  if (version < 1 || version >= kFirstV4Version)
    malformed("version " + std::to_string(version) + " in a GM/T 0031 (v1) TBS_Sign");
  out.version = 1;
  out.seal = parse_seal(expect(f[1], der::kSequence, "eseal").raw_bytes());
  if (out.seal.version != 1) malformed("a GM/T 0031 (v1) signature carries a v4 seal");
  read_time_info(expect(f[2], der::kBitString, "timeInfo").as_bits(), out);
  out.data_hash = expect(f[3], der::kBitString, "dataHash").as_bits();
  out.property_info = expect(f[4], der::kIa5String, "propertyInfo").as_string();
  out.signer_cert = Certificate::from_der(expect(f[5], der::kOctetString, "cert").as_octets());
  out.sign_alg_oid = expect(f[6], der::kOid, "signatureAlgorithm").as_oid();
  out.signature = expect(fields[1], der::kBitString, "signature").as_bits();
}

}  // namespace zhaoyin::trust::seal_signature_detail
