// OFD packages from outside (GB/T 33190-2016): documents a relying party
// sends to be sealed and signed ones it sends to be verified. The ZIP
// container (central directory, local headers, inflate under the limits),
// the XML of OFD.xml, Document.xml, the pages, Signatures.xml and
// Signature.xml, and the locations between them. Each entry point must answer
// or throw OfdError; no other exception may escape (the HTTP layer would turn
// it into a 500).
//
// A package that prepares is also completed with a small SignedValue and read
// back: find_signatures must find the new signature last, its References
// intact and no file left unprotected.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <zhaoyin/ofd/ofd_signing.h>

using namespace zhaoyin::ofd;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes input(data, data + size);
  try {
    (void)find_signatures(input);
  } catch (const OfdError&) {
  }
  DocumentInfo info;
  try {
    info = inspect(input);
  } catch (const OfdError&) {
    return 0;
  }
  PreparedSignature prepared;
  try {
    SignatureMeta meta;
    meta.signing_time = "20261207120000Z";
    const auto& page = info.pages.front();
    prepared = prepare_signature(input, {1, 0, 0, page.width_mm / 2, page.height_mm / 2}, meta);
  } catch (const OfdError&) {
    return 0;
  }
  const Bytes done = complete_signature(prepared.package, prepared.signed_value_path, Bytes{0x30, 0x00});
  const auto found = find_signatures(done);
  if (found.empty()) std::abort();
  const auto& last = found.back();
  if (last.signature_path != prepared.signature_path || !last.references_intact || !last.unprotected_files.empty() ||
      last.signature_xml_sm3 != prepared.signature_xml_sm3)
    std::abort();
  return 0;
}
