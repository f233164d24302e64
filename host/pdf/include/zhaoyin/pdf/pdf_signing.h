#pragma once
// Seal signatures in PDF documents, written as incremental updates (ISO 32000-1
// §7.5.6) so every earlier signature keeps covering the bytes it signed.
//
// A signature is added in two steps, because the signer (the wallet) signs
// the document's digest, not the document:
//
//   auto prepared = prepare_signature(pdf, placement, seal_png, meta, capacity);
//   // sign: SES_Signature over prepared.digest (SM3 of the /ByteRange bytes)
//   Bytes signed_pdf = complete_signature(prepared, ses_signature_der);
//
// The update adds a signature field (a widget on the placement's page with the
// seal impression as its appearance), a signature dictionary
//   << /Type /Sig /Filter /Zhaoyin.SES /SubFilter /GBT38540.SES_Signature
//      /ByteRange [0 a b c] /Contents <DER SES_Signature, zero-padded> /M (D:...) ... >>
// and rewrites the page (its /Annots) and the catalog's /AcroForm (/SigFlags 3).
// The original's cross-reference form is kept: a table after a table, a
// cross-reference stream after a stream.
#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace zhaoyin::pdf {

using Bytes = std::vector<std::uint8_t>;

// code(): malformed_pdf | encrypted_pdf | placement_off_page | invalid_argument | signature_too_large
class PdfError : public std::runtime_error {
 public:
  PdfError(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

struct PageSize {
  double width_mm = 0;
  double height_mm = 0;
};

struct DocumentInfo {
  std::string version;            // e.g. "1.5"
  std::vector<PageSize> pages;    // MediaBox of each page
  std::size_t signature_fields = 0;
  bool xref_stream = false;       // the last cross-reference section is a stream
};

// Parses with libqpdf. Throws PdfError(malformed_pdf) for anything that is not
// a sound PDF (also one libqpdf had to repair), PdfError(encrypted_pdf) for an
// encrypted one.
DocumentInfo inspect(const Bytes& pdf);

// Where the seal goes: page (1-based), top-left corner measured from the
// page's top-left corner, size in millimetres (the seal's own size).
struct Placement {
  int page = 1;
  double x_mm = 0;
  double y_mm = 0;
  double width_mm = 42;
  double height_mm = 42;
};

struct SignatureMeta {
  std::string field_name;     // unique in the document, e.g. "ZhaoyinSeal1"; empty: chosen
  std::string signer_name;    // /Name
  std::string reason;         // /Reason
  std::string signing_time;   // /M as a PDF date, e.g. D:20261123095800Z; empty: now
  // /Filter and /SubFilter: a GB/T 38540 SES_Signature by default; a license
  // signature (CMS SignedData, no seal) is /Adobe.PPKLite /adbe.pkcs7.detached
  // (ISO 32000-1 §12.8.3.3), which PDF tools know.
  std::string filter = "/Zhaoyin.SES";
  std::string sub_filter = "/GBT38540.SES_Signature";
};

struct PreparedSignature {
  Bytes pdf;                           // the original + the update, /Contents all zeros
  std::array<std::size_t, 4> byte_range{};  // [0, a, b, c]
  std::size_t contents_offset = 0;     // offset of the first hex digit inside <...>
  std::size_t contents_capacity = 0;   // bytes the hex string can hold
  Bytes digest;                        // SM3 over the byte range
  std::string field_name;
};

// An empty seal_png makes an invisible signature (a widget with a zero
// /Rect and no appearance, ISO 32000-1 §12.7.4.5): a license signature has no
// impression. Throws PdfError: malformed_pdf / encrypted_pdf; placement_off_page when the
// page does not exist or the rectangle leaves its MediaBox; invalid_argument
// for an unreadable PNG or a zero capacity.
PreparedSignature prepare_signature(const Bytes& pdf, const Placement& placement, const Bytes& seal_png,
                                    const SignatureMeta& meta, std::size_t contents_capacity);

// Writes the DER signature into the reserved /Contents. Throws
// PdfError(signature_too_large) when it does not fit.
Bytes complete_signature(const PreparedSignature& prepared, const Bytes& signature_der);

// A signature found in a PDF.
struct EmbeddedSignature {
  std::string field_name;
  std::string filter;                  // /Filter, e.g. "/Zhaoyin.SES"
  std::string sub_filter;
  std::array<std::size_t, 4> byte_range{};
  Bytes contents;                      // the DER value (trailing zero padding removed)
  Bytes digest;                        // SM3 over the byte range as the file is now
  bool covers_whole_file = false;      // nothing was appended after this signature's revision
  std::size_t signed_length = 0;       // bytes covered up to the end of its revision
  int page = 0;                        // page (1-based) of its widget, 0 if none
  // Its key in the /DSS /VRI dictionary (ISO 32000-2 Table 261): the upper-case
  // hex SHA-1 of the /Contents string's bytes — all of them, the zero padding
  // after the DER value included, as the string is stored.
  std::string vri_key;
  // Where its widget is, as a Placement says it (mm from the page's top-left
  // corner: x, y, width, height), from its /Rect and the page's MediaBox;
  // all zero for an invisible signature or one on no page.
  std::array<double, 4> area_mm{};
};

// Every signature field with a value, in file order. Throws PdfError(malformed_pdf)
// for a byte range that does not fit the file.
std::vector<EmbeddedSignature> find_signatures(const Bytes& pdf);

// The areas of the visible signatures already in the document, to place the
// next one clear of them. Throws PdfError(malformed_pdf).
std::vector<Placement> occupied_areas(const Bytes& pdf);

// The end offsets of the file's revisions (ISO 32000-1 §7.5.6: each
// incremental update ends with its own %%EOF marker, at a line start), each
// after the marker and its end-of-line. A revision end after a signature's
// signed_length that is no later signature's signed_length is an unsigned
// change made after that signature — e.g. an edit between two parties' signatures.
std::vector<std::size_t> revision_ends(const Bytes& pdf);

// The revision ends after `signed_length` that no signature in `signatures`
// ends at and that add more than validation data (dss.h,
// validation_data_only): a /DSS update after a signature is not a change.
std::vector<std::size_t> unsigned_revisions_after(const Bytes& pdf, const std::vector<EmbeddedSignature>& signatures,
                                                  std::size_t signed_length);

}  // namespace zhaoyin::pdf
