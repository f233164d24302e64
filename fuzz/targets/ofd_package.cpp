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
// intact and no file left unprotected. A second, Type="Sign" signature (a
// second party's license signature) is then added over it and must protect it.
//
// Inputs come in two forms. A ZIP as sent. Or, so that mutations reach the
// XML past the ZIP's CRC-32s, the package's files as text:
//   "OFDFILES\n" then "@@ NAME\n" + content, for each file
// which the harness zips with write_package first.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <zhaoyin/ofd/ofd_signing.h>

using namespace zhaoyin::ofd;

namespace {

constexpr std::string_view kFilesForm = "OFDFILES\n";

// The text form as a ZIP; an empty Bytes when a name is one write_package refuses.
Bytes zip_of_files(std::string_view text) {
  Package package;
  text.remove_prefix(kFilesForm.size());
  while (text.substr(0, 3) == "@@ ") {
    const std::size_t name_end = text.find('\n');
    if (name_end == std::string_view::npos) break;
    const std::string name(text.substr(3, name_end - 3));
    text.remove_prefix(name_end + 1);
    std::size_t next = text.find("\n@@ ");
    const std::string_view content = text.substr(0, next);
    package.put(name, Bytes(content.begin(), content.end()));
    if (next == std::string_view::npos) break;
    text.remove_prefix(next + 1);
  }
  try {
    return write_package(package);
  } catch (const OfdError&) {
    return {};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const Bytes input = raw.substr(0, kFilesForm.size()) == kFilesForm ? zip_of_files(raw) : Bytes(data, data + size);
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

  // A further signature by another party, here a license signature (Type
  // "Sign", no StampAnnot, §18.1): it is appended last, protects the seal
  // before it (its References cover Sign_N's files), and leaves that seal
  // intact with nothing unprotected.
  SignatureMeta sign_meta;
  sign_meta.type = "Sign";
  sign_meta.signing_time = "20261207120100Z";
  PreparedSignature second;
  Bytes twice;
  try {
    second = prepare_signature(done, {}, sign_meta);
    twice = complete_signature(second.package, second.signed_value_path, Bytes{0x30, 0x00});
  } catch (const OfdError& e) {
    if (e.code() == "ofd_limit_exceeded") return 0;  // three more files can pass a limit the input was just under
    throw;
  }
  const auto all = find_signatures(twice);
  if (all.size() != found.size() + 1) std::abort();
  const auto& sign = all.back();
  const auto& seal = all[all.size() - 2];
  if (sign.type != "Sign" || sign.page != 0 || sign.signature_path != second.signature_path || !sign.references_intact ||
      !sign.unprotected_files.empty() || seal.signature_path != prepared.signature_path || !seal.references_intact ||
      !seal.unprotected_files.empty())
    std::abort();
  bool covers_seal = false;
  for (const auto& ref : sign.references) covers_seal |= ref.file == prepared.signed_value_path;
  if (!covers_seal) std::abort();
  return 0;
}
