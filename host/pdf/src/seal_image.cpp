#include "seal_image.h"

#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <png.h>
#include <zlib.h>

namespace zhaoyin::pdf::detail {

namespace {

struct Reader {
  const Bytes* data;
  std::size_t offset = 0;
};

void read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* r = static_cast<Reader*>(png_get_io_ptr(png));
  if (r->data->size() - r->offset < length) png_error(png, "truncated PNG");
  std::memcpy(out, r->data->data() + r->offset, length);
  r->offset += length;
}

}  // namespace

Bytes flate(const Bytes& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  Bytes out(size);
  if (compress2(out.data(), &size, data.data(), static_cast<uLong>(data.size()), Z_BEST_COMPRESSION) != Z_OK)
    throw PdfError("invalid_argument", "cannot compress the seal image");
  out.resize(size);
  return out;
}

ImageStreams decode_seal_image(const Bytes& png_bytes) {
  if (png_bytes.size() < 8 || png_sig_cmp(png_bytes.data(), 0, 8) != 0)
    throw PdfError("invalid_argument", "the seal image is not a PNG");
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    throw PdfError("invalid_argument", "cannot read the seal image");
  }
  Reader reader{&png_bytes};
  Bytes rgba;
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    throw PdfError("invalid_argument", "the seal image is not a readable PNG");
  }
  png_set_read_fn(png, &reader, read_from_memory);
  png_read_info(png, info);
  width = png_get_image_width(png, info);
  height = png_get_image_height(png, info);
  if (width == 0 || height == 0 || width > 8192 || height > 8192) png_error(png, "unreasonable image size");
  // Normalise every PNG kind to 8-bit RGBA.
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_gray_to_rgb(png);
  png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
  png_read_update_info(png, info);
  rgba.resize(static_cast<std::size_t>(width) * height * 4);
  std::vector<png_bytep> rows(height);
  for (png_uint_32 y = 0; y < height; ++y) rows[y] = rgba.data() + static_cast<std::size_t>(y) * width * 4;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);

  Bytes rgb;
  Bytes alpha;
  rgb.reserve(static_cast<std::size_t>(width) * height * 3);
  alpha.reserve(static_cast<std::size_t>(width) * height);
  for (std::size_t i = 0; i < rgba.size(); i += 4) {
    rgb.insert(rgb.end(), rgba.begin() + static_cast<long>(i), rgba.begin() + static_cast<long>(i) + 3);
    alpha.push_back(rgba[i + 3]);
  }
  return ImageStreams{static_cast<int>(width), static_cast<int>(height), flate(rgb), flate(alpha)};
}

// A seal's impression is the same picture on every document it stamps, and
// decoding plus best-ratio compression costs tens of milliseconds: remember the
// streams of the last few pictures, keyed by the PNG bytes themselves (exact
// match, no digest to collide).
ImageStreams seal_image_streams(const Bytes& png_bytes) {
  static std::mutex mutex;
  static std::unordered_map<std::string, ImageStreams> remembered;
  constexpr std::size_t kMaxRemembered = 64;
  std::string key(png_bytes.begin(), png_bytes.end());
  {
    std::lock_guard lock(mutex);
    if (const auto it = remembered.find(key); it != remembered.end()) return it->second;
  }
  ImageStreams streams = decode_seal_image(png_bytes);  // throws for a bad PNG: nothing remembered
  std::lock_guard lock(mutex);
  if (remembered.size() >= kMaxRemembered) remembered.clear();
  remembered.emplace(std::move(key), streams);
  return streams;
}

}  // namespace zhaoyin::pdf::detail
