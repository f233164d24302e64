// License signatures: a detached CMS SignedData with SM2/SM3 (RFC 5652 §5,
// host/trust/include/zhaoyin/trust/license_signature.h) — the /Contents of
// an /adbe.pkcs7.detached field in a PDF a relying party asks us to verify,
// or the `signature` of posted data. parse_license_signature must answer or
// throw TrustError("malformed"); looks_like_cms never throws; a parsed
// signature goes through verify_license_signature (reports by code, never
// throws), and assembling it again from its parts parses to the same parts.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/license_signature.h>

using namespace zhaoyin::trust;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes input(data, data + size);
  (void)looks_like_cms(input);
  ParsedLicenseSignature signature;
  try {
    signature = parse_license_signature(input);
  } catch (const TrustError&) {
    return 0;
  }
  static const TrustStore empty;
  const auto at = std::chrono::system_clock::now();
  (void)verify_license_signature(signature, empty, std::nullopt, at);
  (void)verify_license_signature(signature, empty, Bytes(32, 0xAB), at);
  const Bytes again = signature.timestamp
                          ? license_signature_with_timestamp(
                                assemble_license_signature(signature.signed_attributes, signature.signer_cert, signature.signature),
                                *signature.timestamp)
                          : assemble_license_signature(signature.signed_attributes, signature.signer_cert, signature.signature);
  const auto reread = parse_license_signature(again);
  if (reread.signed_attributes != signature.signed_attributes || reread.signature != signature.signature ||
      reread.message_digest != signature.message_digest || reread.timestamp != signature.timestamp ||
      reread.signer_cert.der() != signature.signer_cert.der())
    std::abort();
  return 0;
}
