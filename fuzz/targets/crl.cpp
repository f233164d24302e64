// CRLs fetched from an authority's distribution point (DER, or PEM when
// imported). Every accessor revocation checking uses must answer or throw
// TrustError on whatever OpenSSL accepted.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <zhaoyin/trust/crl.h>
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

void exercise(const Crl& crl) {
  attempt([&] { return crl.issuer().get("CN"); });
  attempt([&] { return crl.this_update(); });
  attempt([&] { return crl.has_next_update(); });
  attempt([&] { return crl.next_update(); });
  attempt([&] { return crl.crl_number(); });
  attempt([&] { return crl.der(); });
  try {
    for (const RevokedEntry& e : crl.entries()) attempt([&] { return crl.find(e.serial_hex); });
  } catch (const TrustError&) {
  }
  attempt([&] { return crl.find("01"); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    exercise(Crl::from_der(Bytes(data, data + size)));
  } catch (const TrustError&) {
  }
  try {
    exercise(Crl::from_pem(std::string_view(reinterpret_cast<const char*>(data), size)));
  } catch (const TrustError&) {
  }
  return 0;
}
