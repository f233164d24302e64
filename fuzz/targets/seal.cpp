// GB/T 38540-2020 SESeal (v4) and GM/T 0031-2014 (v1), DER: seals inside
// wallet files and inside every SES_Signature a verifier is handed.
// parse_seal must answer or throw TrustError("malformed"); what it accepts
// goes through verify_seal (algorithm, the maker's signature, validity,
// chain against an empty trust store) and the signer-list check, which
// must never throw for a parsed seal.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal.h>

using namespace zhaoyin::trust;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ParsedSeal seal;
  try {
    seal = parse_seal(Bytes(data, data + size));
  } catch (const TrustError&) {
    return 0;
  }
  static const TrustStore empty;
  (void)verify_seal(seal, empty, std::chrono::system_clock::now());
  for (const Certificate& signer : seal.info.signer_certs) (void)seal_allows_signer(seal, signer);
  (void)seal_allows_signer(seal, seal.maker_cert);
  return 0;
}
