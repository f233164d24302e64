#pragma once
// Private to zhaoyin_trust: RAII for OpenSSL objects and the two ways an
// OpenSSL failure leaves the library (as "malformed" input or a crypto failure).
#include <memory>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <string>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::trust::ossl {

// unique_ptr deleter calling one OpenSSL free function.
template <auto FreeFn>
struct Free {
  template <typename T>
  void operator()(T* p) const noexcept { FreeFn(p); }
};

template <typename T, auto FreeFn>
using Ptr = std::unique_ptr<T, Free<FreeFn>>;

// OpenSSL's error queue is per thread; clear it so a later call does not
// report this failure as its own.
[[noreturn]] inline void malformed(const std::string& what) {
  ERR_clear_error();
  throw TrustError("malformed", what);
}

[[noreturn]] inline void crypto_failure(const std::string& what) {
  ERR_clear_error();
  throw TrustError("crypto_failure", what);
}

// A digest fetched once from the default provider and kept for the process's
// life. EVP_sm3() and EVP_sha256() are legacy handles: every EVP_DigestInit
// or EVP_DigestVerifyInit with one fetches the implementation again (a
// method-store lookup under a lock; docs/PERFORMANCE.md, change 6).
inline const EVP_MD* fetched_digest(const char* name) {
  EVP_MD* const md = EVP_MD_fetch(nullptr, name, nullptr);
  if (!md) crypto_failure(std::string(name) + " is not available");
  return md;
}
inline const EVP_MD* sm3_md() {
  static const EVP_MD* const md = fetched_digest("SM3");
  return md;
}
inline const EVP_MD* sha256_md() {
  static const EVP_MD* const md = fetched_digest("SHA256");
  return md;
}

}  // namespace zhaoyin::trust::ossl
