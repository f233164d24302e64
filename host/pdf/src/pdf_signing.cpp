#include <zhaoyin/pdf/pdf_signing.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <set>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/pdf/dss.h>
#include "incremental_update.h"
#include "seal_image.h"
#include "source_document.h"

namespace zhaoyin::pdf {

namespace {

using detail::SourceDocument;

constexpr double kPointsPerMm = 72.0 / 25.4;
constexpr std::string_view kByteRangePlaceholder = "/ByteRange [0 0000000000 0000000000 0000000000]";

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

struct Box {
  double llx = 0, lly = 0, urx = 0, ury = 0;
};

Box media_box(QPDFObjectHandle page) {
  QPDFObjectHandle box = QPDFPageObjectHelper(page).getMediaBox();
  if (!box.isRectangle()) throw PdfError("malformed_pdf", "a page has no MediaBox");
  const auto r = box.getArrayAsRectangle();
  return {std::min(r.llx, r.urx), std::min(r.lly, r.ury), std::max(r.llx, r.urx), std::max(r.lly, r.ury)};
}

// A PDF text string: ASCII as a literal string, anything else as UTF-16BE with BOM in hex.
std::string text_string(const std::string& utf8) {
  bool ascii = true;
  for (const unsigned char c : utf8)
    if (c >= 0x80 || c < 0x20) ascii = false;
  if (ascii) {
    std::string out = "(";
    for (const char c : utf8) {
      if (c == '(' || c == ')' || c == '\\') out += '\\';
      out += c;
    }
    return out + ")";
  }
  std::u16string units;
  for (std::size_t i = 0; i < utf8.size();) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    char32_t cp = 0;
    int extra = 0;
    if (c < 0x80) { cp = c; }
    else if ((c >> 5) == 6) { cp = c & 0x1F; extra = 1; }
    else if ((c >> 4) == 14) { cp = c & 0x0F; extra = 2; }
    else if ((c >> 3) == 30) { cp = c & 0x07; extra = 3; }
    else throw PdfError("invalid_argument", "text is not UTF-8");
    if (i + static_cast<std::size_t>(extra) >= utf8.size() && extra > 0)
      throw PdfError("invalid_argument", "text is not UTF-8");
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += static_cast<std::size_t>(extra) + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      units.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      units.push_back(static_cast<char16_t>(cp));
    }
  }
  std::string out = "<FEFF";
  char buf[8];
  for (const char16_t u : units) {
    std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(u));
    out += buf;
  }
  return out + ">";
}

std::string pdf_date_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "D:%Y%m%d%H%M%SZ", &tm);
  return buf;
}

using detail::qpdf_guarded;

// Field names already used in the AcroForm (top level; signature fields are top-level here).
std::set<std::string> field_names(QPDFObjectHandle acroform) {
  std::set<std::string> names;
  if (acroform.isNull() || !acroform.isDictionary()) return names;
  QPDFObjectHandle fields = acroform.getKey("/Fields");
  if (!fields.isArray()) return names;
  for (int i = 0; i < fields.getArrayNItems(); ++i) {
    QPDFObjectHandle item = fields.getArrayItem(i);
    if (!item.isDictionary()) continue;  // not a field: nothing of ours can collide with it
    QPDFObjectHandle t = item.getKey("/T");
    if (t.isString()) names.insert(t.getUTF8Value());
  }
  return names;
}

std::size_t count_signature_fields(QPDF& qpdf) {
  std::size_t n = 0;
  for (QPDFObjectHandle o : qpdf.getAllObjects())
    if (o.isDictionary() && o.getKey("/FT").isName() && o.getKey("/FT").getName() == "/Sig") ++n;
  return n;
}

std::size_t der_length(const Bytes& b) {
  // Length of the first DER TLV (the signature), so zero padding can be cut off.
  if (b.size() < 2 || b[0] == 0) return 0;
  std::size_t len = b[1];
  std::size_t header = 2;
  if (len & 0x80) {
    const std::size_t n = len & 0x7F;
    if (n == 0 || n > 4 || b.size() < 2 + n) return 0;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | b[2 + i];
    header += n;
  }
  return header + len <= b.size() ? header + len : 0;
}

std::vector<EmbeddedSignature> read_signatures(QPDF& q, const Bytes& pdf);  // below find_signatures' helpers

}  // namespace

DocumentInfo inspect(const Bytes& pdf) {
  return qpdf_guarded([&] {
    const auto doc = detail::open_document(pdf);
    DocumentInfo info;
    info.version = doc->qpdf->getPDFVersion();
    info.xref_stream = doc->xref_stream;
    for (QPDFObjectHandle page : doc->qpdf->getAllPages()) {
      const Box b = media_box(page);
      info.pages.push_back({(b.urx - b.llx) / kPointsPerMm, (b.ury - b.lly) / kPointsPerMm});
    }
    info.signature_fields = count_signature_fields(*doc->qpdf);
    // A document whose earlier signatures cannot be read would be signed and
    // then fail verification as a whole (found by fuzz_pdf): refuse it here,
    // where a sign task is created, instead.
    (void)read_signatures(*doc->qpdf, pdf);
    return info;
  });
}

namespace {
PreparedSignature prepare_signature_unguarded(const Bytes& pdf, const Placement& placement, const Bytes& seal_png,
                                              const SignatureMeta& meta, std::size_t contents_capacity);
}  // namespace

PreparedSignature prepare_signature(const Bytes& pdf, const Placement& placement, const Bytes& seal_png,
                                    const SignatureMeta& meta, std::size_t contents_capacity) {
  return qpdf_guarded([&] { return prepare_signature_unguarded(pdf, placement, seal_png, meta, contents_capacity); });
}

namespace {
PreparedSignature prepare_signature_unguarded(const Bytes& pdf, const Placement& placement, const Bytes& seal_png,
                                              const SignatureMeta& meta, std::size_t contents_capacity) {
  if (contents_capacity == 0 || contents_capacity > 4 * 1024 * 1024)
    throw PdfError("invalid_argument", "the signature capacity must be 1 byte to 4 MiB");
  const auto doc = detail::open_document(pdf);
  QPDF& q = *doc->qpdf;
  (void)read_signatures(q, pdf);  // as in inspect(): what we sign must stay verifiable
  const auto& pages = q.getAllPages();
  if (placement.page < 1 || static_cast<std::size_t>(placement.page) > pages.size())
    throw PdfError("placement_off_page", "the document has " + std::to_string(pages.size()) + " pages, not page " +
                                             std::to_string(placement.page));
  QPDFObjectHandle page = pages[static_cast<std::size_t>(placement.page - 1)];
  const Box box = media_box(page);
  const double w = placement.width_mm * kPointsPerMm;
  const double h = placement.height_mm * kPointsPerMm;
  const double x1 = box.llx + placement.x_mm * kPointsPerMm;
  const double y2 = box.ury - placement.y_mm * kPointsPerMm;
  const double x2 = x1 + w;
  const double y1 = y2 - h;
  constexpr double kSlack = 0.01;
  if (placement.width_mm <= 0 || placement.height_mm <= 0 || placement.x_mm < 0 || placement.y_mm < 0 ||
      x2 > box.urx + kSlack || y1 < box.lly - kSlack)
    throw PdfError("placement_off_page", "the seal at (" + number(placement.x_mm) + ", " + number(placement.y_mm) +
                                             ") mm, " + number(placement.width_mm) + " x " +
                                             number(placement.height_mm) + " mm, leaves page " +
                                             std::to_string(placement.page));

  QPDFObjectHandle root = q.getRoot();
  QPDFObjectHandle acroform = root.getKey("/AcroForm");
  const std::set<std::string> used = field_names(acroform);
  std::string field = meta.field_name;
  if (field.empty()) {
    for (int i = 1; field.empty() || used.count(field); ++i) field = "ZhaoyinSeal" + std::to_string(i);
  } else if (used.count(field)) {
    throw PdfError("invalid_argument", "the document already has a field named " + field);
  }

  detail::IncrementalUpdate update(*doc);
  const bool visible = !seal_png.empty();
  const int sig_obj = update.allocate();
  const int widget_obj = update.allocate();
  int appearance_obj = 0;
  if (visible) {
    const detail::ImageStreams image = detail::seal_image_streams(seal_png);
    const int mask_obj = update.allocate();
    const int image_obj = update.allocate();
    appearance_obj = update.allocate();
    const std::string dims = "/Width " + std::to_string(image.width) + " /Height " + std::to_string(image.height);
    update.put(mask_obj, 0,
               detail::stream_object("/Type /XObject /Subtype /Image " + dims +
                                         " /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode",
                                     image.alpha));
    update.put(image_obj, 0,
               detail::stream_object("/Type /XObject /Subtype /Image " + dims +
                                         " /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /SMask " +
                                         std::to_string(mask_obj) + " 0 R",
                                     image.rgb));
    const std::string draw = "q " + number(w) + " 0 0 " + number(h) + " 0 0 cm /Seal Do Q";
    update.put(appearance_obj, 0,
               detail::stream_object("/Type /XObject /Subtype /Form /BBox [0 0 " + number(w) + " " + number(h) +
                                         "] /Resources << /XObject << /Seal " + std::to_string(image_obj) +
                                         " 0 R >> >>",
                                     Bytes(draw.begin(), draw.end())));
  }

  const std::string signing_time = meta.signing_time.empty() ? pdf_date_now() : meta.signing_time;
  const std::string contents_placeholder = "<" + std::string(contents_capacity * 2, '0') + ">";
  std::string sig = "<< /Type /Sig /Filter " + meta.filter + " /SubFilter " + meta.sub_filter + " " +
                    std::string(kByteRangePlaceholder) + " /Contents " + contents_placeholder + " /M " +
                    text_string(signing_time);
  if (!meta.signer_name.empty()) sig += " /Name " + text_string(meta.signer_name);
  if (!meta.reason.empty()) sig += " /Reason " + text_string(meta.reason);
  sig += " >>";
  update.put(sig_obj, 0, sig);
  update.put(widget_obj, 0,
             "<< /Type /Annot /Subtype /Widget /FT /Sig /T " + text_string(field) + " /V " +
                 std::to_string(sig_obj) + " 0 R /Rect [" +
                 (visible ? number(x1) + " " + number(y1) + " " + number(x2) + " " + number(y2) : std::string("0 0 0 0")) +
                 "] /F 132 /P " + detail::reference(page) +
                 (visible ? " /AP << /N " + std::to_string(appearance_obj) + " 0 R >>" : std::string()) + " >>");

  // The page gains the widget; the form gains the field.
  const std::string widget_ref = std::to_string(widget_obj) + " 0 R";
  update.put(page.getObjGen().getObj(), page.getObjGen().getGen(),
             detail::rewrite_dictionary(page, {"/Annots"},
                                        " /Annots [ " + detail::array_items(page.getKey("/Annots")) + widget_ref + " ]"));
  const std::string fields = "/Fields [ " +
                             (acroform.isDictionary() ? detail::array_items(acroform.getKey("/Fields")) : "") +
                             widget_ref + " ] /SigFlags 3";
  if (acroform.isDictionary() && acroform.isIndirect()) {
    update.put(acroform.getObjGen().getObj(), acroform.getObjGen().getGen(),
               detail::rewrite_dictionary(acroform, {"/Fields", "/SigFlags"}, " " + fields));
  } else {
    const std::string form = acroform.isDictionary()
                                 ? detail::rewrite_dictionary(acroform, {"/Fields", "/SigFlags"}, " " + fields)
                                 : "<< " + fields + " >>";
    update.put(root.getObjGen().getObj(), root.getObjGen().getGen(),
               detail::rewrite_dictionary(root, {"/AcroForm"}, " /AcroForm " + form));
  }

  PreparedSignature out;
  out.pdf = update.write(detail::trailer_entries(q));
  out.field_name = field;

  // Find the placeholders in the sig object we wrote (last occurrence: the update is at the end).
  const std::string marker = std::string(kByteRangePlaceholder) + " /Contents <";
  auto it = std::find_end(out.pdf.begin(), out.pdf.end(), marker.begin(), marker.end());
  if (it == out.pdf.end()) throw PdfError("malformed_pdf", "internal error: placeholder not written");
  const std::size_t range_at = static_cast<std::size_t>(it - out.pdf.begin());
  const std::size_t lt = range_at + marker.size() - 1;  // offset of '<'
  const std::size_t gt = lt + 1 + contents_capacity * 2;  // offset of '>'
  out.contents_offset = lt + 1;
  out.contents_capacity = contents_capacity;
  out.byte_range = {0, lt, gt + 1, out.pdf.size() - (gt + 1)};
  char range[64];
  std::snprintf(range, sizeof range, "/ByteRange [0 %010zu %010zu %010zu]", out.byte_range[1], out.byte_range[2],
                out.byte_range[3]);
  std::copy(range, range + kByteRangePlaceholder.size(), out.pdf.begin() + static_cast<long>(range_at));

  Bytes covered(out.pdf.begin(), out.pdf.begin() + static_cast<long>(lt));
  covered.insert(covered.end(), out.pdf.begin() + static_cast<long>(gt + 1), out.pdf.end());
  out.digest = trust::sm3(covered);
  return out;
}

}  // namespace

Bytes complete_signature(const PreparedSignature& prepared, const Bytes& signature_der) {
  if (signature_der.size() > prepared.contents_capacity)
    throw PdfError("signature_too_large", "the signature (" + std::to_string(signature_der.size()) +
                                              " bytes) does not fit the " +
                                              std::to_string(prepared.contents_capacity) + " bytes reserved");
  Bytes out = prepared.pdf;
  static const char* const kHex = "0123456789ABCDEF";
  for (std::size_t i = 0; i < signature_der.size(); ++i) {
    out[prepared.contents_offset + 2 * i] = static_cast<std::uint8_t>(kHex[signature_der[i] >> 4]);
    out[prepared.contents_offset + 2 * i + 1] = static_cast<std::uint8_t>(kHex[signature_der[i] & 15]);
  }
  return out;
}

namespace {

// Every signature field with a value in an opened document; throws
// PdfError(malformed_pdf) for one whose dictionary cannot be verified.
std::vector<EmbeddedSignature> read_signatures(QPDF& q, const Bytes& pdf) {
  std::map<QPDFObjGen, int> page_of;
  int page_number = 0;
  for (QPDFObjectHandle page : q.getAllPages()) page_of[page.getObjGen()] = ++page_number;

  std::vector<EmbeddedSignature> out;
  try {
    for (QPDFObjectHandle o : q.getAllObjects()) {
      if (!o.isDictionary() || !o.getKey("/FT").isName() || o.getKey("/FT").getName() != "/Sig") continue;
      QPDFObjectHandle v = o.getKey("/V");
      if (!v.isDictionary()) continue;  // an empty signature field
      EmbeddedSignature s;
      s.field_name = o.getKey("/T").isString() ? o.getKey("/T").getUTF8Value() : "";
      s.filter = v.getKey("/Filter").isName() ? v.getKey("/Filter").getName() : "";
      s.sub_filter = v.getKey("/SubFilter").isName() ? v.getKey("/SubFilter").getName() : "";
      QPDFObjectHandle range = v.getKey("/ByteRange");
      if (!range.isArray() || range.getArrayNItems() != 4)
        throw PdfError("malformed_pdf", "signature " + s.field_name + " has no /ByteRange of four numbers");
      for (int i = 0; i < 4; ++i) {
        QPDFObjectHandle n = range.getArrayItem(i);
        if (!n.isInteger() || n.getIntValue() < 0)
          throw PdfError("malformed_pdf", "signature " + s.field_name + " has a bad /ByteRange");
        s.byte_range[static_cast<std::size_t>(i)] = static_cast<std::size_t>(n.getIntValue());
      }
      const auto& br = s.byte_range;
      if (br[0] != 0 || br[1] > br[2] || br[2] + br[3] > pdf.size())
        throw PdfError("malformed_pdf", "signature " + s.field_name + " has a /ByteRange outside the file");
      const std::string contents = v.getKey("/Contents").isString() ? v.getKey("/Contents").getStringValue() : "";
      s.contents.assign(contents.begin(), contents.end());
      s.vri_key = detail::sha1_upper_hex(s.contents);  // before the padding is cut off
      if (const std::size_t n = der_length(s.contents)) s.contents.resize(n);
      Bytes covered(pdf.begin(), pdf.begin() + static_cast<long>(br[1]));
      covered.insert(covered.end(), pdf.begin() + static_cast<long>(br[2]),
                     pdf.begin() + static_cast<long>(br[2] + br[3]));
      s.digest = trust::sm3(covered);
      s.signed_length = br[2] + br[3];
      s.covers_whole_file = s.signed_length == pdf.size();
      const QPDFObjectHandle p = o.getKey("/P");
      if (p.isIndirect() && page_of.count(p.getObjGen())) {
        s.page = page_of[p.getObjGen()];
        QPDFObjectHandle rect = o.getKey("/Rect");
        QPDFObjectHandle page_box = QPDFPageObjectHelper(p).getMediaBox();
        if (rect.isRectangle() && page_box.isRectangle()) {
          const auto r = rect.getArrayAsRectangle();
          const Box box = media_box(p);
          const double llx = std::min(r.llx, r.urx), urx = std::max(r.llx, r.urx);
          const double lly = std::min(r.lly, r.ury), ury = std::max(r.lly, r.ury);
          s.area_mm = {(llx - box.llx) / kPointsPerMm, (box.ury - ury) / kPointsPerMm, (urx - llx) / kPointsPerMm,
                       (ury - lly) / kPointsPerMm};
        }
      }
      out.push_back(std::move(s));
    }
  } catch (const QPDFExc& e) {
    throw PdfError("malformed_pdf", std::string("not a sound PDF: ") + e.what());
  }
  std::sort(out.begin(), out.end(),
            [](const EmbeddedSignature& a, const EmbeddedSignature& b) { return a.signed_length < b.signed_length; });
  return out;
}

}  // namespace

std::vector<EmbeddedSignature> find_signatures(const Bytes& pdf) {
  return qpdf_guarded([&] {
    const auto doc = detail::open_document(pdf);
    return read_signatures(*doc->qpdf, pdf);
  });
}

std::vector<Placement> occupied_areas(const Bytes& pdf) {
  std::vector<Placement> out;
  for (const auto& s : find_signatures(pdf))
    if (s.page > 0 && s.area_mm[2] > 0 && s.area_mm[3] > 0)
      out.push_back({s.page, s.area_mm[0], s.area_mm[1], s.area_mm[2], s.area_mm[3]});
  return out;
}

std::vector<std::size_t> revision_ends(const Bytes& pdf) {
  static const std::string marker = "%%EOF";
  std::vector<std::size_t> ends;
  auto it = pdf.begin();
  while ((it = std::search(it, pdf.end(), marker.begin(), marker.end())) != pdf.end()) {
    const std::size_t at = static_cast<std::size_t>(it - pdf.begin());
    std::size_t end = at + marker.size();
    it += static_cast<long>(marker.size());
    if (at != 0 && pdf[at - 1] != '\n' && pdf[at - 1] != '\r') continue;  // not at a line start
    if (end < pdf.size() && pdf[end] == '\r') ++end;
    if (end < pdf.size() && pdf[end] == '\n') ++end;
    ends.push_back(end);
  }
  return ends;
}

std::vector<std::size_t> unsigned_revisions_after(const Bytes& pdf, const std::vector<EmbeddedSignature>& signatures,
                                                  std::size_t signed_length) {
  std::vector<std::size_t> out;
  const auto all = revision_ends(pdf);
  std::size_t previous = 0;
  for (const std::size_t end : all) {
    const std::size_t from = previous;
    previous = end;
    if (end <= signed_length) continue;
    const bool a_signature = std::any_of(signatures.begin(), signatures.end(),
                                         [end](const EmbeddedSignature& s) { return s.signed_length == end; });
    // A revision that only adds validation data (a /DSS update, ETSI EN 319
    // 142-1 §5.4.2) is allowed after a signature; it is checked object by
    // object, so one that also touches a page is still a change.
    if (!a_signature && !validation_data_only(pdf, from, end)) out.push_back(end);
  }
  // Bytes after the last marker (an update without %%EOF) are a change too.
  const std::size_t last = all.empty() ? 0 : all.back();
  if (last < pdf.size() && pdf.size() > signed_length) out.push_back(pdf.size());
  return out;
}

}  // namespace zhaoyin::pdf
