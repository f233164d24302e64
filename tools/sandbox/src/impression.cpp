// Seal impressions drawn with cairo from a FreeType face.
//
// All drawing happens in millimetres: the context is scaled by pixels-per-mm
// once, so the geometry below reads like the seal standards (a 42 mm seal has a
// 1.2 mm ring and a 14 mm star) whatever the output resolution.
//
// Characters are placed from the metrics of one reference glyph (国) rather
// than from their own ink, so that narrow ink (一, 二) or full-width brackets
// keep their place in the em box the way a seal engraver lays them out.
#include <zhaoyin/sandbox/impression.h>
#include "palette_png.h"

#include <cairo-ft.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <numbers>

namespace zhaoyin::sandbox {

namespace {

constexpr double kPi = std::numbers::pi;
constexpr const char* kDebianWqyZenHei = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";

// Seal red (印泥红), fully opaque on a transparent background.
constexpr double kRed[3] = {0.86, 0.02, 0.08};

// ---- FreeType face as a cairo font face ----------------------------------

FT_Library freetype_library() {
  static std::once_flag once;
  static FT_Library library = nullptr;
  std::call_once(once, [] {
    if (FT_Init_FreeType(&library) != 0) library = nullptr;
  });
  if (!library) throw ImpressionError("cannot initialise FreeType");
  return library;
}

// Owns a cairo font face made from the first face of a font file. The FT_Face
// is released by cairo when the font face dies (through its user data), as
// cairo-ft requires the FT_Face to outlive every use of the cairo face.
class SealFont {
 public:
  explicit SealFont(const std::string& file) {
    static std::mutex freetype_mutex;  // FT_New_Face on one library is not thread-safe
    FT_Face face = nullptr;
    {
      std::lock_guard<std::mutex> lock(freetype_mutex);
      if (FT_New_Face(freetype_library(), file.c_str(), 0, &face) != 0) {
        throw ImpressionError("cannot load the seal font " + file +
                              " (install fonts-wqy-zenhei or set ZHAOYIN_SEAL_FONT)");
      }
    }
    face_ = cairo_ft_font_face_create_for_ft_face(face, 0);
    static cairo_user_data_key_t ft_face_key;
    const cairo_status_t status = cairo_font_face_set_user_data(
        face_, &ft_face_key, face, [](void* p) { FT_Done_Face(static_cast<FT_Face>(p)); });
    if (status != CAIRO_STATUS_SUCCESS) {
      cairo_font_face_destroy(face_);
      FT_Done_Face(face);
      throw ImpressionError("cannot create a cairo font face for " + file);
    }
  }
  ~SealFont() { cairo_font_face_destroy(face_); }
  SealFont(const SealFont&) = delete;
  SealFont& operator=(const SealFont&) = delete;
  cairo_font_face_t* face() const { return face_; }

 private:
  cairo_font_face_t* face_ = nullptr;
};

// ---- the drawing surface ---------------------------------------------------

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};

// A transparent ARGB canvas whose user space is millimetres.
class Canvas {
 public:
  Canvas(double width_mm, double height_mm, double dpi, const SealFont& font)
      : width_mm_(width_mm), height_mm_(height_mm) {
    if (!(width_mm > 0) || !(height_mm > 0) || !(dpi > 0)) {
      throw ImpressionError("seal size and resolution must be positive");
    }
    width_px_ = static_cast<int>(std::lround(width_mm / 25.4 * dpi));
    height_px_ = static_cast<int>(std::lround(height_mm / 25.4 * dpi));
    surface_.reset(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width_px_, height_px_));
    cr_.reset(cairo_create(surface_.get()));
    if (cairo_status(cr_.get()) != CAIRO_STATUS_SUCCESS) throw ImpressionError("cannot create a cairo surface");
    cairo_scale(cr_.get(), width_px_ / width_mm, height_px_ / height_mm);
    cairo_set_source_rgba(cr_.get(), kRed[0], kRed[1], kRed[2], 1.0);
    cairo_set_font_face(cr_.get(), font.face());
    cairo_set_font_size(cr_.get(), 1.0);  // glyphs are sized by the transform of each character
    // Rotated and stretched glyphs look wrong when hinted to the pixel grid.
    std::unique_ptr<cairo_font_options_t, decltype(&cairo_font_options_destroy)> options(
        cairo_font_options_create(), &cairo_font_options_destroy);
    cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
    cairo_set_font_options(cr_.get(), options.get());
    reference_ = extents("国");
    if (!(reference_.width > 0) || !(reference_.height > 0)) {
      throw ImpressionError("the seal font has no CJK glyphs");
    }
  }

  cairo_t* cr() const { return cr_.get(); }

  cairo_text_extents_t extents(const std::string& ch) const {
    cairo_text_extents_t e{};
    cairo_text_extents(cr_.get(), ch.c_str(), &e);
    return e;
  }

  // Draws one character whose em box is centred at (cx, cy), rotated by
  // `rotation` (radians, clockwise: the glyph's up points that way), with the
  // reference glyph's ink scaled to ink_width x ink_height millimetres.
  void draw_char(const std::string& ch, double cx, double cy, double rotation, double ink_width,
                 double ink_height) const {
    cairo_t* c = cr_.get();
    cairo_save(c);
    cairo_translate(c, cx, cy);
    cairo_rotate(c, rotation);
    cairo_scale(c, ink_width / reference_.width, ink_height / reference_.height);
    const cairo_text_extents_t e = extents(ch);
    cairo_move_to(c, -e.x_advance / 2, -(reference_.y_bearing + reference_.height / 2));
    cairo_text_path(c, ch.c_str());
    cairo_restore(c);  // the path survives; stroke it in plain millimetres
    // Engraved seal strokes are heavier than a screen font: outline the glyph
    // in proportion to its size to thicken it.
    cairo_set_line_width(c, 0.035 * std::min(ink_width, ink_height));
    cairo_set_line_join(c, CAIRO_LINE_JOIN_ROUND);
    cairo_fill_preserve(c);
    cairo_stroke(c);
  }

  // Natural advance of a character, in millimetres, when the reference ink is
  // ink_height tall and not compressed.
  double advance_at(const std::string& ch, double ink_height) const {
    return extents(ch).x_advance * ink_height / reference_.height;
  }
  double reference_aspect() const { return reference_.width / reference_.height; }

  Impression finish() {
    cairo_surface_flush(surface_.get());
    if (cairo_status(cr_.get()) != CAIRO_STATUS_SUCCESS) {
      throw ImpressionError(std::string("cairo failed: ") + cairo_status_to_string(cairo_status(cr_.get())));
    }
    Impression out;
    out.png = encode_palette_png(surface_.get(), kRed[0], kRed[1], kRed[2]);
    out.width_px = width_px_;
    out.height_px = height_px_;
    out.width_mm = width_mm_;
    out.height_mm = height_mm_;
    return out;
  }

 private:
  double width_mm_;
  double height_mm_;
  int width_px_ = 0;
  int height_px_ = 0;
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface_;
  std::unique_ptr<cairo_t, ContextDeleter> cr_;
  cairo_text_extents_t reference_{};
};

// ---- pieces of the round seal ------------------------------------------------

void draw_star(cairo_t* cr, double cx, double cy, double outer_radius) {
  // Ten vertices alternating between the points and the inner corners; the
  // inner radius of a regular pentagram is outer × sin 18° / sin 126°.
  const double inner_radius = outer_radius * 0.381966;
  for (int k = 0; k < 10; ++k) {
    const double angle = -kPi / 2 + k * kPi / 5;
    const double r = (k % 2 == 0) ? outer_radius : inner_radius;
    const double x = cx + r * std::cos(angle);
    const double y = cy + r * std::sin(angle);
    if (k == 0) cairo_move_to(cr, x, y); else cairo_line_to(cr, x, y);
  }
  cairo_close_path(cr);
  cairo_fill(cr);
}

// A horizontal line of text centred on (cx, cy), compressed horizontally when
// its natural width exceeds max_width.
void draw_row(const Canvas& canvas, const std::vector<std::string>& chars, double cx, double cy,
              double ink_height, double max_width, double tracking) {
  if (chars.empty()) return;
  std::vector<double> advances;
  double total = 0;
  for (const auto& ch : chars) {
    advances.push_back(canvas.advance_at(ch, ink_height) * tracking);
    total += advances.back();
  }
  const double squeeze = total > max_width ? max_width / total : 1.0;
  const double ink_width = ink_height * canvas.reference_aspect() * squeeze;
  double x = cx - total * squeeze / 2;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const double w = advances[i] * squeeze;
    canvas.draw_char(chars[i], x + w / 2, cy, 0, ink_width, ink_height);
    x += w;
  }
}

// Text along the upper arc, centred on the top, each character's up pointing
// away from the centre; the span grows with the text up to max_span.
void draw_upper_arc(const Canvas& canvas, const std::vector<std::string>& chars, double cx, double cy,
                    double radius, double ink_height, double max_span, double max_step) {
  if (chars.empty()) return;
  const double n = static_cast<double>(chars.size());
  const double step = std::min(max_span / n, max_step);
  const double span = step * n;
  const double pitch = radius * step;  // arc length per character at the text's middle
  const double ink_width = std::min(ink_height * canvas.reference_aspect(), pitch * 0.88);
  for (std::size_t i = 0; i < chars.size(); ++i) {
    const double theta = -span / 2 + (static_cast<double>(i) + 0.5) * step;  // 0 = top, clockwise
    canvas.draw_char(chars[i], cx + radius * std::sin(theta), cy - radius * std::cos(theta), theta,
                     ink_width, ink_height);
  }
}

// Small text along the bottom arc, read left to right, each character's up
// pointing towards the centre (as the seal code is engraved).
void draw_lower_arc(const Canvas& canvas, const std::vector<std::string>& chars, double cx, double cy,
                    double radius, double ink_height) {
  if (chars.empty()) return;
  std::vector<double> advances;
  double total = 0;
  for (const auto& ch : chars) {
    advances.push_back(canvas.advance_at(ch, ink_height) * 1.1);
    total += advances.back();
  }
  const double span = total / radius;
  double run = 0;
  for (std::size_t i = 0; i < chars.size(); ++i) {
    // beta is measured clockwise from the top; the bottom is pi, and reading
    // left to right at the bottom means decreasing beta.
    const double beta = kPi + span / 2 - (run + advances[i] / 2) / radius;
    canvas.draw_char(chars[i], cx + radius * std::sin(beta), cy - radius * std::cos(beta), beta - kPi,
                     ink_height * canvas.reference_aspect() * 0.9, ink_height);
    run += advances[i];
  }
}

std::string font_file_of(const ImpressionOptions& options) {
  return options.font_file.empty() ? default_seal_font() : options.font_file;
}

}  // namespace

std::string default_seal_font() {
  if (const char* env = std::getenv("ZHAOYIN_SEAL_FONT"); env && *env) return env;
  return kDebianWqyZenHei;
}

std::vector<std::string> utf8_characters(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (lead < 0x80) length = 1;
    else if ((lead & 0xE0) == 0xC0) length = 2;
    else if ((lead & 0xF0) == 0xE0) length = 3;
    else if ((lead & 0xF8) == 0xF0) length = 4;
    else throw ImpressionError("invalid UTF-8 in seal text");
    if (i + length > text.size()) throw ImpressionError("truncated UTF-8 in seal text");
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
        throw ImpressionError("invalid UTF-8 in seal text");
      }
    }
    out.push_back(text.substr(i, length));
    i += length;
  }
  return out;
}

Impression render_round_seal(const RoundSealSpec& spec, const ImpressionOptions& options) {
  const auto name = utf8_characters(spec.arc_text);
  if (name.empty()) throw ImpressionError("a round seal needs the enterprise name");
  SealFont font(font_file_of(options));
  const double d = spec.diameter_mm;
  Canvas canvas(d, d, options.dpi, font);
  cairo_t* cr = canvas.cr();
  const double s = d / 42.0;  // the layout below is for the common 42 mm seal
  const double c = d / 2;

  // The ring: 1.2 mm wide, just inside the edge.
  const double ring_width = 1.2 * s;
  const double ring_radius = c - 0.25 * s - ring_width / 2;
  cairo_set_line_width(cr, ring_width);
  cairo_arc(cr, c, c, ring_radius, 0, 2 * kPi);
  cairo_stroke(cr);
  const double inside = ring_radius - ring_width / 2;

  // The name along the upper arc: tall characters, compressed sideways when long.
  const double name_height = 5.4 * s;
  draw_upper_arc(canvas, name, c, c, inside - 0.7 * s - name_height / 2, name_height,
                 240.0 * kPi / 180.0, 26.0 * kPi / 180.0);

  // The star, smaller and higher when a middle line needs the room below it.
  const bool has_middle = !spec.middle_text.empty();
  draw_star(cr, c, has_middle ? c - 1.6 * s : c, (has_middle ? 5.2 : 7.0) * s);
  if (has_middle) {
    draw_row(canvas, utf8_characters(spec.middle_text), c, c + 6.0 * s, 2.2 * s, 21.0 * s, 1.0);
  }
  if (!spec.label.empty()) {
    draw_row(canvas, utf8_characters(spec.label), c, c + 11.0 * s, 4.0 * s, 18.0 * s, 1.05);
  }
  if (!spec.code.empty()) {
    const double code_height = 1.8 * s;
    draw_lower_arc(canvas, utf8_characters(spec.code), c, c, inside - 0.6 * s - code_height / 2,
                   code_height);
  }
  return canvas.finish();
}

Impression render_square_seal(const SquareSealSpec& spec, const ImpressionOptions& options) {
  auto chars = utf8_characters(spec.name);
  if (chars.empty()) throw ImpressionError("a personal seal needs the name");
  if (spec.add_yin && (chars.size() == 2 || chars.size() == 3)) chars.push_back("印");
  SealFont font(font_file_of(options));
  const double side = spec.side_mm;
  Canvas canvas(side, side, options.dpi, font);
  cairo_t* cr = canvas.cr();
  const double s = side / 20.0;

  const double border = 1.0 * s;
  const double inset = 0.25 * s + border / 2;
  cairo_set_line_width(cr, border);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
  cairo_rectangle(cr, inset, inset, side - 2 * inset, side - 2 * inset);
  cairo_stroke(cr);

  // The text box inside the border, split into cells. Columns are read from
  // the right; with three characters the first one fills the right column.
  const double margin = inset + border / 2 + 0.7 * s;
  const double box = side - 2 * margin;
  struct Cell { double x, y, w, h; };
  std::vector<Cell> cells;
  const std::size_t n = chars.size();
  if (n == 1) {
    cells.push_back({margin, margin, box, box});
  } else if (n == 2) {
    cells.push_back({margin + box / 2, margin, box / 2, box});
    cells.push_back({margin, margin, box / 2, box});
  } else if (n == 3) {
    cells.push_back({margin + box / 2, margin, box / 2, box});
    cells.push_back({margin, margin, box / 2, box / 2});
    cells.push_back({margin, margin + box / 2, box / 2, box / 2});
  } else {
    // Two rows, as many columns as needed, right to left, top to bottom.
    const std::size_t columns = (n + 1) / 2;
    const double w = box / static_cast<double>(columns);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t column = i / 2;
      const double x = margin + box - static_cast<double>(column + 1) * w;
      cells.push_back({x, margin + static_cast<double>(i % 2) * box / 2, w, box / 2});
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Cell& cell = cells[i];
    canvas.draw_char(chars[i], cell.x + cell.w / 2, cell.y + cell.h / 2, 0, cell.w * 0.9, cell.h * 0.9);
  }
  return canvas.finish();
}

}  // namespace zhaoyin::sandbox
