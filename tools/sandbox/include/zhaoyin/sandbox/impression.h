#pragma once
// Seal impressions (印模): the red images that a GB/T 38540 seal carries in its
// SES_ESPictrueInfo and that viewers stamp onto a document.
//
// Rendered with cairo and FreeType from a real CJK font (WenQuanYi Zen Hei by
// default), at a transparent background, as PNG:
//   - the round organisation seal: red ring, five-pointed star in the middle,
//     the enterprise name along the upper arc (each character rotated to follow
//     the arc), the seal type label horizontally below the star, optionally a
//     line of small text between star and label (the USCC on an invoice seal)
//     and the seal code along the bottom arc;
//   - the legal representative's square seal: red border, the name in columns
//     read right to left, with 印 added to two- and three-character names.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace zhaoyin::sandbox {

class ImpressionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RoundSealSpec {
  std::string arc_text;     // the enterprise name, along the upper arc
  std::string label;        // e.g. 合同专用章, horizontal below the star; may be empty
  std::string middle_text;  // optional small line above the label (e.g. the USCC)
  std::string code;         // optional seal code along the bottom arc
  double diameter_mm = 42;
};

struct SquareSealSpec {
  std::string name;         // the person's name, 2 to 4 characters usually
  bool add_yin = true;      // append 印 to two- and three-character names, as is customary
  double side_mm = 20;
};

struct ImpressionOptions {
  double dpi = 300;
  std::string font_file;    // empty: default_seal_font()
};

struct Impression {
  std::vector<std::uint8_t> png;
  int width_px = 0;
  int height_px = 0;
  double width_mm = 0;
  double height_mm = 0;
};

// The font file used when ImpressionOptions::font_file is empty: the
// environment variable ZHAOYIN_SEAL_FONT if set, else Debian's WQY Zen Hei.
std::string default_seal_font();

// Throw ImpressionError when the font cannot be loaded or the text is empty.
Impression render_round_seal(const RoundSealSpec& spec, const ImpressionOptions& options = {});
Impression render_square_seal(const SquareSealSpec& spec, const ImpressionOptions& options = {});

// The characters (UTF-8 code points) of a string, in order. Throws
// ImpressionError on invalid UTF-8.
std::vector<std::string> utf8_characters(const std::string& text);

}  // namespace zhaoyin::sandbox
