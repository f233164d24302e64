// GB/T 38540-2020 SES_Signature, DER: the /Contents of every signed PDF a
// relying party asks us to verify. parse_seal_signature must answer or
// throw TrustError("malformed"); a parsed signature goes through
// verify_seal_signature (with and without a data hash to compare), which
// reports by code and must never throw.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal_signature.h>

using namespace zhaoyin::trust;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ParsedSealSignature signature;
  try {
    signature = parse_seal_signature(Bytes(data, data + size));
  } catch (const TrustError&) {
    return 0;
  }
  static const TrustStore empty;
  (void)verify_seal_signature(signature, empty, std::nullopt);
  (void)verify_seal_signature(signature, empty, Bytes(32, 0xAB));
  return 0;
}
