// SM3, SHA-256 and HMAC through OpenSSL 3's EVP and EVP_MAC interfaces.
#include <zhaoyin/trust/sm3.h>

#include <memory>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <zhaoyin/trust/error.h>
#include "openssl_util.h"

namespace zhaoyin::trust {

namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
struct MacFree {
  void operator()(EVP_MAC* mac) const noexcept { EVP_MAC_free(mac); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};

[[noreturn]] void fail(const char* what) { throw TrustError("crypto_failure", what); }

Bytes digest(const EVP_MD* md, const std::uint8_t* data, std::size_t n) {
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
  unsigned int len = 0;
  if (EVP_Digest(data, n, out.data(), &len, md, nullptr) != 1) fail("digest failed");
  out.resize(len);
  return out;
}

Bytes hmac(const char* digest_name, const Bytes& key, const Bytes& data) {
  std::unique_ptr<EVP_MAC, MacFree> mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!mac) fail("HMAC is not available");
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(mac.get()));
  if (!ctx) fail("cannot allocate a MAC context");
  // OSSL_PARAM wants a mutable char*; OpenSSL only reads it.
  char* name = const_cast<char*>(digest_name);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name, 0),
      OSSL_PARAM_construct_end(),
  };
  // EVP_MAC_init refuses a null key pointer even with length 0.
  static const std::uint8_t kEmpty = 0;
  const std::uint8_t* key_data = key.empty() ? &kEmpty : key.data();
  if (EVP_MAC_init(ctx.get(), key_data, key.size(), params) != 1 ||
      EVP_MAC_update(ctx.get(), data.data(), data.size()) != 1)
    fail("HMAC failed");
  Bytes out(EVP_MAC_CTX_get_mac_size(ctx.get()));
  std::size_t len = 0;
  if (EVP_MAC_final(ctx.get(), out.data(), &len, out.size()) != 1) fail("HMAC failed");
  out.resize(len);
  return out;
}

EVP_MD_CTX* as_md_ctx(void* p) { return static_cast<EVP_MD_CTX*>(p); }

}  // namespace

Bytes sm3(const Bytes& data) { return digest(ossl::sm3_md(), data.data(), data.size()); }

Bytes sm3(std::string_view data) {
  return digest(ossl::sm3_md(), reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

Sm3Hasher::Sm3Hasher() : ctx_(nullptr) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), ossl::sm3_md(), nullptr) != 1) fail("SM3 init failed");
  ctx_ = ctx.release();
}

Sm3Hasher::~Sm3Hasher() { EVP_MD_CTX_free(as_md_ctx(ctx_)); }

void Sm3Hasher::update(const std::uint8_t* data, std::size_t n) {
  if (!ctx_) throw TrustError("crypto_failure", "Sm3Hasher used after finish()");
  if (n == 0) return;
  if (EVP_DigestUpdate(as_md_ctx(ctx_), data, n) != 1) fail("SM3 update failed");
}

Bytes Sm3Hasher::finish() {
  if (!ctx_) throw TrustError("crypto_failure", "Sm3Hasher used after finish()");
  // Whatever happens below, the context is released: finish() is final.
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(as_md_ctx(ctx_));
  ctx_ = nullptr;
  Bytes out(kSm3Size);
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != kSm3Size)
    fail("SM3 final failed");
  return out;
}

Bytes hmac_sha256(const Bytes& key, const Bytes& data) { return hmac("SHA256", key, data); }

Bytes hmac_sm3(const Bytes& key, const Bytes& data) { return hmac("SM3", key, data); }

Bytes sha256(const Bytes& data) { return digest(ossl::sha256_md(), data.data(), data.size()); }

}  // namespace zhaoyin::trust
