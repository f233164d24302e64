// SM2 keys (generation, PKCS#8 / SPKI import and export, PBES2 encryption)
// and SM2-with-SM3 signatures with an explicit distinguishing ID.
#include <zhaoyin/trust/sm2.h>

#include <climits>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ecdsa.h>
#include <openssl/x509.h>
#include <zhaoyin/trust/error.h>

#include "openssl_util.h"

namespace zhaoyin::trust {

namespace {

template <auto FreeFn>
using OsslFree = ossl::Free<FreeFn>;

using BioPtr = std::unique_ptr<BIO, OsslFree<BIO_free_all>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslFree<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslFree<EVP_PKEY_CTX_free>>;
using P8InfoPtr = std::unique_ptr<PKCS8_PRIV_KEY_INFO, OsslFree<PKCS8_PRIV_KEY_INFO_free>>;
using X509SigPtr = std::unique_ptr<X509_SIG, OsslFree<X509_SIG_free>>;
using AlgorPtr = std::unique_ptr<X509_ALGOR, OsslFree<X509_ALGOR_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OsslFree<BN_clear_free>>;

void free_openssl_memory(void* p) noexcept { OPENSSL_free(p); }

// scrypt cost for encrypted keys: N=2^14, r=8, p=1 (16 MiB), the parameters
// `openssl pkcs8 -scrypt` uses. A larger N would exceed OpenSSL's default
// 32 MiB scrypt memory limit on decryption, so other tools could not read it.
constexpr std::uint64_t kScryptN = 1u << 14;
constexpr std::uint64_t kScryptR = 8;
constexpr std::uint64_t kScryptP = 1;
constexpr int kSaltSize = 16;

// A PEM block's payload and type name as PEM_read_bio returns them. The payload
// may be a private key, so it is wiped before it is released.
class PemBlock {
 public:
  PemBlock() = default;
  ~PemBlock() {
    OPENSSL_free(name_);
    OPENSSL_free(header_);
    OPENSSL_clear_free(data_, static_cast<std::size_t>(len_));
  }
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;

  bool read(BIO* bio) { return PEM_read_bio(bio, &name_, &header_, &data_, &len_) == 1; }
  std::string_view name() const { return name_ ? name_ : ""; }
  const unsigned char* data() const { return data_; }
  long size() const { return len_; }

 private:
  char* name_ = nullptr;
  char* header_ = nullptr;
  unsigned char* data_ = nullptr;
  long len_ = 0;
};

BioPtr memory_bio(std::string_view text) {
  if (text.size() > static_cast<std::size_t>(INT_MAX)) throw TrustError("malformed", "input too large");
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw TrustError("crypto_failure", "cannot allocate a BIO");
  return bio;
}

BioPtr writable_bio() {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) throw TrustError("crypto_failure", "cannot allocate a BIO");
  return bio;
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

// Keys from PEM/DER are SM2 only when they carry the SM2 curve; OpenSSL 3 then
// types them "SM2", which selects the SM2 signature algorithm (not ECDSA).
PkeyPtr require_sm2(PkeyPtr key) {
  ERR_clear_error();
  if (!key) throw TrustError("malformed", "not a parsable key");
  if (!EVP_PKEY_is_a(key.get(), "SM2")) throw TrustError("malformed", "the key is not an SM2 key");
  return key;
}

PkeyPtr key_from_pkcs8_info(const PKCS8_PRIV_KEY_INFO* info) {
  return require_sm2(PkeyPtr(EVP_PKCS82PKEY(info)));
}

PkeyPtr key_from_pkcs8_der(const unsigned char* der, long len) {
  const unsigned char* p = der;
  P8InfoPtr info(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, len));
  if (!info || p != der + len) {
    ERR_clear_error();
    throw TrustError("malformed", "not a PKCS#8 private key");
  }
  return key_from_pkcs8_info(info.get());
}

PkeyPtr key_from_spki_der(const unsigned char* der, long len) {
  const unsigned char* p = der;
  PkeyPtr key(d2i_PUBKEY(nullptr, &p, len));
  if (!key || p != der + len) {
    ERR_clear_error();
    throw TrustError("malformed", "not a SubjectPublicKeyInfo");
  }
  return require_sm2(std::move(key));
}

PkeyPtr key_from_encrypted_pkcs8_der(const unsigned char* der, long len, std::string_view password) {
  const unsigned char* p = der;
  X509SigPtr encrypted(d2i_X509_SIG(nullptr, &p, len));
  if (!encrypted || p != der + len) {
    ERR_clear_error();
    throw TrustError("malformed", "not an encrypted PKCS#8 private key");
  }
  if (password.size() > static_cast<std::size_t>(INT_MAX))
    throw TrustError("bad_password", "the password does not decrypt the key");
  // PKCS8_decrypt wipes its plaintext buffer; a wrong password fails either on
  // the CBC padding or on parsing the decrypted bytes, and both are reported
  // alike so nothing about the plaintext is revealed.
  P8InfoPtr info(PKCS8_decrypt(encrypted.get(), password.data(), static_cast<int>(password.size())));
  if (!info) {
    ERR_clear_error();
    throw TrustError("bad_password", "the password does not decrypt the key");
  }
  return key_from_pkcs8_info(info.get());
}

std::shared_ptr<EVP_PKEY> share(PkeyPtr key) {
  return std::shared_ptr<EVP_PKEY>(key.release(), OsslFree<EVP_PKEY_free>{});
}

EVP_PKEY* require_key(const std::shared_ptr<EVP_PKEY>& key) {
  if (!key) throw TrustError("crypto_failure", "the SM2 key is empty");
  return key.get();
}

P8InfoPtr to_pkcs8_info(EVP_PKEY* key) {
  P8InfoPtr info(EVP_PKEY2PKCS8(key));
  if (!info) {
    ERR_clear_error();
    throw TrustError("crypto_failure", "the key has no exportable private part");
  }
  return info;
}

}  // namespace

// ---- detail::Sm2DigestContext ----------------------------------------------

namespace detail {

Sm2DigestContext::Sm2DigestContext(evp_pkey_st* key, std::string_view id, bool for_signing) {
  if (!key) throw TrustError("crypto_failure", "the SM2 key is empty");
  auto give_up = [this] {
    ERR_clear_error();
    EVP_MD_CTX_free(md_ctx_);
    EVP_PKEY_CTX_free(pkey_ctx_);
    throw TrustError("crypto_failure", "cannot set up an SM2-with-SM3 context");
  };
  md_ctx_ = EVP_MD_CTX_new();
  pkey_ctx_ = EVP_PKEY_CTX_new(key, nullptr);
  if (!md_ctx_ || !pkey_ctx_) give_up();
  // OpenSSL 3.0 has no default distinguishing ID for SM2 (it would hash an
  // empty one), so the ID goes on the EVP_PKEY_CTX before the digest init;
  // EVP_PKEY_CTX_set1_id caches it until the init applies it.
  if (EVP_PKEY_CTX_set1_id(pkey_ctx_, id.data(), id.size()) <= 0) give_up();
  EVP_MD_CTX_set_pkey_ctx(md_ctx_, pkey_ctx_);
  const int initialised = for_signing
                              ? EVP_DigestSignInit(md_ctx_, nullptr, ossl::sm3_md(), nullptr, key)
                              : EVP_DigestVerifyInit(md_ctx_, nullptr, ossl::sm3_md(), nullptr, key);
  if (initialised != 1) give_up();
}

Sm2DigestContext::~Sm2DigestContext() {
  // The MD context borrows the PKEY context, so it goes first.
  EVP_MD_CTX_free(md_ctx_);
  EVP_PKEY_CTX_free(pkey_ctx_);
}

}  // namespace detail

// ---- Sm2Key ---------------------------------------------------------------

Sm2Key Sm2Key::generate() {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    ERR_clear_error();
    throw TrustError("crypto_failure", "SM2 key generation failed");
  }
  Sm2Key key;
  key.pkey_ = share(PkeyPtr(raw));
  return key;
}

Sm2Key Sm2Key::from_pem(std::string_view pem, std::string_view password) {
  BioPtr bio = memory_bio(pem);
  PemBlock block;
  if (!block.read(bio.get())) {
    ERR_clear_error();
    throw TrustError("malformed", "no PEM block found");
  }
  Sm2Key key;
  if (block.name() == "PRIVATE KEY") {
    key.pkey_ = share(key_from_pkcs8_der(block.data(), block.size()));
  } else if (block.name() == "ENCRYPTED PRIVATE KEY") {
    key.pkey_ = share(key_from_encrypted_pkcs8_der(block.data(), block.size(), password));
  } else if (block.name() == "PUBLIC KEY") {
    key.pkey_ = share(key_from_spki_der(block.data(), block.size()));
  } else {
    throw TrustError("malformed", "unsupported PEM type: " + std::string(block.name()));
  }
  return key;
}

Sm2Key Sm2Key::from_public_der(const Bytes& spki_der) {
  Sm2Key key;
  key.pkey_ = share(key_from_spki_der(spki_der.data(), static_cast<long>(spki_der.size())));
  return key;
}

Sm2Key Sm2Key::from_private_der(const Bytes& pkcs8_der) {
  Sm2Key key;
  key.pkey_ = share(key_from_pkcs8_der(pkcs8_der.data(), static_cast<long>(pkcs8_der.size())));
  return key;
}

Sm2Key Sm2Key::adopt(evp_pkey_st* pkey) {
  Sm2Key key;
  key.pkey_ = share(require_sm2(PkeyPtr(pkey)));
  return key;
}

bool Sm2Key::has_private() const {
  if (!pkey_) return false;
  BIGNUM* raw = nullptr;
  const bool present = EVP_PKEY_get_bn_param(pkey_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) == 1;
  BignumPtr scalar(raw);  // wiped on release
  ERR_clear_error();
  return present && scalar;
}

bool Sm2Key::same_public_key(const Sm2Key& other) const {
  if (!pkey_ || !other.pkey_) return false;
  const bool same = EVP_PKEY_eq(pkey_.get(), other.pkey_.get()) == 1;
  ERR_clear_error();
  return same;
}

std::string Sm2Key::private_pem() const {
  P8InfoPtr info = to_pkcs8_info(require_key(pkey_));
  BioPtr bio = writable_bio();
  if (PEM_write_bio_PKCS8_PRIV_KEY_INFO(bio.get(), info.get()) != 1)
    throw TrustError("crypto_failure", "cannot write the private key");
  return bio_contents(bio.get());
}

std::string Sm2Key::private_pem_encrypted(std::string_view password) const {
  if (password.empty()) throw TrustError("bad_password", "an encrypted key needs a non-empty password");
  if (password.size() > static_cast<std::size_t>(INT_MAX)) throw TrustError("bad_password", "password too long");
  P8InfoPtr info = to_pkcs8_info(require_key(pkey_));
  Bytes salt = random_bytes(kSaltSize);
  // PBES2: scrypt derives the AES-256-CBC key; the IV is random (null aiv).
  AlgorPtr pbe(PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), salt.data(), kSaltSize, nullptr,
                                     kScryptN, kScryptR, kScryptP));
  if (!pbe) {
    ERR_clear_error();
    throw TrustError("crypto_failure", "cannot set up PBES2/scrypt");
  }
  X509SigPtr encrypted(PKCS8_set0_pbe(password.data(), static_cast<int>(password.size()),
                                      info.get(), pbe.get()));
  if (!encrypted) {
    ERR_clear_error();
    throw TrustError("crypto_failure", "cannot encrypt the private key");
  }
  pbe.release();  // now owned by `encrypted`
  BioPtr bio = writable_bio();
  if (PEM_write_bio_PKCS8(bio.get(), encrypted.get()) != 1)
    throw TrustError("crypto_failure", "cannot write the encrypted key");
  return bio_contents(bio.get());
}

Bytes Sm2Key::private_der() const {
  P8InfoPtr info = to_pkcs8_info(require_key(pkey_));
  unsigned char* der = nullptr;
  const int len = i2d_PKCS8_PRIV_KEY_INFO(info.get(), &der);
  if (len <= 0) throw TrustError("crypto_failure", "cannot encode the private key");
  // The encoding holds the private scalar: wipe it however this scope ends.
  auto wipe = [len](unsigned char* p) { OPENSSL_clear_free(p, static_cast<std::size_t>(len)); };
  std::unique_ptr<unsigned char, decltype(wipe)> owned(der, wipe);
  return Bytes(der, der + len);
}

std::string Sm2Key::public_pem() const {
  BioPtr bio = writable_bio();
  if (PEM_write_bio_PUBKEY(bio.get(), require_key(pkey_)) != 1)
    throw TrustError("crypto_failure", "cannot write the public key");
  return bio_contents(bio.get());
}

Bytes Sm2Key::public_der() const {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(require_key(pkey_), &der);
  std::unique_ptr<unsigned char, OsslFree<free_openssl_memory>> owned(der);
  if (len <= 0) throw TrustError("crypto_failure", "cannot encode the public key");
  return Bytes(der, der + len);
}

Bytes Sm2Key::public_point() const {
  Bytes point(65);
  std::size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(require_key(pkey_), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                      point.size(), &len) != 1 ||
      len != point.size() || point[0] != 0x04) {
    ERR_clear_error();
    throw TrustError("crypto_failure", "cannot export the public point");
  }
  return point;
}

Bytes Sm2Key::sign(const Bytes& message, std::string_view id) const {
  EVP_PKEY* key = require_key(pkey_);
  if (!has_private()) throw TrustError("crypto_failure", "signing needs a private key");
  detail::Sm2DigestContext ctx(key, id, true);
  Bytes signature(static_cast<std::size_t>(EVP_PKEY_get_size(key)));
  std::size_t len = signature.size();
  if (EVP_DigestSign(ctx.get(), signature.data(), &len, message.data(), message.size()) != 1) {
    ERR_clear_error();
    throw TrustError("crypto_failure", "SM2 signing failed");
  }
  signature.resize(len);
  return signature;
}

bool Sm2Key::verify(const Bytes& message, const Bytes& der_signature, std::string_view id) const {
  if (!pkey_ || der_signature.empty()) return false;
  try {
    detail::Sm2DigestContext ctx(pkey_.get(), id, false);
    const bool good = EVP_DigestVerify(ctx.get(), der_signature.data(), der_signature.size(),
                                       message.data(), message.size()) == 1;
    ERR_clear_error();
    return good;
  } catch (const TrustError&) {
    return false;
  }
}

// SM2 signatures share ECDSA's ASN.1 shape (ECDSA-Sig-Value), so OpenSSL's
// ECDSA_SIG codec reads and writes them.
Bytes sm2_signature_to_raw(const Bytes& der_signature) {
  const unsigned char* p = der_signature.data();
  ossl::Ptr<ECDSA_SIG, ECDSA_SIG_free> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_signature.size())));
  if (!sig || p != der_signature.data() + der_signature.size()) ossl::malformed("not a DER SM2 signature");
  const BIGNUM* r = ECDSA_SIG_get0_r(sig.get());
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  if (BN_is_negative(r) || BN_is_negative(s) || BN_is_zero(r) || BN_is_zero(s) || BN_num_bytes(r) > 32 ||
      BN_num_bytes(s) > 32)
    ossl::malformed("SM2 signature values out of range");
  Bytes raw(64);
  if (BN_bn2binpad(r, raw.data(), 32) != 32 || BN_bn2binpad(s, raw.data() + 32, 32) != 32)
    ossl::crypto_failure("cannot encode the SM2 signature");
  return raw;
}

Bytes sm2_signature_from_raw(const Bytes& raw_signature) {
  if (raw_signature.size() != 64) throw TrustError("malformed", "a raw SM2 signature is 64 bytes");
  ossl::Ptr<BIGNUM, BN_free> r(BN_bin2bn(raw_signature.data(), 32, nullptr));
  ossl::Ptr<BIGNUM, BN_free> s(BN_bin2bn(raw_signature.data() + 32, 32, nullptr));
  if (!r || !s) ossl::crypto_failure("out of memory");
  if (BN_is_zero(r.get()) || BN_is_zero(s.get())) throw TrustError("malformed", "SM2 signature values out of range");
  ossl::Ptr<ECDSA_SIG, ECDSA_SIG_free> sig(ECDSA_SIG_new());
  if (!sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) ossl::crypto_failure("cannot build the SM2 signature");
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) ossl::crypto_failure("cannot encode the SM2 signature");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace zhaoyin::trust
