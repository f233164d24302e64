// Our DER reader (zhaoyin::trust::der), which the e-seal parsers build on.
// Walks every element the way parse_seal does: children of constructed
// types, every typed accessor on primitives. Each accessor either answers or
// throws TrustError("malformed"); nothing may read outside the buffer (ASan).
#include <cstddef>
#include <cstdint>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>

using namespace zhaoyin::trust;

namespace {

template <typename F>
void attempt(F&& f) {
  try {
    (void)f();
  } catch (const TrustError&) {
  }
}

void walk(const der::Element& e, int depth) {
  if (depth > 64) return;  // the seal parsers never go deeper than a handful of levels
  attempt([&] { return e.raw_bytes(); });
  attempt([&] { return e.content_bytes(); });
  if (e.tag & 0x20) {  // constructed
    try {
      for (const der::Element& child : e.children()) walk(child, depth + 1);
    } catch (const TrustError&) {
    }
    return;
  }
  attempt([&] { return e.as_integer(); });
  attempt([&] { return e.as_octets(); });
  attempt([&] { return e.as_bits(); });
  attempt([&] { return e.as_string(); });
  attempt([&] { return e.as_oid(); });
  attempt([&] { return e.as_boolean(); });
  attempt([&] { return e.as_time(); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const der::Element root = der::parse(data, size);
    walk(root, 0);
  } catch (const TrustError&) {
  }
  return 0;
}
