#pragma once
// The PDF being signed, read with libqpdf, plus what an incremental update
// needs that libqpdf does not expose: where the last cross-reference section
// starts and whether it is a table or a stream.
#include <memory>
#include <qpdf/QPDF.hh>
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
