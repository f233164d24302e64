// Drawing the printed pages (pdf_document.h).
#include "pdf_document.h"

#include <cairo-ft.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <cstdlib>
#include <ctime>
#include <mutex>
#include <stdexcept>

namespace zhaoyin::access::pdf {

namespace {
constexpr const char* kDefaultFont = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";
}  // namespace

// The face is loaded once and kept for the process (cairo-ft locks it while rendering).
cairo_font_face_t* font_face() {
  static std::once_flag once;
  static cairo_font_face_t* face = nullptr;
  static std::string failure;
  std::call_once(once, [] {
    const char* env = std::getenv("ZHAOYIN_PDF_FONT");
    const std::string file = env && *env ? env : kDefaultFont;
    FT_Library library = nullptr;
    FT_Face ft = nullptr;
    if (FT_Init_FreeType(&library) != 0) failure = "cannot initialise FreeType";
    else if (FT_New_Face(library, file.c_str(), 0, &ft) != 0)
      failure = "cannot load the PDF font " + file + " (install fonts-wqy-zenhei or set ZHAOYIN_PDF_FONT)";
    else face = cairo_ft_font_face_create_for_ft_face(ft, 0);
  });
  if (!face) throw std::runtime_error(failure);
  return face;
}

std::vector<std::string> code_points(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    n = std::min(n, text.size() - i);
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

// China Standard Time (UTC+8, no daylight saving), as reviewers read it.
std::string beijing_time(TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", &tm);
  return buffer;
}

void draw_row(Document& d, const std::vector<double>& widths, const std::vector<std::string>& cells, bool header,
              const std::vector<bool>& shaded, const std::vector<std::string>* repeat) {
  d.font_size(header ? 10 : 9.5);
  std::vector<std::vector<std::string>> lines;
  std::size_t most = 1;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    lines.push_back(d.wrap(cells[i].empty() ? "—" : cells[i], widths[i] - 2 * kCellPadding));
    most = std::max(most, lines.back().size());
  }
  // A short row moves to the next page whole; a long one fills what is left
  // of this page and continues on the next (no half-empty pages).
  constexpr std::size_t kKeepTogether = 6;
  for (std::size_t first = 0; first < most;) {
    const double room = kBottom - d.y - 2 * kCellPadding;
    const auto fit = room > 0 ? static_cast<std::size_t>(room / kLineHeight) : 0;
    const auto left = most - first;
    if (fit < left && (left <= kKeepTogether || fit < 2)) {
      d.new_page();
      if (repeat) {
        draw_row(d, widths, *repeat, true);
        d.font_size(header ? 10 : 9.5);
      }
      continue;
    }
    const auto count = std::min(fit, left);
    const double height = static_cast<double>(count) * kLineHeight + 2 * kCellPadding;
    double x = kMargin;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const bool shade = header || (i < shaded.size() && shaded[i]);
      if (shade) {
        d.colour(0.95, 0.93, 0.90);
        d.rectangle(x, d.y, widths[i], height, true);
      }
      d.colour(0.55, 0.55, 0.55);
      d.rectangle(x, d.y, widths[i], height, false);
      d.colour(0.1, 0.1, 0.1);
      for (std::size_t l = first; l < std::min(first + count, lines[i].size()); ++l)
        d.text(x + kCellPadding, d.y + kCellPadding + 10.5 + static_cast<double>(l - first) * kLineHeight, lines[i][l]);
      x += widths[i];
    }
    d.y += height;
    first += count;
  }
}

void draw_heading(Document& d, const std::string& heading) {
  d.ensure(48);
  d.y += 16;
  d.font_size(12);
  d.colour(0.55, 0.05, 0.05);
  d.text(kMargin, d.y, heading);
  d.y += 6;
}

}  // namespace zhaoyin::access::pdf
