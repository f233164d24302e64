#pragma once
// Private to zhaoyin_trust: RAII for OpenSSL objects and the two ways an
// OpenSSL failure leaves the library (as "malformed" input or a crypto failure).
#include <memory>
#include <openssl/err.h>
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

}  // namespace zhaoyin::trust::ossl
