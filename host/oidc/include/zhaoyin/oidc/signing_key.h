#pragma once
// The OpenID provider's ID-token signing key: ECDSA P-256 with SHA-256, i.e.
// JWS "ES256" (RFC 7518 §3.4). The host makes the key on first start and keeps
// it as a PKCS#8 PEM file readable by its owner only; its public half is
// published at /oidc/jwks with kid = the RFC 7638 JWK thumbprint.
//
// Everything goes through OpenSSL 3's EVP interface. OpenSSL signs ECDSA in
// DER (SEQUENCE {r, s}); JWS wants the raw 64-byte r||s, so signatures are
// converted here (and es256_raw_to_der converts back, e.g. for `openssl dgst`).
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <zhaoyin/trust/bytes.h>

typedef struct evp_pkey_st EVP_PKEY;

namespace zhaoyin::oidc {

class SigningKeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SigningKey {
 public:
  // A fresh P-256 key.
  static SigningKey generate();
  // A P-256 private key from PEM (PKCS#8 or SEC1); SigningKeyError otherwise.
  static SigningKey from_pem(std::string_view pem);
  // Reads the key at `path`, or makes one and writes it there with mode 0600
  // (created exclusively: if another process wins the race, its key is used).
  static SigningKey load_or_create(const std::filesystem::path& path);

  std::string private_pem() const;  // PKCS#8
  std::string public_pem() const;   // SubjectPublicKeyInfo

  // {"kty":"EC","crv":"P-256","x","y","kid","use":"sig","alg":"ES256"}
  nlohmann::json public_jwk() const;
  // RFC 7638 thumbprint: base64url(SHA-256({"crv","kty","x","y"} canonical)).
  const std::string& kid() const { return kid_; }

  // ES256 over `data`: the 64-byte r||s.
  trust::Bytes sign_es256(std::string_view data) const;
  // Compact JWS of `claims` with header {"alg":"ES256","typ":"JWT","kid":kid()}.
  std::string sign_jwt(const nlohmann::json& claims) const;
  // The claims of a compact JWS this key signed (header alg ES256 and this
  // key's kid, a valid signature over the first two parts); nullopt for
  // anything else, malformed or oversized input included. Says nothing about
  // "exp", "iss" or "aud": the caller decides which claims matter (an
  // id_token_hint at logout may have expired, OpenID Connect RP-Initiated
  // Logout 1.0 §2).
  std::optional<nlohmann::json> verify_jwt(std::string_view compact) const;

 private:
  explicit SigningKey(std::shared_ptr<EVP_PKEY> key);
  std::shared_ptr<EVP_PKEY> key_;
  std::string x_, y_;  // base64url coordinates, 32 bytes each
  std::string kid_;
};

// r||s (64 bytes) → DER ECDSA-Sig-Value; SigningKeyError on a wrong length.
trust::Bytes es256_raw_to_der(const trust::Bytes& raw);

}  // namespace zhaoyin::oidc
