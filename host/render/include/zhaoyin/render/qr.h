#pragma once
// QR codes (ISO/IEC 18004) from libqrencode, as PNG or SVG images.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace zhaoyin::render {

enum class QrLevel { L, M, Q, H };

struct QrCode {
  int version = 0;               // 1..40
  int width = 0;                 // modules per side
  std::vector<std::uint8_t> dark;  // width*width, row-major, 1 = dark module
  bool at(int x, int y) const { return dark[static_cast<std::size_t>(y * width + x)] != 0; }
};

// Smallest symbol that holds `text` at `level` (libqrencode picks numeric,
// alphanumeric or byte mode per segment). Throws std::invalid_argument when
// the text is empty or too long for any version.
QrCode encode_qr(std::string_view text, QrLevel level = QrLevel::M);

// A greyscale PNG: `scale` pixels per module, `margin` modules of quiet zone (4 by the standard).
std::string qr_png(const QrCode& qr, int scale = 8, int margin = 4);
// An SVG with one path, viewBox in modules, crisp edges.
std::string qr_svg(const QrCode& qr, int margin = 4);

}  // namespace zhaoyin::render
