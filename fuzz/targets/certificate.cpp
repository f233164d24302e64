// X.509 certificates from outside: the wallet's license certificate and
// chain (PEM in the answer body), host certificates, imported authority
// roots (DER or PEM). OpenSSL parses; the code under test is ours around it:
// every accessor the verifier and the UI use on a certificate OpenSSL
// accepted, which must answer or throw TrustError — never crash or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/x509.h>

using namespace zhaoyin::trust;

namespace {

template <typename F>
void attempt(F&& f) {
  try {
    (void)f();
  } catch (const TrustError&) {
  }
}

void exercise(const Certificate& c) {
  attempt([&] { return c.serial_hex(); });
  attempt([&] { return c.subject().get("CN"); });
  attempt([&] { return c.issuer().get("O"); });
  attempt([&] { return c.subject_line(); });
  attempt([&] { return c.not_before(); });
  attempt([&] { return c.not_after(); });
  attempt([&] { return c.is_ca(); });
  attempt([&] { return c.public_key().public_point(); });
  attempt([&] { return c.fingerprint_sm3(); });
  attempt([&] { return c.pem(); });
  attempt([&] { return c.signed_by(c); });  // self-signed check, as for a root
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    exercise(Certificate::from_der(Bytes(data, data + size)));
  } catch (const TrustError&) {
  }
  // The same bytes as PEM text (a bundle, as a wallet's chain arrives).
  try {
    for (const Certificate& c : Certificate::bundle_from_pem(std::string_view(reinterpret_cast<const char*>(data), size)))
      exercise(c);
  } catch (const TrustError&) {
  }
  return 0;
}
