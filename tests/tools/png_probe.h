#pragma once
// Reads a PNG back with cairo (an independent decoder from the one that made
// the palette PNG: libpng via cairo's reader) and looks at its pixels.
#include <cairo.h>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace zhaoyin::test {

struct Pixel {
  int r = 0, g = 0, b = 0, a = 0;  // straight (not premultiplied) 0..255
};

class PngProbe {
 public:
  explicit PngProbe(const std::vector<std::uint8_t>& png) : data_(png) {
    surface_ = cairo_image_surface_create_from_png_stream(&PngProbe::read, this);
  }
  ~PngProbe() { cairo_surface_destroy(surface_); }
  PngProbe(const PngProbe&) = delete;
  PngProbe& operator=(const PngProbe&) = delete;

  bool ok() const { return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_); }
  int height() const { return cairo_image_surface_get_height(surface_); }

  Pixel at(int x, int y) const {
    cairo_surface_flush(surface_);
    const unsigned char* row = cairo_image_surface_get_data(surface_) +
                               static_cast<std::ptrdiff_t>(y) * cairo_image_surface_get_stride(surface_);
    std::uint32_t argb = 0;
    std::memcpy(&argb, row + x * 4, sizeof argb);
    Pixel p;
    p.a = static_cast<int>(argb >> 24);
    if (p.a == 0) return p;
    // un-premultiply
    p.r = static_cast<int>(((argb >> 16) & 0xFF) * 255 / static_cast<unsigned>(p.a));
    p.g = static_cast<int>(((argb >> 8) & 0xFF) * 255 / static_cast<unsigned>(p.a));
    p.b = static_cast<int>((argb & 0xFF) * 255 / static_cast<unsigned>(p.a));
    return p;
  }

  static bool is_seal_red(const Pixel& p) { return p.a > 200 && p.r > 180 && p.g < 80 && p.b < 80; }

  int count_red() const {
    int n = 0;
    for (int y = 0; y < height(); ++y)
      for (int x = 0; x < width(); ++x) n += is_seal_red(at(x, y)) ? 1 : 0;
    return n;
  }

  // Every visible pixel is the seal's red (antialiasing only changes opacity).
  bool only_red_or_transparent() const {
    for (int y = 0; y < height(); ++y)
      for (int x = 0; x < width(); ++x) {
        const Pixel p = at(x, y);
        if (p.a > 64 && !(p.r > 150 && p.g < 100 && p.b < 100)) return false;
      }
    return true;
  }

 private:
  static cairo_status_t read(void* closure, unsigned char* out, unsigned int length) {
    auto* self = static_cast<PngProbe*>(closure);
    if (self->offset_ + length > self->data_.size()) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(out, self->data_.data() + self->offset_, length);
    self->offset_ += length;
    return CAIRO_STATUS_SUCCESS;
  }

  std::vector<std::uint8_t> data_;
  std::size_t offset_ = 0;
  cairo_surface_t* surface_ = nullptr;
};

}  // namespace zhaoyin::test
