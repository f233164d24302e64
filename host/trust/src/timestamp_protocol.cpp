// RFC 3161 §2.4: the time-stamp request and response messages, and the
// SES_Signature's timeStamp field (GB/T 38540-2020 §7.1).
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/timestamp.h>

#include "timestamp_detail.h"

namespace zhaoyin::trust {

namespace tsp {

[[noreturn]] void malformed(const std::string& what) { throw TrustError("malformed", "time-stamp: " + what); }

const der::Element& expect(const der::Element& e, std::uint8_t tag, const char* what) {
  if (e.tag != tag) malformed(std::string(what) + " has the wrong type");
  return e;
}

Bytes magnitude(const der::Element& integer) {
  expect(integer, der::kInteger, "INTEGER");
  if (integer.length == 0) malformed("empty INTEGER");
  if (integer.length > 1) {
    const bool redundant_zero = integer.content[0] == 0x00 && (integer.content[1] & 0x80) == 0;
    const bool redundant_ones = integer.content[0] == 0xFF && (integer.content[1] & 0x80) != 0;
    if (redundant_zero || redundant_ones) malformed("non-minimal INTEGER");
  }
  if ((integer.content[0] & 0x80) != 0) malformed("negative INTEGER where a positive one belongs");
  Bytes out = integer.content_bytes();
  while (out.size() > 1 && out.front() == 0) out.erase(out.begin());
  if (out.size() > 64) malformed("INTEGER longer than 64 octets");  // nonces and serials are short
  return out;
}

std::string algorithm_oid(const der::Element& algorithm_identifier) {
  const auto parts = expect(algorithm_identifier, der::kSequence, "AlgorithmIdentifier").children();
  if (parts.empty() || parts.size() > 2) malformed("AlgorithmIdentifier has the wrong shape");
  // Parameters, when present, must be NULL for the hashes and SM2 (RFC 5754 §2 allows both forms).
  if (parts.size() == 2 && (parts[1].tag != der::kNull || parts[1].length != 0))
    malformed("AlgorithmIdentifier parameters must be absent or NULL");
  return expect(parts[0], der::kOid, "algorithm").as_oid();
}

Bytes algorithm_identifier(std::string_view oid) { return der::sequence({der::oid(oid)}); }

std::size_t hash_size(std::string_view oid) {
  if (oid == kOidSm3 || oid == kOidSha256) return 32;
  throw TrustError("unsupported_algorithm", "time-stamp: hash algorithm " + std::string(oid) +
                                                " is not SM3 or SHA-256");
}

void read_imprint(const der::Element& e, std::string& hash_oid, Bytes& hashed) {
  const auto parts = expect(e, der::kSequence, "MessageImprint").children();
  if (parts.size() != 2) malformed("MessageImprint must hold an algorithm and a hash");
  hash_oid = algorithm_oid(parts[0]);
  hashed = expect(parts[1], der::kOctetString, "hashedMessage").as_octets();
  if (hashed.size() != hash_size(hash_oid)) malformed("hashedMessage's length does not fit its algorithm");
}

Bytes imprint(std::string_view hash_oid, const Bytes& hashed) {
  return der::sequence({algorithm_identifier(hash_oid), der::octet_string(hashed)});
}

}  // namespace tsp

using namespace tsp;

Bytes timestamp_hash(std::string_view hash_oid, const Bytes& data) {
  if (hash_oid == kOidSm3) return sm3(data);
  if (hash_oid == kOidSha256) return sha256(data);
  throw TrustError("unsupported_algorithm", "time-stamp: hash algorithm " + std::string(hash_oid) +
                                                " is not SM3 or SHA-256");
}

Bytes encode_timestamp_request(const TimestampRequest& r) {
  if (r.hashed_message.size() != hash_size(r.hash_oid))
    throw TrustError("invalid_argument", "time-stamp: the hash does not fit its algorithm");
  std::vector<Bytes> fields = {der::integer(1), imprint(r.hash_oid, r.hashed_message)};
  if (r.policy) fields.push_back(der::oid(*r.policy));
  if (r.nonce) fields.push_back(der::integer_unsigned(*r.nonce));
  if (r.cert_req) fields.push_back(der::boolean(true));  // DEFAULT FALSE is omitted in DER
  return der::sequence(fields);
}

TimestampRequest parse_timestamp_request(const Bytes& bytes) {
  const auto fields = expect(der::parse(bytes), der::kSequence, "TimeStampReq").children();
  if (fields.size() < 2) malformed("TimeStampReq needs a version and a messageImprint");
  if (fields[0].as_integer() != 1) malformed("TimeStampReq version must be 1");
  TimestampRequest r;
  read_imprint(fields[1], r.hash_oid, r.hashed_message);
  std::size_t i = 2;
  if (i < fields.size() && fields[i].tag == der::kOid) r.policy = fields[i++].as_oid();
  if (i < fields.size() && fields[i].tag == der::kInteger) r.nonce = magnitude(fields[i++]);
  if (i < fields.size() && fields[i].tag == der::kBoolean) {
    r.cert_req = fields[i++].as_boolean();
    if (!r.cert_req) malformed("certReq FALSE must be omitted (DER DEFAULT)");
  }
  // Extensions ([0]) name nothing this TSA supports; a caller refuses them as
  // unacceptedExtension, so they are reported as malformed here.
  if (i < fields.size()) malformed("TimeStampReq has extensions or unknown fields");
  return r;
}

Bytes encode_timestamp_response(const TimestampResponse& response) {
  std::vector<Bytes> status = {der::integer(response.status)};
  if (!response.status_text.empty()) status.push_back(der::sequence({der::utf8_string(response.status_text)}));
  if (response.failure_bit) {
    // PKIFailureInfo ::= BIT STRING, named bits: DER drops trailing zero bits.
    const int bit = *response.failure_bit;
    if (bit < 0 || bit > 31) throw TrustError("invalid_argument", "time-stamp: failure bit out of range");
    const std::size_t octets = static_cast<std::size_t>(bit / 8 + 1);
    Bytes content(octets + 1, 0);
    content[0] = static_cast<std::uint8_t>(7 - bit % 8);  // unused bits in the last octet
    content[1 + static_cast<std::size_t>(bit / 8)] = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    status.push_back(der::tlv(der::kBitString, content));
  }
  std::vector<Bytes> fields = {der::sequence(status)};
  if (response.token) fields.push_back(*response.token);
  return der::sequence(fields);
}

TimestampResponse parse_timestamp_response(const Bytes& bytes) {
  const auto fields = expect(der::parse(bytes), der::kSequence, "TimeStampResp").children();
  if (fields.empty() || fields.size() > 2) malformed("TimeStampResp must hold a status and at most a token");
  const auto status = expect(fields[0], der::kSequence, "PKIStatusInfo").children();
  if (status.empty() || status.size() > 3) malformed("PKIStatusInfo has the wrong shape");
  TimestampResponse r;
  const auto value = status[0].as_integer();
  if (value < 0 || value > 5) malformed("PKIStatus out of range");
  r.status = static_cast<int>(value);
  std::size_t i = 1;
  if (i < status.size() && status[i].tag == der::kSequence) {
    const auto texts = status[i++].children();
    if (texts.empty()) malformed("empty statusString");
    for (const auto& t : texts) expect(t, der::kUtf8String, "PKIFreeText");
    r.status_text = texts[0].as_string();
  }
  if (i < status.size()) {
    const auto& info = expect(status[i++], der::kBitString, "PKIFailureInfo");
    if (info.length < 1 || info.content[0] > 7 || (info.length == 1 && info.content[0] != 0))
      malformed("bad PKIFailureInfo");
    for (std::size_t octet = 1; octet < info.length && !r.failure_bit; ++octet)
      for (int b = 0; b < 8; ++b)
        if (info.content[octet] & (0x80 >> b)) {
          r.failure_bit = static_cast<int>((octet - 1) * 8) + b;
          break;
        }
  }
  if (i != status.size()) malformed("PKIStatusInfo has unknown fields");
  if (fields.size() == 2) r.token = expect(fields[1], der::kSequence, "TimeStampToken").raw_bytes();
  const bool granted = r.status == 0 || r.status == 1;
  if (granted && !r.token) malformed("a granted TimeStampResp must carry a token");
  if (!granted && r.token) malformed("a refused TimeStampResp must not carry a token");
  return r;
}

Bytes with_timestamp(const Bytes& ses_signature, const Bytes& token) {
  const auto fields = expect(der::parse(ses_signature), der::kSequence, "SES_Signature").children();
  if (fields.size() != 4 && fields.size() != 5) malformed("not a v4 SES_Signature");
  Bytes content;
  for (std::size_t i = 0; i < 4; ++i) content.insert(content.end(), fields[i].raw, fields[i].raw + fields[i].raw_length);
  // timeStamp [0] IMPLICIT BIT STRING: the unused-bits octet, then the token.
  Bytes bits{0x00};
  bits.insert(bits.end(), token.begin(), token.end());
  const Bytes stamp = der::context(0, bits, false);
  content.insert(content.end(), stamp.begin(), stamp.end());
  return der::tlv(der::kSequence, content);
}

}  // namespace zhaoyin::trust
