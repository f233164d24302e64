// X.509 v3 certificates with SM2 keys: parsing, inspection, SM2-with-SM3
// signature checks with the distinguishing ID, and issuance per CertProfile.
#include <zhaoyin/trust/x509.h>

#include <climits>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/verified_signatures.h>

#include "openssl_util.h"
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::trust {

namespace {

template <auto FreeFn>
using OsslFree = ossl::Free<FreeFn>;

using BioPtr = std::unique_ptr<BIO, OsslFree<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, OsslFree<X509_free>>;
using NamePtr = std::unique_ptr<X509_NAME, OsslFree<X509_NAME_free>>;
using TimePtr = std::unique_ptr<ASN1_TIME, OsslFree<ASN1_TIME_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, OsslFree<ASN1_INTEGER_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslFree<BN_free>>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, OsslFree<X509_ALGOR_free>>;
using BitStringPtr = std::unique_ptr<ASN1_BIT_STRING, OsslFree<ASN1_BIT_STRING_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OsslFree<X509_EXTENSION_free>>;
using ObjectPtr = std::unique_ptr<ASN1_OBJECT, OsslFree<ASN1_OBJECT_free>>;
using OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, OsslFree<ASN1_OCTET_STRING_free>>;
using DistPointsPtr = std::unique_ptr<CRL_DIST_POINTS, OsslFree<CRL_DIST_POINTS_free>>;
using DistPointPtr = std::unique_ptr<DIST_POINT, OsslFree<DIST_POINT_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OsslFree<GENERAL_NAME_free>>;
using Ia5StringPtr = std::unique_ptr<ASN1_IA5STRING, OsslFree<ASN1_IA5STRING_free>>;

// Serials are at most 20 octets (RFC 5280 §4.1.2.2).
constexpr std::size_t kMaxSerialBytes = 20;
constexpr std::size_t kDefaultSerialBytes = 16;

void free_openssl_memory(void* p) noexcept { OPENSSL_free(p); }
using OsslMemoryPtr = std::unique_ptr<unsigned char, OsslFree<free_openssl_memory>>;

using ossl::malformed;
using ossl::crypto_failure;

BioPtr memory_bio(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) malformed("input too large");
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) crypto_failure("cannot allocate a BIO");
  return bio;
}

BioPtr writable_bio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) crypto_failure("cannot allocate a BIO");
  return bio;
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

// Reads one DER TLV header at `p` (advancing it past the header). Only
// definite-length encodings are accepted, as DER requires.
bool read_der_header(const unsigned char*& p, const unsigned char* end, int expected_tag,
                     long& content_length) {
  int tag = 0;
  int xclass = 0;
  const int flags = ASN1_get_object(&p, &content_length, &tag, &xclass, end - p);
  if (flags & 0x80) return false;           // parse error or length overflow
  if (flags & 0x01) return false;           // indefinite length
  return tag == expected_tag && xclass == V_ASN1_UNIVERSAL && content_length <= end - p;
}

// True if `der` is exactly one well-formed TLV (the value of an extension).
bool is_single_der_value(const Bytes& der) {
  if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) return false;
  const unsigned char* p = der.data();
  const unsigned char* end = p + der.size();
  long length = 0;
  int tag = 0;
  int xclass = 0;
  const int flags = ASN1_get_object(&p, &length, &tag, &xclass, end - p);
  ERR_clear_error();
  return !(flags & 0x80) && !(flags & 0x01) && p + length == end;
}

// A certificate read from outside bytes. OpenSSL accepts a validity whose
// times ASN1_TIME_to_tm cannot read, and names it cannot convert to UTF-8;
// every consumer (chain checks, wallets, the UI) needs them, so such a
// certificate is malformed here rather than at whichever accessor first asks
// (found by fuzz_wallet_file: Wallet::parse accepted one and describe() threw).
Certificate checked_certificate(X509* x) {
  Certificate cert = Certificate::adopt(x);
  (void)cert.not_before();
  (void)cert.not_after();
  // Names, likewise: an attribute OpenSSL cannot convert to UTF-8 made
  // subject() throw from Wallet::describe (found by fuzz_wallet_file).
  (void)cert.subject();
  (void)cert.issuer();
  return cert;
}

Certificate certificate_from_der(const unsigned char* der, long len) {
  const unsigned char* p = der;
  X509Ptr x(d2i_X509(nullptr, &p, len));
  if (!x || p != der + len) malformed("not a DER certificate");
  return checked_certificate(x.release());
}

TimePtr to_asn1_time(TimePoint t) {
  // X.509 times have one-second precision; ASN1_TIME_set picks UTCTime for
  // 1950..2049 and GeneralizedTime otherwise, as RFC 5280 §4.1.2.5 requires.
  TimePtr out(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
  if (!out) malformed("time outside the range X.509 can encode");
  return out;
}

// ---- issuing ----------------------------------------------------------------

NamePtr build_name(const DistinguishedName& dn) {
  if (dn.attributes.empty()) malformed("the distinguished name is empty");
  NamePtr name(X509_NAME_new());
  if (!name) crypto_failure("cannot allocate a name");
  for (const auto& [field, value] : dn.attributes) {
    if (value.empty() || value.size() > static_cast<std::size_t>(INT_MAX))
      malformed("empty or oversized value for DN attribute " + field);
    // MBSTRING_UTF8 checks the UTF-8 and picks each attribute's string type
    // (PrintableString for C and serialNumber, UTF8String otherwise).
    if (X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0) != 1)
      malformed("invalid DN attribute " + field + " (unknown name, bad UTF-8 or disallowed characters)");
  }
  return name;
}

IntegerPtr build_serial(const std::optional<Bytes>& requested) {
  Bytes magnitude;
  if (requested) {
    magnitude = *requested;
  } else {
    magnitude = random_bytes(kDefaultSerialBytes);
    // Positive (top bit clear) with a non-zero first octet, so every default
    // serial is exactly 16 octets long.
    magnitude[0] = static_cast<std::uint8_t>((magnitude[0] & 0x7F) | 0x40);
  }
  if (magnitude.empty() || magnitude.size() > kMaxSerialBytes)
    malformed("a serial has 1 to 20 octets");
  BignumPtr bn(BN_bin2bn(magnitude.data(), static_cast<int>(magnitude.size()), nullptr));
  if (!bn) crypto_failure("cannot convert the serial");
  if (BN_is_zero(bn.get())) malformed("a serial must be positive");
  IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) crypto_failure("cannot convert the serial");
  return serial;
}

// Adds one extension written in OpenSSL's configuration syntax (fixed strings
// only: nothing caller-supplied goes through this parser).
void add_conf_extension(X509* x, X509V3_CTX* ctx, int nid, const char* value) {
  ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(x, ext.get(), -1) != 1)
    crypto_failure(std::string("cannot add extension ") + OBJ_nid2sn(nid));
}

void add_profile_extensions(X509* x, X509V3_CTX* ctx, CertProfile profile) {
  switch (profile) {
    case CertProfile::RootCa:
      add_conf_extension(x, ctx, NID_basic_constraints, "critical,CA:TRUE");
      add_conf_extension(x, ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
      return;
    case CertProfile::IssuingCa:
      add_conf_extension(x, ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
      add_conf_extension(x, ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
      return;
    case CertProfile::License:
      add_conf_extension(x, ctx, NID_basic_constraints, "critical,CA:FALSE");
      add_conf_extension(x, ctx, NID_key_usage, "critical,digitalSignature,nonRepudiation");
      return;
    case CertProfile::SealMaker:
      add_conf_extension(x, ctx, NID_basic_constraints, "critical,CA:FALSE");
      add_conf_extension(x, ctx, NID_key_usage, "critical,digitalSignature");
      return;
    case CertProfile::Server:
      add_conf_extension(x, ctx, NID_basic_constraints, "critical,CA:FALSE");
      add_conf_extension(x, ctx, NID_key_usage, "critical,digitalSignature");
      add_conf_extension(x, ctx, NID_ext_key_usage, "serverAuth");
      return;
    case CertProfile::RelyingPartyCa:
      add_conf_extension(x, ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
      add_conf_extension(x, ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
      add_conf_extension(x, ctx, NID_ext_key_usage, std::string(kRelyingPartyHostPurpose).c_str());
      return;
    case CertProfile::RelyingPartyHost:
      add_conf_extension(x, ctx, NID_basic_constraints, "critical,CA:FALSE");
      add_conf_extension(x, ctx, NID_key_usage, "critical,digitalSignature");
      add_conf_extension(x, ctx, NID_ext_key_usage, std::string(kRelyingPartyHostPurpose).c_str());
      return;
    case CertProfile::TimeStamping:
      // RFC 3161 §2.3: the TSA's certificate carries exactly one
      // extendedKeyUsage, id-kp-timeStamping, marked critical.
      add_conf_extension(x, ctx, NID_basic_constraints, "critical,CA:FALSE");
      add_conf_extension(x, ctx, NID_key_usage, "critical,digitalSignature,nonRepudiation");
      add_conf_extension(x, ctx, NID_ext_key_usage, "critical,timeStamping");
      return;
  }
  malformed("unknown certificate profile");
}

// Built from structures rather than the configuration syntax so that a URI
// containing ',' or ':' cannot be misparsed into other names.
void add_crl_distribution_point(X509* x, const std::string& uri) {
  for (unsigned char c : uri)
    if (c < 0x21 || c > 0x7E) malformed("the CRL distribution point must be a printable ASCII URI");
  if (uri.size() > static_cast<std::size_t>(INT_MAX)) malformed("URI too long");

  Ia5StringPtr text(ASN1_IA5STRING_new());
  GeneralNamePtr name(GENERAL_NAME_new());
  DistPointPtr point(DIST_POINT_new());
  DistPointsPtr points(CRL_DIST_POINTS_new());
  if (!text || !name || !point || !points ||
      ASN1_STRING_set(text.get(), uri.data(), static_cast<int>(uri.size())) != 1)
    crypto_failure("cannot build the CRL distribution point");
  GENERAL_NAME_set0_value(name.get(), GEN_URI, text.release());

  point->distpoint = DIST_POINT_NAME_new();
  if (!point->distpoint) crypto_failure("cannot build the CRL distribution point");
  point->distpoint->type = 0;  // fullName
  point->distpoint->name.fullname = GENERAL_NAMES_new();
  if (!point->distpoint->name.fullname ||
      sk_GENERAL_NAME_push(point->distpoint->name.fullname, name.get()) <= 0)
    crypto_failure("cannot build the CRL distribution point");
  name.release();  // owned by the point
  if (sk_DIST_POINT_push(points.get(), point.get()) <= 0)
    crypto_failure("cannot build the CRL distribution point");
  point.release();  // owned by the list

  if (X509_add1_ext_i2d(x, NID_crl_distribution_points, points.get(), 0, X509V3_ADD_DEFAULT) != 1)
    crypto_failure("cannot add the CRL distribution point");
}

void add_extra_extension(X509* x, const std::string& oid, const Bytes& value) {
  ObjectPtr object(OBJ_txt2obj(oid.c_str(), 1));  // dotted form only
  if (!object) malformed("invalid extension OID " + oid);
  if (X509_get_ext_by_OBJ(x, object.get(), -1) >= 0) malformed("duplicate extension " + oid);
  if (!is_single_der_value(value) || value.size() > static_cast<std::size_t>(INT_MAX))
    malformed("the value of extension " + oid + " is not one DER element");
  OctetStringPtr octets(ASN1_OCTET_STRING_new());
  if (!octets || ASN1_OCTET_STRING_set(octets.get(), value.data(), static_cast<int>(value.size())) != 1)
    crypto_failure("cannot build extension " + oid);
  ExtensionPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, object.get(), 0, octets.get()));
  if (!ext || X509_add_ext(x, ext.get(), -1) != 1) crypto_failure("cannot add extension " + oid);
}

}  // namespace

// ---- detail -----------------------------------------------------------------

namespace detail {

DistinguishedName dn_from_native(const X509_name_st* name) {
  DistinguishedName dn;
  if (!name) return dn;
  const int count = X509_NAME_entry_count(name);
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* object = X509_NAME_ENTRY_get_object(entry);
    const int nid = OBJ_obj2nid(object);
    std::string field;
    if (nid != NID_undef) {
      field = OBJ_nid2sn(nid);
    } else {
      char dotted[128];
      if (OBJ_obj2txt(dotted, sizeof dotted, object, 1) <= 0) malformed("unreadable DN attribute type");
      field = dotted;
    }
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(entry));
    OsslMemoryPtr owned(utf8);
    if (len < 0) malformed("DN attribute " + field + " is not convertible to UTF-8");
    std::string value(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
    dn.attributes.emplace_back(std::move(field), std::move(value));
  }
  return dn;
}

std::string dn_line(const X509_name_st* name) {
  if (!name) return {};
  BioPtr bio = writable_bio();
  // RFC 2253 without escaping non-ASCII bytes, so Chinese names stay readable.
  const unsigned long flags = XN_FLAG_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB);
  if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) crypto_failure("cannot print a name");
  return bio_contents(bio.get());
}

TimePoint time_from_native(const asn1_string_st* time) {
  std::tm tm{};
  if (!time || ASN1_TIME_to_tm(time, &tm) != 1) malformed("invalid ASN.1 time");
  using namespace std::chrono;
  const sys_days date{year{tm.tm_year + 1900} / month{static_cast<unsigned>(tm.tm_mon + 1)} /
                      day{static_cast<unsigned>(tm.tm_mday)}};
  const sys_seconds t = date + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec};
  // TimePoint counts nanoseconds in 64 bits (years 1677-2262). RFC 5280's
  // "no expiry" notAfter 99991231235959Z is beyond it: converting would
  // overflow (UB), so such times saturate — still after (or before) any
  // instant a validity check compares them with.
  constexpr auto earliest = time_point_cast<seconds>(TimePoint::min());
  constexpr auto latest = time_point_cast<seconds>(TimePoint::max());
  if (t < earliest) return TimePoint::min();
  if (t > latest) return TimePoint::max();
  return time_point_cast<TimePoint::duration>(t);
}

std::string serial_hex_from_native(const asn1_string_st* serial) {
  BignumPtr bn(serial ? ASN1_INTEGER_to_BN(serial, nullptr) : nullptr);
  if (!bn) malformed("invalid serial number");
  char* hex = BN_bn2hex(bn.get());  // upper-case
  OsslMemoryPtr owned(reinterpret_cast<unsigned char*>(hex));
  if (!hex) crypto_failure("cannot print a serial");
  return std::string(hex);
}

bool verify_signed_der(const Bytes& der, const Sm2Key& key, std::string_view id) {
  if (!key.valid() || der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) return false;
  const unsigned char* p = der.data();
  const unsigned char* const end = p + der.size();
  long length = 0;
  // SIGNED{ToBeSigned} ::= SEQUENCE { toBeSigned, algorithm, signature BIT STRING }
  if (!read_der_header(p, end, V_ASN1_SEQUENCE, length) || p + length != end) {
    ERR_clear_error();
    return false;
  }
  const unsigned char* const tbs_begin = p;
  if (!read_der_header(p, end, V_ASN1_SEQUENCE, length)) {
    ERR_clear_error();
    return false;
  }
  p += length;
  const Bytes tbs(tbs_begin, p);

  AlgorPtr algorithm(d2i_X509_ALGOR(nullptr, &p, end - p));
  BitStringPtr signature(algorithm ? d2i_ASN1_BIT_STRING(nullptr, &p, end - p) : nullptr);
  ERR_clear_error();
  if (!algorithm || !signature || p != end) return false;
  const ASN1_OBJECT* oid = nullptr;
  X509_ALGOR_get0(&oid, nullptr, nullptr, algorithm.get());
  if (OBJ_obj2nid(oid) != NID_SM2_with_SM3) return false;
  // A DER signature is whole octets; unused bits would mean a different value.
  if ((signature->flags & ASN1_STRING_FLAG_BITS_LEFT) && (signature->flags & 0x07)) return false;
  const unsigned char* sig = ASN1_STRING_get0_data(signature.get());
  // Certificates and CRLs are checked again and again with the same issuer key.
  return verify_remembered(key, tbs, Bytes(sig, sig + ASN1_STRING_length(signature.get())), id);
}

}  // namespace detail

// ---- DistinguishedName --------------------------------------------------------

std::string DistinguishedName::get(std::string_view short_name) const {
  for (const auto& [field, value] : attributes)
    if (field == short_name) return value;
  return {};
}

// ---- Certificate --------------------------------------------------------------

Certificate Certificate::from_pem(std::string_view pem) {
  BioPtr bio = memory_bio(pem);
  X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!x) malformed("not a PEM certificate");
  return checked_certificate(x.release());
}

Certificate Certificate::from_der(const Bytes& der) {
  if (der.size() > static_cast<std::size_t>(LONG_MAX)) malformed("input too large");
  return certificate_from_der(der.data(), static_cast<long>(der.size()));
}

std::vector<Certificate> Certificate::bundle_from_pem(std::string_view pem) {
  BioPtr bio = memory_bio(pem);
  std::vector<Certificate> out;
  // PEM_read_bio_X509 skips blocks of other types (keys, CRLs) in the file.
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.push_back(checked_certificate(x));
  // The bundle ends with "no start line"; any other error is a damaged block.
  const unsigned long error = ERR_peek_last_error();
  const bool at_end = ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
  if (!at_end) malformed("damaged certificate in the PEM bundle");
  ERR_clear_error();
  return out;
}

std::string Certificate::pem() const {
  if (!x509_) return {};
  BioPtr bio = writable_bio();
  if (PEM_write_bio_X509(bio.get(), x509_.get()) != 1) crypto_failure("cannot write a certificate");
  return bio_contents(bio.get());
}

Bytes Certificate::der() const {
  if (!x509_) return {};
  unsigned char* der = nullptr;
  const int len = i2d_X509(x509_.get(), &der);
  OsslMemoryPtr owned(der);
  if (len <= 0) crypto_failure("cannot encode a certificate");
  return Bytes(der, der + len);
}

std::string Certificate::serial_hex() const {
  if (!x509_) return {};
  return detail::serial_hex_from_native(X509_get0_serialNumber(x509_.get()));
}

DistinguishedName Certificate::subject() const {
  return x509_ ? detail::dn_from_native(X509_get_subject_name(x509_.get())) : DistinguishedName{};
}

DistinguishedName Certificate::issuer() const {
  return x509_ ? detail::dn_from_native(X509_get_issuer_name(x509_.get())) : DistinguishedName{};
}

std::string Certificate::subject_line() const {
  return x509_ ? detail::dn_line(X509_get_subject_name(x509_.get())) : std::string();
}

TimePoint Certificate::not_before() const {
  if (!x509_) malformed("empty certificate");
  return detail::time_from_native(X509_get0_notBefore(x509_.get()));
}

TimePoint Certificate::not_after() const {
  if (!x509_) malformed("empty certificate");
  return detail::time_from_native(X509_get0_notAfter(x509_.get()));
}

bool Certificate::is_ca() const {
  // 1 = basicConstraints CA:TRUE, and keyCertSign if keyUsage is present.
  // (Other non-zero results are v1 self-signed or Netscape-type guesses.)
  const bool ca = x509_ && X509_check_ca(x509_.get()) == 1;
  ERR_clear_error();
  return ca;
}

Sm2Key Certificate::public_key() const {
  if (!x509_) malformed("empty certificate");
  EVP_PKEY* key = X509_get_pubkey(x509_.get());  // a new reference
  if (!key) malformed("the certificate's public key cannot be decoded");
  return Sm2Key::adopt(key);
}

Bytes Certificate::fingerprint_sm3() const { return sm3(der()); }

bool Certificate::signed_by(const Certificate& issuer, std::string_view id) const {
  if (!x509_ || !issuer.x509_) return false;
  try {
    // The algorithm inside the signed part must agree with the outer one
    // (RFC 5280 §4.1.1.2); verify_signed_der checks the outer one is SM2-SM3.
    const X509_ALGOR* outer = nullptr;
    X509_get0_signature(nullptr, &outer, x509_.get());
    if (!outer || X509_ALGOR_cmp(outer, X509_get0_tbs_sigalg(x509_.get())) != 0) return false;
    return detail::verify_signed_der(der(), issuer.public_key(), id);
  } catch (const TrustError&) {
    return false;  // e.g. an issuer key that is not SM2
  }
}

Certificate Certificate::adopt(x509_st* x) {
  if (!x) malformed("no certificate");
  Certificate cert;
  cert.x509_ = std::shared_ptr<X509>(x, OsslFree<X509_free>{});
  return cert;
}

// ---- issuing ------------------------------------------------------------------

Certificate issue_certificate(const CertificateRequest& request, const Sm2Key& issuer_key,
                              const Certificate* issuer) {
  if (!request.subject_key.valid()) malformed("the request has no subject key");
  if (!issuer_key.has_private()) malformed("the issuer key has no private part");
  if (issuer) {
    if (!issuer->valid()) malformed("empty issuer certificate");
    if (!issuer_key.same_public_key(issuer->public_key()))
      malformed("the issuer key does not match the issuer certificate");
  } else if (!issuer_key.same_public_key(request.subject_key)) {
    malformed("a self-signed certificate is signed by its own subject key");
  }
  if (request.not_after <= request.not_before) malformed("not_after must be later than not_before");

  X509Ptr x(X509_new());
  if (!x) crypto_failure("cannot allocate a certificate");
  NamePtr subject = build_name(request.subject);
  IntegerPtr serial = build_serial(request.serial);
  TimePtr not_before = to_asn1_time(request.not_before);
  TimePtr not_after = to_asn1_time(request.not_after);
  X509_NAME* issuer_name = issuer ? X509_get_subject_name(issuer->native()) : subject.get();
  if (X509_set_version(x.get(), X509_VERSION_3) != 1 ||
      X509_set_serialNumber(x.get(), serial.get()) != 1 ||
      X509_set_subject_name(x.get(), subject.get()) != 1 ||
      X509_set_issuer_name(x.get(), issuer_name) != 1 ||
      X509_set1_notBefore(x.get(), not_before.get()) != 1 ||
      X509_set1_notAfter(x.get(), not_after.get()) != 1 ||
      X509_set_pubkey(x.get(), request.subject_key.native()) != 1)
    crypto_failure("cannot fill in the certificate");

  // The issuer certificate supplies the authorityKeyIdentifier; a self-signed
  // certificate is its own issuer, so its subjectKeyIdentifier must come first.
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer ? issuer->native() : x.get(), x.get(), nullptr, nullptr, 0);
  add_profile_extensions(x.get(), &ctx, request.profile);
  add_conf_extension(x.get(), &ctx, NID_subject_key_identifier, "hash");
  add_conf_extension(x.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  if (!request.crl_distribution_point.empty())
    add_crl_distribution_point(x.get(), request.crl_distribution_point);
  if (request.profile == CertProfile::RelyingPartyHost && request.dns_names.empty() && request.ip_addresses.empty())
    malformed("a relying-party host certificate names its host (dns_names or ip_addresses)");
  if (!request.dns_names.empty() || !request.ip_addresses.empty())
    detail::add_subject_alt_names(x.get(), request.dns_names, request.ip_addresses);
  for (const auto& [oid, value] : request.extra_extensions) add_extra_extension(x.get(), oid, value);

  detail::Sm2DigestContext signer(issuer_key.native(), kSm2DefaultId, true);
  if (X509_sign_ctx(x.get(), signer.get()) <= 0) crypto_failure("signing the certificate failed");

  // Re-read from DER so the result has no state left over from building it
  // and is byte for byte what every other party will parse.
  unsigned char* der = nullptr;
  const int len = i2d_X509(x.get(), &der);
  if (len <= 0) crypto_failure("cannot encode the certificate");
  OsslMemoryPtr owned(der);
  return certificate_from_der(der, len);
}

}  // namespace zhaoyin::trust
