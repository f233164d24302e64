#include "source_document.h"

#include <cstring>
#include <openssl/evp.h>
#include <qpdf/QPDFExc.hh>

namespace zhaoyin::pdf::detail {

namespace {

[[noreturn]] void malformed(const std::string& what) { throw PdfError("malformed_pdf", "not a sound PDF: " + what); }

std::size_t find_startxref(const Bytes& b) {
  static const std::string kKey = "startxref";
  const std::size_t tail = b.size() > 2048 ? b.size() - 2048 : 0;
  std::size_t found = std::string::npos;
  for (std::size_t i = tail; i + kKey.size() <= b.size(); ++i)
    if (std::memcmp(b.data() + i, kKey.data(), kKey.size()) == 0) found = i;
  if (found == std::string::npos) malformed("no startxref near the end of the file");
  std::size_t i = found + kKey.size();
  // The keyword is a whole token too: libqpdf reads "startxref00000064" as
  // one word, not the keyword, and goes back to an earlier "startxref"; we
  // took offset 64, and our update's /Prev pointed where libqpdf found no
  // cross-reference section (found by fuzz_pdf after the fix for finding 10).
  if (i >= b.size() || !std::isspace(b[i])) malformed("startxref is not followed by a number");
  while (i < b.size() && std::isspace(b[i])) ++i;
  std::size_t value = 0;
  bool digits = false;
  while (i < b.size() && std::isdigit(b[i]) && value < b.size()) {
    value = value * 10 + static_cast<std::size_t>(b[i] - '0');
    digits = true;
    ++i;
  }
  // The offset is a whole token: "startxref\n4B51B394" is not offset 4
  // (found by fuzz_pdf: we took 4, libqpdf found the file's real section,
  // and the update we wrote chained to the wrong one).
  if (i < b.size() && !std::isspace(b[i])) malformed("startxref is not followed by a number");
  // The section it points at is read as "xref" or an object: at least 4
  // bytes must follow (found by fuzz/targets/pdf.cpp: an offset into the
  // last bytes made open_document's memcmp read past the buffer).
  if (!digits || value >= b.size() || b.size() - value < 4) malformed("startxref does not point into the file");
  return value;
}

}  // namespace

std::unique_ptr<SourceDocument> open_document(const Bytes& pdf) {
  auto doc = std::make_unique<SourceDocument>();
  doc->bytes = pdf;
  if (pdf.size() < 16 || std::memcmp(pdf.data(), "%PDF-", 5) != 0) malformed("no %PDF- header");
  // "%PDF-<digit>.<digit>" at byte 0, or libqpdf looks further for a header
  // and then reads every offset relative to it, while the update we write
  // uses offsets from byte 0 (found by fuzz_pdf: our signed output needed
  // repair). Refusing such a file keeps both counting from the same place.
  if (!std::isdigit(pdf[5]) || pdf[6] != '.' || !std::isdigit(pdf[7])) malformed("the %PDF- header has no version");
  doc->startxref = find_startxref(doc->bytes);
  doc->xref_stream = std::memcmp(doc->bytes.data() + doc->startxref, "xref", 4) != 0;
  // A cross-reference stream is an object: "N G obj" starts with a digit.
  if (doc->xref_stream && !std::isdigit(doc->bytes[doc->startxref]))
    malformed("startxref points at neither a cross-reference table nor a stream object");
  doc->qpdf = std::make_unique<QPDF>();
  doc->qpdf->setSuppressWarnings(true);
  try {
    doc->qpdf->processMemoryFile("document", reinterpret_cast<const char*>(doc->bytes.data()), doc->bytes.size());
    if (doc->qpdf->isEncrypted()) throw PdfError("encrypted_pdf", "encrypted PDFs cannot be signed here");
    doc->qpdf->getAllPages();  // walks the page tree: a broken one fails here
    // libqpdf reads objects lazily: one its cross-reference section places
    // at the wrong offset, or that does not parse, is noticed only when it is
    // first resolved — and then libqpdf silently rebuilds the whole table by
    // scanning the file. Checking for warnings after the page tree alone let
    // such a document through, while reading our signed output (every object,
    // for the signatures) took the rebuilt table, in which our update was not
    // the one the file's last startxref chains to (found by fuzz_pdf: seven
    // inputs whose signed result needed repair or did not list our
    // signature). So every object the cross-reference sections list is
    // resolved here, before the check: the document we sign is the one
    // libqpdf reads through its startxref chain, object by object. (Later
    // steps — counting signature fields, reading signatures — resolve every
    // object anyway; this only moves that work before the check.)
    for (QPDFObjectHandle object : doc->qpdf->getAllObjects()) (void)object.getTypeCode();
    if (doc->qpdf->anyWarnings()) malformed("libqpdf had to repair it (damaged cross-reference or objects)");
    QPDFObjectHandle size = doc->qpdf->getTrailer().getKey("/Size");
    if (!size.isInteger() || size.getIntValue() < 1) malformed("the trailer has no /Size");
    doc->size = static_cast<int>(size.getIntValue());
    if (doc->qpdf->getAllPages().empty()) malformed("it has no pages");
  } catch (const QPDFExc& e) {
    // A document with a user password cannot even be opened: it is encrypted, not broken.
    if (e.getErrorCode() == qpdf_e_password) throw PdfError("encrypted_pdf", "encrypted PDFs cannot be signed here");
    malformed(e.what());
  } catch (const std::logic_error& e) {
    malformed(e.what());
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const PdfError*>(&e)) throw;
    malformed(e.what());
  }
  return doc;
}

std::string trailer_entries(QPDF& qpdf) {
  QPDFObjectHandle trailer = qpdf.getTrailer();
  std::string out = "/Root " + reference(qpdf.getRoot());
  if (trailer.getKey("/Info").isIndirect()) out += " /Info " + reference(trailer.getKey("/Info"));
  if (trailer.getKey("/ID").isArray() && trailer.getKey("/ID").getArrayNItems() == 2)
    out += " /ID [" + trailer.getKey("/ID").getArrayItem(0).unparse() + " " +
           trailer.getKey("/ID").getArrayItem(0).unparse() + "]";
  return out;
}

std::string sha1_upper_hex(const Bytes& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha1(), nullptr) != 1)
    throw PdfError("malformed_pdf", "internal error: SHA-1 failed");
  static const char* const kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

std::string reference(const QPDFObjectHandle& object) {
  const QPDFObjGen og = object.getObjGen();
  return std::to_string(og.getObj()) + " " + std::to_string(og.getGen()) + " R";
}

std::string rewrite_dictionary(QPDFObjectHandle dictionary, const std::vector<std::string>& remove,
                               const std::string& extra) {
  QPDFObjectHandle copy = dictionary.shallowCopy();
  for (const auto& key : remove) copy.removeKey(key);
  std::string text = copy.unparseResolved();
  const auto end = text.rfind(">>");
  if (end == std::string::npos) malformed("a dictionary did not print as one");
  return text.substr(0, end) + extra + " >>";
}

std::string array_items(QPDFObjectHandle object) {
  if (object.isNull() || !object.isArray()) return "";
  std::string out;
  for (int i = 0; i < object.getArrayNItems(); ++i) out += object.getArrayItem(i).unparse() + " ";
  return out;
}

}  // namespace zhaoyin::pdf::detail
