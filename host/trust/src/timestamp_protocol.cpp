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

// Policy OIDs may have arcs beyond 64 bits (a UUID under 2.25, X.667), which
// der::oid does not take: those arcs are converted here as decimal strings.
namespace {

// Decimal digits `n` divided by 128 in place; returns the remainder.
unsigned divide_by_128(std::string& n) {
  std::string quotient;
  unsigned remainder = 0;
  for (char c : n) {
    remainder = remainder * 10 + static_cast<unsigned>(c - '0');
    if (!quotient.empty() || remainder >= 128) quotient += static_cast<char>('0' + remainder / 128);
    remainder %= 128;
  }
  n = quotient.empty() ? "0" : quotient;
  return remainder;
}

// Decimal digits `n` times 128 plus `digit`.
void multiply_add(std::string& n, unsigned digit) {
  unsigned carry = digit;
  for (auto it = n.rbegin(); it != n.rend(); ++it) {
    const unsigned v = static_cast<unsigned>(*it - '0') * 128 + carry;
    *it = static_cast<char>('0' + v % 10);
    carry = v / 10;
  }
  while (carry) {
    n.insert(n.begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
}

}  // namespace

Bytes policy_oid(std::string_view dotted) {
  const auto first = dotted.find('.');
  const auto second = first == std::string_view::npos ? first : dotted.find('.', first + 1);
  if (second == std::string_view::npos) return der::oid(dotted);
  // The first two arcs through der::oid (their checks), the rest appended here.
  Bytes content = der::parse(der::oid(dotted.substr(0, second))).content_bytes();
  std::size_t pos = second + 1;
  while (pos <= dotted.size()) {
    auto dot = dotted.find('.', pos);
    if (dot == std::string_view::npos) dot = dotted.size();
    std::string arc(dotted.substr(pos, dot - pos));
    if (arc.empty() || arc.size() > 60 || arc.find_first_not_of("0123456789") != std::string::npos ||
        (arc.size() > 1 && arc[0] == '0'))
      malformed("bad policy OID '" + std::string(dotted) + "'");
    std::vector<std::uint8_t> groups;
    do groups.push_back(static_cast<std::uint8_t>(divide_by_128(arc))); while (arc != "0");
    for (std::size_t i = groups.size(); i > 0; --i)
      content.push_back(static_cast<std::uint8_t>(groups[i - 1] | (i > 1 ? 0x80 : 0x00)));
    pos = dot + 1;
  }
  return der::tlv(der::kOid, content);
}

std::string policy_text(const der::Element& e) {
  expect(e, der::kOid, "policy");
  if (e.length == 0 || e.length > 64) malformed("bad policy OID length");
  // The first subidentifier (two arcs) through as_oid; later arcs of any size here.
  std::size_t end = 0;
  while (end < e.length && (e.content[end] & 0x80)) ++end;
  if (end >= e.length) malformed("truncated OID");
  const Bytes head = der::tlv(der::kOid, Bytes(e.content, e.content + end + 1));
  std::string dotted = der::parse(head).as_oid();
  std::string arc = "0";
  bool at_start = true;
  for (std::size_t i = end + 1; i < e.length; ++i) {
    if (at_start && e.content[i] == 0x80) malformed("non-minimal OID arc");
    multiply_add(arc, e.content[i] & 0x7F);
    at_start = (e.content[i] & 0x80) == 0;
    if (at_start) {
      dotted += "." + arc;
      arc = "0";
    }
  }
  if (!at_start) malformed("truncated OID arc");
  return dotted;
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
  if (r.policy) fields.push_back(policy_oid(*r.policy));
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
  if (i < fields.size() && fields[i].tag == der::kOid) r.policy = policy_text(fields[i++]);
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
