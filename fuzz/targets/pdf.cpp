// PDFs from outside: documents a relying party sends to be signed
// (prepare_signature reads them with libqpdf: header, startxref, xref table
// or stream, trailer, page tree, AcroForm) and signed PDFs it sends to be
// verified (find_signatures: signature dictionaries, /ByteRange, /Contents).
// Each must answer or throw PdfError; no other exception may escape (the
// HTTP layer would turn it into a 500).
//
// A document that prepares is also completed with a small signature and read
// back: find_signatures must find that signature, covering the whole file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <zhaoyin/pdf/pdf_signing.h>

#include "tiny_png.h"

using namespace zhaoyin::pdf;

namespace {

// A DER SEQUENCE standing in for the SES_Signature (find_signatures trims
// the zero padding by the DER length).
const Bytes kSignature = {0x30, 0x03, 0x02, 0x01, 0x04};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Bytes pdf(data, data + size);
  try {
    (void)find_signatures(pdf);
  } catch (const PdfError&) {
  }

  DocumentInfo info;
  try {
    info = inspect(pdf);
  } catch (const PdfError&) {
    return 0;
  }

  PreparedSignature prepared;
  try {
    Placement placement;
    placement.width_mm = placement.height_mm = 1;
    SignatureMeta meta;
    meta.signer_name = "fuzz";
    meta.signing_time = "D:20261206000000Z";
    prepared = prepare_signature(pdf, placement, zhaoyin::fuzz::kTinyPng, meta, 64);
  } catch (const PdfError&) {
    return 0;
  }
  const Bytes signed_pdf = complete_signature(prepared, kSignature);
  std::vector<EmbeddedSignature> found;
  try {
    found = find_signatures(signed_pdf);
  } catch (const PdfError&) {
    std::abort();  // our own update made the document unreadable
  }
  const bool ours = std::any_of(found.begin(), found.end(), [&](const EmbeddedSignature& s) {
    return s.field_name == prepared.field_name && s.contents == kSignature && s.covers_whole_file;
  });
  if (!ours) std::abort();
  return 0;
}
