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
  std::string private_pem_encrypted(std::string_view password) const;  // PKCS#8, PBES2 (scrypt KDF, AES-256-CBC)
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
  // Takes ownership of an EVP_PKEY; throws TrustError("malformed") unless it is SM2.
  static Sm2Key adopt(evp_pkey_st* pkey);

 private:
  std::shared_ptr<evp_pkey_st> pkey_;
};

}  // namespace zhaoyin::trust
