#pragma once
// SM2 keys and signatures (GB/T 32918, GM/T 0009-2012).
//
// Every signature is SM2 over SM3 with the user's distinguishing ID mixed into
// Z_A. OpenSSL 3.0 does not default the ID, so every sign and verify here sets
// it explicitly; the default is GM/T 0009's 1234567812345678. Signatures are
// DER-encoded ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }).
#include <memory>
#include <string>
#include <string_view>
#include <zhaoyin/trust/bytes.h>

struct evp_pkey_st;
struct evp_md_ctx_st;
struct evp_pkey_ctx_st;

namespace zhaoyin::trust {

inline constexpr std::string_view kSm2DefaultId = "1234567812345678";

class Sm2Key {
 public:
  Sm2Key() = default;  // empty; valid() is false

  static Sm2Key generate();

  // PEM: "PRIVATE KEY" (PKCS#8), "ENCRYPTED PRIVATE KEY" (PKCS#8, needs the
  // password; a wrong one throws TrustError("bad_password")), or "PUBLIC KEY"
  // (SubjectPublicKeyInfo). Keys that are not SM2 throw TrustError("malformed").
  static Sm2Key from_pem(std::string_view pem, std::string_view password = {});
  static Sm2Key from_public_der(const Bytes& spki_der);
  static Sm2Key from_private_der(const Bytes& pkcs8_der);

  bool valid() const { return static_cast<bool>(pkey_); }
  bool has_private() const;

  std::string private_pem() const;                                 // unencrypted PKCS#8
  // PKCS#8 PBES2: scrypt (N=2^14, r=8, p=1, random salt) and AES-256-CBC, readable
  // by `openssl pkey -passin`. An empty password throws TrustError("bad_password").
  std::string private_pem_encrypted(std::string_view password) const;
  Bytes private_der() const;                                       // unencrypted PKCS#8
  std::string public_pem() const;
  Bytes public_der() const;                                        // SubjectPublicKeyInfo
  Bytes public_point() const;                                      // 04 || X || Y, 65 bytes

  // Signs SM3(Z_A || message). Throws TrustError("crypto_failure") without a private key.
  Bytes sign(const Bytes& message, std::string_view id = kSm2DefaultId) const;
  // False on a bad or malformed signature; never throws for bad input.
  bool verify(const Bytes& message, const Bytes& der_signature,
              std::string_view id = kSm2DefaultId) const;

  // The underlying EVP_PKEY (owned by this object; shared between copies).
  evp_pkey_st* native() const { return pkey_.get(); }
  // Takes ownership of an EVP_PKEY; throws TrustError("malformed") unless it is SM2
  // (the key is freed in that case too, so the caller never leaks it).
  static Sm2Key adopt(evp_pkey_st* pkey);
  // True if both hold the same public key (an empty key equals nothing).
  bool same_public_key(const Sm2Key& other) const;

 private:
  std::shared_ptr<evp_pkey_st> pkey_;
};

// Compact signatures for size-bound carriers (a presentation code in a QR
// code): r || s as two 32-byte big-endian integers, 64 bytes in all.
// Throws TrustError("malformed") for a DER signature that is not
// SEQUENCE { r, s } with 0 < r, s < 2^256, or a raw one that is not 64 bytes.
Bytes sm2_signature_to_raw(const Bytes& der_signature);
Bytes sm2_signature_from_raw(const Bytes& raw_signature);

namespace detail {

// Internal to zhaoyin_trust (x509.cpp and crl.cpp sign and verify with it); not
// an API for other libraries. An EVP_MD_CTX initialised for SM2-with-SM3 with
// the distinguishing ID set on its EVP_PKEY_CTX, ready for EVP_DigestSign* /
// X509_sign_ctx (for_signing) or EVP_DigestVerify*. Owns both contexts.
// Throws TrustError("crypto_failure") if OpenSSL refuses the key or the ID.
class Sm2DigestContext {
 public:
  Sm2DigestContext(evp_pkey_st* key, std::string_view id, bool for_signing);
  ~Sm2DigestContext();
  Sm2DigestContext(const Sm2DigestContext&) = delete;
  Sm2DigestContext& operator=(const Sm2DigestContext&) = delete;
  evp_md_ctx_st* get() const { return md_ctx_; }

 private:
  evp_md_ctx_st* md_ctx_ = nullptr;
  evp_pkey_ctx_st* pkey_ctx_ = nullptr;  // not owned by md_ctx_ (EVP_MD_CTX_set_pkey_ctx)
};

}  // namespace detail

}  // namespace zhaoyin::trust
