#pragma once
// The PDF being signed, read with libqpdf, plus what an incremental update
// needs that libqpdf does not expose: where the last cross-reference section
// starts and whether it is a table or a stream.
#include <memory>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <string>
#include <zhaoyin/pdf/pdf_signing.h>

namespace zhaoyin::pdf::detail {

struct SourceDocument {
  Bytes bytes;                  // owned: libqpdf reads from this buffer
  std::unique_ptr<QPDF> qpdf;
  std::size_t startxref = 0;    // offset of the last cross-reference section
  bool xref_stream = false;
  int size = 0;                 // trailer /Size: the next free object number
};

// Throws PdfError(malformed_pdf / encrypted_pdf).
std::unique_ptr<SourceDocument> open_document(const Bytes& pdf);

// The trailer entries an update carries over: /Root, /Info, /ID.
std::string trailer_entries(QPDF& qpdf);

// libqpdf reports a damaged document by throwing QPDFExc (and, for some
// type confusions in objects it could not resolve, std::logic_error) from
// wherever it happens to look. Every public entry point runs under this, so a
// hostile PDF is always the caller's PdfError (a 4xx), never an exception
// that escapes as a 500 (found by fuzz_pdf: a /Fields entry that is not a
// dictionary made getKey throw out of prepare_signature).
template <typename Work>
auto qpdf_guarded(Work&& work) -> decltype(work()) {
  try {
    return work();
  } catch (const PdfError&) {
    throw;
  } catch (const QPDFExc& e) {
    throw PdfError("malformed_pdf", std::string("not a sound PDF: ") + e.what());
  } catch (const std::logic_error& e) {
    throw PdfError("malformed_pdf", std::string("not a sound PDF: ") + e.what());
  }
}

// Upper-case hex SHA-1 (the /VRI key's form, ISO 32000-2 Table 261).
std::string sha1_upper_hex(const Bytes& data);

// "n g R" of an indirect object.
std::string reference(const QPDFObjectHandle& object);

// The text of a dictionary with some keys removed and `extra` (already PDF
// syntax, e.g. "/Annots [ 4 0 R ]") added: the object rewritten for the update.
std::string rewrite_dictionary(QPDFObjectHandle dictionary, const std::vector<std::string>& remove,
                               const std::string& extra);

// The items of an array (or of the array an indirect reference points to) as
// PDF text, "" when `object` is null or not an array.
std::string array_items(QPDFObjectHandle object);

}  // namespace zhaoyin::pdf::detail
