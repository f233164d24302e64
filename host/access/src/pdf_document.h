#pragma once
// The printed pages of host/access (the application form, the 附件2 register):
// cairo's PDF surface with the WQY Zen Hei face embedded, so the text stays
// text (searchable, copyable) in every viewer; A4, tables that wrap and
// continue across pages. Internal to host/access.
#include <cairo-pdf.h>
#include <cairo.h>

#include <string>
#include <vector>
#include <zhaoyin/access/access_application.h>

namespace zhaoyin::access::pdf {

inline constexpr double kPageWidth = 595.28;  // A4 in points
inline constexpr double kPageHeight = 841.89;
inline constexpr double kMargin = 48;
inline constexpr double kContentWidth = kPageWidth - 2 * kMargin;
inline constexpr double kBottom = kPageHeight - 56;
inline constexpr double kLineHeight = 14;
inline constexpr double kCellPadding = 5;


// The embedded face (ZHAOYIN_PDF_FONT or WQY Zen Hei), loaded once per process.
cairo_font_face_t* font_face();
// UTF-8 text split into code points (each as its bytes).
std::vector<std::string> code_points(const std::string& text);
// "2026-11-23 19:05" in China Standard Time (UTC+8, no daylight saving), as reviewers read it.
std::string beijing_time(TimePoint t);

class Document {
 public:
  explicit Document(const std::string& title) {
    surface_ = cairo_pdf_surface_create_for_stream(&Document::append, &bytes_, kPageWidth, kPageHeight);
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "Zhaoyin 照印");
    cr_ = cairo_create(surface_);
    cairo_set_font_face(cr_, font_face());
  }
  ~Document() {
    if (cr_) cairo_destroy(cr_);
    if (surface_) cairo_surface_destroy(surface_);
  }
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  double y = kMargin;
  std::string footer;    // printed at the bottom of every page with its number
  bool sandbox = false;  // banner and watermark on every page

  // Call once the first page is set up; new pages get the same.
  void start_page() {
    if (!sandbox) return;
    cairo_save(cr_);
    cairo_set_source_rgb(cr_, 0.75, 0.1, 0.1);
    cairo_rectangle(cr_, 0, 0, kPageWidth, 22);
    cairo_fill(cr_);
    cairo_set_source_rgb(cr_, 1, 1, 1);
    cairo_set_font_size(cr_, 10);
    centred(15, "Sandbox 沙箱 · 演示环境，非正式接入 (not a real access application)");
    cairo_translate(cr_, kPageWidth / 2, kPageHeight / 2);
    cairo_rotate(cr_, -0.6);
    cairo_set_font_size(cr_, 72);
    cairo_set_source_rgba(cr_, 0.85, 0.1, 0.1, 0.07);
    const std::string mark = "SANDBOX 沙箱";
    text(-width_of(mark) / 2, 20, mark);
    cairo_restore(cr_);
  }

  void colour(double r, double g, double b) { cairo_set_source_rgb(cr_, r, g, b); }
  void font_size(double pt) { cairo_set_font_size(cr_, pt); }
  double width_of(const std::string& text) {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, text.c_str(), &e);
    return e.x_advance;
  }
  void text(double x, double baseline, const std::string& s) {
    cairo_move_to(cr_, x, baseline);
    cairo_show_text(cr_, s.c_str());
  }
  void centred(double baseline, const std::string& s) { text((kPageWidth - width_of(s)) / 2, baseline, s); }

  // Lines no wider than `width`, breaking between any two characters and at newlines.
  std::vector<std::string> wrap(const std::string& s, double width) {
    std::vector<std::string> lines(1);
    for (const auto& cp : code_points(s)) {
      if (cp == "\n") {
        lines.emplace_back();
        continue;
      }
      if (cp == "\r") continue;
      if (!lines.back().empty() && width_of(lines.back() + cp) > width) lines.emplace_back();
      lines.back() += cp;
    }
    return lines;
  }

  void rectangle(double x, double top, double w, double h, bool fill) {
    cairo_set_line_width(cr_, 0.6);
    cairo_rectangle(cr_, x, top, w, h);
    if (fill) cairo_fill(cr_);
    else cairo_stroke(cr_);
  }

  // True if it started a new page because `needed` points did not fit.
  bool ensure(double needed) {
    if (y + needed <= kBottom) return false;
    new_page();
    return true;
  }
  void new_page() {
    draw_footer();
    cairo_show_page(cr_);
    ++page_;
    y = kMargin;
    start_page();
  }

  std::string finish() {
    draw_footer();
    cairo_destroy(cr_);
    cr_ = nullptr;
    cairo_surface_finish(surface_);
    const auto status = cairo_surface_status(surface_);
    if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("cairo: ") + cairo_status_to_string(status));
    return bytes_;
  }

 private:
  void draw_footer() {
    font_size(8.5);
    colour(0.45, 0.45, 0.45);
    const auto s = footer + "  第 " + std::to_string(page_) + " 页";
    text((kPageWidth - width_of(s)) / 2, kPageHeight - 30, s);
  }
  static cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  }
  std::string bytes_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  int page_ = 1;
};

// A table row: cells of given widths, each wrapped, the row as tall as its
// tallest cell. `repeat` (a table's header row) is drawn again at the top of
// any page the row continues on.
void draw_row(Document& d, const std::vector<double>& widths, const std::vector<std::string>& cells, bool header,
              const std::vector<bool>& shaded = {}, const std::vector<std::string>* repeat = nullptr);

// A section heading in the form's red, kept with what follows it.
void draw_heading(Document& d, const std::string& heading);

}  // namespace zhaoyin::access::pdf
