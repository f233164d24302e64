// Every pixel of a seal impression is the one seal red at some coverage, so
// the image is stored as a palette of that red at 32 opacities: about a
// quarter of the size of cairo's own RGBA PNG (wallets carry every seal of
// their enterprise). libpng's simplified API writes it, without setjmp.
#include "palette_png.h"

#include <png.h>

#include <cmath>
#include <cstring>
#include <string>
#include <zhaoyin/sandbox/impression.h>

namespace zhaoyin::sandbox {

namespace {

constexpr int kOpacityLevels = 32;

std::uint8_t channel(double value) { return static_cast<std::uint8_t>(std::lround(value * 255)); }

}  // namespace

std::vector<std::uint8_t> encode_palette_png(cairo_surface_t* surface, double red, double green, double blue) {
  cairo_surface_flush(surface);
  const int width = cairo_image_surface_get_width(surface);
  const int height = cairo_image_surface_get_height(surface);
  const int stride = cairo_image_surface_get_stride(surface);
  const unsigned char* data = cairo_image_surface_get_data(surface);
  if (!data || cairo_image_surface_get_format(surface) != CAIRO_FORMAT_ARGB32) {
    throw ImpressionError("internal error: the impression is not an ARGB32 image");
  }
  const auto level_of = [](unsigned alpha) {
    return static_cast<std::uint8_t>((alpha * (kOpacityLevels - 1) + 127) / 255);
  };

  std::vector<std::uint8_t> indices(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::uint32_t argb = 0;  // cairo ARGB32: native-endian 32-bit words, alpha on top
      std::memcpy(&argb, data + static_cast<std::ptrdiff_t>(y) * stride + x * 4, sizeof argb);
      indices[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)] =
          level_of(argb >> 24);
    }
  }
  std::vector<std::uint8_t> colormap;  // RGBA, straight alpha (libpng's 8-bit sRGB formats)
  for (int level = 0; level < kOpacityLevels; ++level) {
    colormap.push_back(channel(red));
    colormap.push_back(channel(green));
    colormap.push_back(channel(blue));
    colormap.push_back(static_cast<std::uint8_t>(level * 255 / (kOpacityLevels - 1)));
  }

  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_RGBA_COLORMAP;
  image.colormap_entries = kOpacityLevels;
  png_alloc_size_t size = 0;  // the first call measures, the second writes
  if (!png_image_write_to_memory(&image, nullptr, &size, 0, indices.data(), 0, colormap.data())) {
    throw ImpressionError(std::string("cannot encode the seal impression as PNG: ") + image.message);
  }
  std::vector<std::uint8_t> png(size);
  if (!png_image_write_to_memory(&image, png.data(), &size, 0, indices.data(), 0, colormap.data())) {
    throw ImpressionError(std::string("cannot encode the seal impression as PNG: ") + image.message);
  }
  png.resize(size);
  return png;
}

}  // namespace zhaoyin::sandbox
