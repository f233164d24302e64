// X.509 v2 CRLs: parsing, lookup by serial, SM2-with-SM3 signature checks with
// the distinguishing ID, and issuance with crlNumber and authorityKeyIdentifier.
#include <zhaoyin/trust/crl.h>

#include <cctype>
#include <climits>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <set>
#include <zhaoyin/trust/error.h>

#include "openssl_util.h"

namespace zhaoyin::trust {

namespace {

template <auto FreeFn>
using OsslFree = ossl::Free<FreeFn>;

void free_openssl_memory(void* p) noexcept { OPENSSL_free(p); }

using BioPtr = std::unique_ptr<BIO, OsslFree<BIO_free_all>>;
using CrlPtr = std::unique_ptr<X509_CRL, OsslFree<X509_CRL_free>>;
using RevokedPtr = std::unique_ptr<X509_REVOKED, OsslFree<X509_REVOKED_free>>;
using TimePtr = std::unique_ptr<ASN1_TIME, OsslFree<ASN1_TIME_free>>;
using IntegerPtr = std::unique_ptr<ASN1_INTEGER, OsslFree<ASN1_INTEGER_free>>;
using EnumeratedPtr = std::unique_ptr<ASN1_ENUMERATED, OsslFree<ASN1_ENUMERATED_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslFree<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OsslFree<X509_EXTENSION_free>>;
using OsslMemoryPtr = std::unique_ptr<unsigned char, OsslFree<free_openssl_memory>>;

// RFC 5280 §5.3.1 CRLReason: 0..10 except 7, which is unassigned.
constexpr int kReasonRemoveFromCrl = 8;
constexpr int kReasonMax = 10;
constexpr int kReasonUnassigned = 7;

using ossl::malformed;
using ossl::crypto_failure;

// Parses hex of any case into a positive BIGNUM; null for anything else.
BignumPtr parse_serial_hex(std::string_view hex) {
  if (hex.empty() || hex.size() > 2 * 64) return nullptr;
  for (char c : hex)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return nullptr;
  const std::string text(hex);
  BIGNUM* raw = nullptr;
  const int parsed = BN_hex2bn(&raw, text.c_str());
  BignumPtr bn(raw);
  ERR_clear_error();
  if (parsed != static_cast<int>(text.size()) || !bn || BN_is_zero(bn.get())) return nullptr;
  return bn;
}

int reason_of(const X509_REVOKED* revoked) {
  int critical = 0;
  EnumeratedPtr reason(static_cast<ASN1_ENUMERATED*>(
      X509_REVOKED_get_ext_d2i(revoked, NID_crl_reason, &critical, nullptr)));
  ERR_clear_error();
  if (!reason) return 0;  // absent means unspecified
  const long value = ASN1_ENUMERATED_get(reason.get());
  return value >= 0 && value <= kReasonMax ? static_cast<int>(value) : 0;
}

RevokedEntry entry_of(const X509_REVOKED* revoked) {
  RevokedEntry entry;
  entry.serial_hex = detail::serial_hex_from_native(X509_REVOKED_get0_serialNumber(revoked));
  entry.revoked_at = detail::time_from_native(X509_REVOKED_get0_revocationDate(revoked));
  entry.reason = reason_of(revoked);
  return entry;
}

TimePtr to_asn1_time(TimePoint t) {
  TimePtr out(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(t)));
  if (!out) malformed("time outside the range X.509 can encode");
  return out;
}

RevokedPtr build_revoked(const RevokedEntry& entry) {
  BignumPtr serial_bn = parse_serial_hex(entry.serial_hex);
  if (!serial_bn) malformed("revoked serial is not positive hex: " + entry.serial_hex);
  if (entry.reason < 0 || entry.reason > kReasonMax || entry.reason == kReasonUnassigned)
    malformed("invalid CRL reason " + std::to_string(entry.reason));
  // removeFromCRL belongs to delta CRLs, which this issuer does not make.
  if (entry.reason == kReasonRemoveFromCrl) malformed("removeFromCRL is only for delta CRLs");

  RevokedPtr revoked(X509_REVOKED_new());
  IntegerPtr serial(BN_to_ASN1_INTEGER(serial_bn.get(), nullptr));
  TimePtr when = to_asn1_time(entry.revoked_at);
  if (!revoked || !serial || X509_REVOKED_set_serialNumber(revoked.get(), serial.get()) != 1 ||
      X509_REVOKED_set_revocationDate(revoked.get(), when.get()) != 1)
    crypto_failure("cannot build a revoked entry");
  // RFC 5280 §5.3.1: omit the reason rather than write "unspecified".
  if (entry.reason != 0) {
    EnumeratedPtr reason(ASN1_ENUMERATED_new());
    if (!reason || ASN1_ENUMERATED_set(reason.get(), entry.reason) != 1 ||
        X509_REVOKED_add1_ext_i2d(revoked.get(), NID_crl_reason, reason.get(), 0, 0) != 1)
      crypto_failure("cannot add the CRL reason");
  }
  return revoked;
}

}  // namespace

// ---- Crl ----------------------------------------------------------------------

Crl Crl::from_pem(std::string_view pem) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) malformed("input too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) crypto_failure("cannot allocate a BIO");
  CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) malformed("not a PEM CRL");
  ERR_clear_error();
  Crl out;
  out.crl_ = std::shared_ptr<X509_CRL>(crl.release(), OsslFree<X509_CRL_free>{});
  return out;
}

Crl Crl::from_der(const Bytes& der) {
  if (der.size() > static_cast<std::size_t>(LONG_MAX)) malformed("input too large");
  const unsigned char* p = der.data();
  CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl || p != der.data() + der.size()) malformed("not a DER CRL");
  Crl out;
  out.crl_ = std::shared_ptr<X509_CRL>(crl.release(), OsslFree<X509_CRL_free>{});
  return out;
}

std::string Crl::pem() const {
  if (!crl_) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl_.get()) != 1) crypto_failure("cannot write a CRL");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

Bytes Crl::der() const {
  if (!crl_) return {};
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl_.get(), &der);
  OsslMemoryPtr owned(der);
  if (len <= 0) crypto_failure("cannot encode a CRL");
  return Bytes(der, der + len);
}

DistinguishedName Crl::issuer() const {
  return crl_ ? detail::dn_from_native(X509_CRL_get_issuer(crl_.get())) : DistinguishedName{};
}

TimePoint Crl::this_update() const {
  if (!crl_) malformed("empty CRL");
  return detail::time_from_native(X509_CRL_get0_lastUpdate(crl_.get()));
}

bool Crl::has_next_update() const { return crl_ && X509_CRL_get0_nextUpdate(crl_.get()) != nullptr; }

TimePoint Crl::next_update() const {
  if (!has_next_update()) malformed("the CRL has no nextUpdate");
  return detail::time_from_native(X509_CRL_get0_nextUpdate(crl_.get()));
}

long Crl::crl_number() const {
  if (!crl_) return -1;
  int critical = 0;
  IntegerPtr number(static_cast<ASN1_INTEGER*>(
      X509_CRL_get_ext_d2i(crl_.get(), NID_crl_number, &critical, nullptr)));
  std::int64_t value = -1;
  const bool readable = number && ASN1_INTEGER_get_int64(&value, number.get()) == 1;
  ERR_clear_error();
  return readable && value >= 0 && value <= LONG_MAX ? static_cast<long>(value) : -1;
}

std::vector<RevokedEntry> Crl::entries() const {
  std::vector<RevokedEntry> out;
  if (!crl_) return out;
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl_.get());
  const int count = sk_X509_REVOKED_num(revoked);  // -1 for an empty (absent) list
  for (int i = 0; i < count; ++i) out.push_back(entry_of(sk_X509_REVOKED_value(revoked, i)));
  return out;
}

std::optional<RevokedEntry> Crl::find(std::string_view serial_hex) const {
  BignumPtr wanted = parse_serial_hex(serial_hex);
  if (!crl_ || !wanted) return std::nullopt;
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl_.get());
  const int count = sk_X509_REVOKED_num(revoked);
  for (int i = 0; i < count; ++i) {
    const X509_REVOKED* entry = sk_X509_REVOKED_value(revoked, i);
    BignumPtr serial(ASN1_INTEGER_to_BN(X509_REVOKED_get0_serialNumber(entry), nullptr));
    if (serial && BN_cmp(serial.get(), wanted.get()) == 0) return entry_of(entry);
  }
  ERR_clear_error();
  return std::nullopt;
}

bool Crl::signed_by(const Certificate& issuer, std::string_view id) const {
  if (!crl_ || !issuer.valid()) return false;
  try {
    return detail::verify_signed_der(der(), issuer.public_key(), id);
  } catch (const TrustError&) {
    return false;  // e.g. an issuer key that is not SM2
  }
}

// ---- issuing ------------------------------------------------------------------

Crl issue_crl(const Certificate& issuer, const Sm2Key& issuer_key,
              const std::vector<RevokedEntry>& revoked, TimePoint this_update,
              TimePoint next_update, long crl_number) {
  if (!issuer.valid()) malformed("empty issuer certificate");
  if (!issuer_key.has_private()) malformed("the issuer key has no private part");
  if (!issuer_key.same_public_key(issuer.public_key()))
    malformed("the issuer key does not match the issuer certificate");
  if (next_update <= this_update) malformed("next_update must be later than this_update");
  if (crl_number < 0) malformed("crl_number must not be negative");

  CrlPtr crl(X509_CRL_new());
  if (!crl) crypto_failure("cannot allocate a CRL");
  TimePtr last = to_asn1_time(this_update);
  TimePtr next = to_asn1_time(next_update);
  if (X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.native())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1)
    crypto_failure("cannot fill in the CRL");

  std::set<std::string> seen;
  for (const RevokedEntry& entry : revoked) {
    RevokedPtr built = build_revoked(entry);
    const std::string normalised =
        detail::serial_hex_from_native(X509_REVOKED_get0_serialNumber(built.get()));
    if (!seen.insert(normalised).second) malformed("serial listed twice: " + entry.serial_hex);
    if (X509_CRL_add0_revoked(crl.get(), built.get()) != 1) crypto_failure("cannot add a revoked entry");
    built.release();  // owned by the CRL
  }
  if (X509_CRL_sort(crl.get()) != 1) crypto_failure("cannot sort the CRL");

  IntegerPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_int64(number.get(), crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1)
    crypto_failure("cannot add the CRL number");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer.native(), nullptr, nullptr, crl.get(), 0);
  ExtensionPtr aki(X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1)
    crypto_failure("cannot add the authority key identifier");

  detail::Sm2DigestContext signer(issuer_key.native(), kSm2DefaultId, true);
  if (X509_CRL_sign_ctx(crl.get(), signer.get()) <= 0) crypto_failure("signing the CRL failed");

  // Re-read from DER, as for certificates: the result is what others parse.
  unsigned char* der = nullptr;
  const int len = i2d_X509_CRL(crl.get(), &der);
  OsslMemoryPtr owned(der);
  if (len <= 0) crypto_failure("cannot encode the CRL");
  return Crl::from_der(Bytes(der, der + len));
}

}  // namespace zhaoyin::trust
