#include <zhaoyin/render/license_pdf.h>

#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <cstdlib>
#include <memory>
#include <mutex>
#include <zhaoyin/render/qr.h>

namespace zhaoyin::render {

namespace {

constexpr const char* kDefaultFont = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";

// A4 in PDF points, and the page's layout grid.
constexpr double kPageWidth = 595.28;
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 50;
constexpr double kLabelWidth = 118;
constexpr double kBottomLimit = kPageHeight - 70;

// One FreeType face for the process, as a cairo font face (cairo-ft locks the
// FT_Face itself while it renders, so sharing it between PDFs is safe).
cairo_font_face_t* chinese_font() {
  static std::once_flag once;
  static cairo_font_face_t* face = nullptr;
  static std::string failure;
  std::call_once(once, [] {
    const char* env = std::getenv("ZHAOYIN_PDF_FONT");
    const std::string file = env && *env ? env : kDefaultFont;
    FT_Library library = nullptr;
    if (FT_Init_FreeType(&library) != 0) {
      failure = "cannot initialise FreeType";
      return;
    }
    FT_Face ft = nullptr;
    if (FT_New_Face(library, file.c_str(), 0, &ft) != 0) {
      failure = "cannot load the PDF font " + file + " (install fonts-wqy-zenhei or set ZHAOYIN_PDF_FONT)";
      return;
    }
    // Kept for the process lifetime: the face backs every PDF this host prints.
    face = cairo_ft_font_face_create_for_ft_face(ft, 0);
  });
  if (!face) throw PdfError(failure);
  return face;
}

// Splits UTF-8 text into code points (as strings), so lines can break between
// any two Chinese characters.
std::vector<std::string> code_points(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + n > text.size()) n = text.size() - i;
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

class PdfWriter {
 public:
  PdfWriter() {
    surface_ = cairo_pdf_surface_create_for_stream(&PdfWriter::append, &bytes_, kPageWidth, kPageHeight);
    cr_ = cairo_create(surface_);
    cairo_set_font_face(cr_, chinese_font());
  }
  ~PdfWriter() {
    if (cr_) cairo_destroy(cr_);
    if (surface_) cairo_surface_destroy(surface_);
  }
  PdfWriter(const PdfWriter&) = delete;
  PdfWriter& operator=(const PdfWriter&) = delete;

  cairo_t* cr() { return cr_; }
  double y = kMargin;

  void colour(double r, double g, double b) { cairo_set_source_rgb(cr_, r, g, b); }
  void size(double pt) { cairo_set_font_size(cr_, pt); }
  double width_of(const std::string& text) {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, text.c_str(), &e);
    return e.x_advance;
  }
  void text_at(double x, double baseline, const std::string& text) {
    cairo_move_to(cr_, x, baseline);
    cairo_show_text(cr_, text.c_str());
  }
  void centred(double baseline, const std::string& text) {
    text_at((kPageWidth - width_of(text)) / 2, baseline, text);
  }
  // Lines of `text` no wider than `width` (breaks at any code point; keeps
  // explicit newlines).
  std::vector<std::string> wrap(const std::string& text, double width) {
    std::vector<std::string> lines(1);
    for (const auto& cp : code_points(text)) {
      if (cp == "\n") {
        lines.emplace_back();
        continue;
      }
      if (!lines.back().empty() && width_of(lines.back() + cp) > width) lines.emplace_back();
      lines.back() += cp;
    }
    return lines;
  }
  // Starts a new page when `needed` points do not fit on this one.
  void ensure(double needed) {
    if (y + needed <= kBottomLimit) return;
    cairo_show_page(cr_);
    y = kMargin;
  }
  void line(double x1, double y1, double x2, double y2, double width = 0.6) {
    cairo_set_line_width(cr_, width);
    cairo_move_to(cr_, x1, y1);
    cairo_line_to(cr_, x2, y2);
    cairo_stroke(cr_);
  }

  std::string finish() {
    cairo_destroy(cr_);
    cr_ = nullptr;
    cairo_surface_finish(surface_);
    const cairo_status_t status = cairo_surface_status(surface_);
    if (status != CAIRO_STATUS_SUCCESS) throw PdfError(std::string("cairo: ") + cairo_status_to_string(status));
    return bytes_;
  }

 private:
  static cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  }
  std::string bytes_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
};

void draw_watermark(PdfWriter& w) {
  cairo_t* cr = w.cr();
  cairo_save(cr);
  cairo_translate(cr, kPageWidth / 2, kPageHeight / 2);
  cairo_rotate(cr, -0.6);
  w.size(72);
  cairo_set_source_rgba(cr, 0.85, 0.1, 0.1, 0.08);
  const std::string text = "SANDBOX 沙箱";
  w.text_at(-w.width_of(text) / 2, 20, text);
  cairo_restore(cr);
}

void draw_header(PdfWriter& w, const LicenseCopy& copy) {
  if (copy.sandbox) {
    w.colour(0.75, 0.1, 0.1);
    cairo_rectangle(w.cr(), 0, 0, kPageWidth, 24);
    cairo_fill(w.cr());
    w.colour(1, 1, 1);
    w.size(10);
    w.centred(16, "Sandbox 沙箱 · 演示数据，非真实营业执照 (not a real license)");
  }
  w.y = 70;
  w.colour(0.55, 0.05, 0.05);
  w.size(22);
  w.centred(w.y, copy.title);
  w.y += 20;
  w.colour(0.35, 0.35, 0.35);
  w.size(10);
  w.centred(w.y, copy.subtitle);
  w.y += 18;
  if (!copy.status_line.empty()) {
    w.colour(0.1, 0.1, 0.1);
    w.size(11);
    w.centred(w.y, copy.status_line);
    w.y += 12;
  }
  w.colour(0.55, 0.05, 0.05);
  w.line(kMargin, w.y, kPageWidth - kMargin, w.y, 1.2);
  w.y += 8;
}

// A two-column table: label on the left, wrapped value on the right.
void draw_rows(PdfWriter& w, const std::string& heading, const LicenseCopy::Rows& rows, double right_edge) {
  w.ensure(40);
  w.y += 14;
  w.colour(0.55, 0.05, 0.05);
  w.size(12);
  w.text_at(kMargin, w.y, heading);
  w.y += 6;
  const double value_x = kMargin + kLabelWidth;
  const double value_width = right_edge - value_x - 6;
  for (const auto& [label, value] : rows) {
    w.size(10.5);
    const auto lines = w.wrap(value.empty() ? "—" : value, value_width);
    const double height = 8 + 15 * static_cast<double>(lines.size());
    w.ensure(height);
    double baseline = w.y + 16;
    w.colour(0.35, 0.35, 0.35);
    w.text_at(kMargin + 4, baseline, label);
    w.colour(0.05, 0.05, 0.05);
    for (const auto& l : lines) {
      w.text_at(value_x, baseline, l);
      baseline += 15;
    }
    w.y += height;
    w.colour(0.85, 0.85, 0.85);
    w.line(kMargin, w.y, right_edge, w.y, 0.5);
  }
}

void draw_qr(PdfWriter& w, const LicenseCopy& copy, double x, double top, double side) {
  const QrCode qr = encode_qr(copy.qr_text, QrLevel::M);
  const double quiet = 4;
  const double module = side / (qr.width + 2 * quiet);
  w.colour(1, 1, 1);
  cairo_rectangle(w.cr(), x, top, side, side);
  cairo_fill(w.cr());
  w.colour(0, 0, 0);
  for (int row = 0; row < qr.width; ++row)
    for (int col = 0; col < qr.width; ++col)
      if (qr.at(col, row))
        cairo_rectangle(w.cr(), x + (col + quiet) * module, top + (row + quiet) * module, module, module);
  cairo_fill(w.cr());
  w.colour(0.35, 0.35, 0.35);
  w.size(8.5);
  double baseline = top + side + 10;
  for (const auto& l : w.wrap(copy.qr_caption, side + 20)) {
    w.text_at(x + (side - w.width_of(l)) / 2, baseline, l);
    baseline += 11;
  }
}

}  // namespace

std::string license_copy_pdf(const LicenseCopy& copy) {
  PdfWriter w;
  if (copy.sandbox) draw_watermark(w);
  draw_header(w, copy);
  draw_rows(w, "照面信息 License face", copy.face, kPageWidth - kMargin);

  // Verification facts on the left, the QR code to the public page on the right.
  constexpr double kQrSide = 120;
  w.ensure(kQrSide + 60);
  const double qr_top = w.y + 26;
  draw_rows(w, "核验信息 Verification", copy.verification, kPageWidth - kMargin - kQrSide - 16);
  if (!copy.qr_text.empty()) draw_qr(w, copy, kPageWidth - kMargin - kQrSide, qr_top, kQrSide);

  w.colour(0.4, 0.4, 0.4);
  w.size(8);
  double baseline = kPageHeight - 40;
  for (const auto& l : w.wrap(copy.footer, kPageWidth - 2 * kMargin)) {
    w.text_at(kMargin, baseline, l);
    baseline += 10;
  }
  return w.finish();
}

}  // namespace zhaoyin::render
