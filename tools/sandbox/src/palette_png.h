#pragma once
// PNG encoding of a one-colour image (a seal impression) as a palette PNG.
#include <cairo.h>
#include <cstdint>
#include <vector>

namespace zhaoyin::sandbox {

// Encodes an ARGB32 cairo image surface whose every pixel is the colour
// (red, green, blue in 0..1) at some opacity, keeping only the opacity, as an
// 8-bit palette PNG of that colour at 32 opacities. Throws ImpressionError.
std::vector<std::uint8_t> encode_palette_png(cairo_surface_t* surface, double red, double green, double blue);

}  // namespace zhaoyin::sandbox
