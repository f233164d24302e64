#include "qr_image.h"

#include <png.h>
#include <stdexcept>
#include <vector>
#include <zbar.h>

namespace zhaoyin::wallet {

namespace {

struct GreyImage {
  unsigned width = 0, height = 0;
  std::vector<unsigned char> pixels;
};

GreyImage read_grey_png(const std::filesystem::path& file) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, file.c_str()))
    throw std::runtime_error("cannot read " + file.string() + " as a PNG image: " + image.message);
  image.format = PNG_FORMAT_GRAY;
  GreyImage out;
  out.width = image.width;
  out.height = image.height;
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  // Transparent pixels are composed onto white, as a camera sees a printed code.
  png_color white{255, 255, 255};
  if (!png_image_finish_read(&image, &white, out.pixels.data(), 0, nullptr)) {
    const std::string message = image.message;
    png_image_free(&image);
    throw std::runtime_error("cannot decode the PNG image " + file.string() + ": " + message);
  }
  return out;
}

}  // namespace

std::string decode_qr_png(const std::filesystem::path& file) {
  const GreyImage grey = read_grey_png(file);
  zbar::zbar_image_scanner_t* scanner = zbar::zbar_image_scanner_create();
  zbar::zbar_image_scanner_set_config(scanner, zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
  zbar::zbar_image_scanner_set_config(scanner, zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
  zbar::zbar_image_t* image = zbar::zbar_image_create();
  zbar::zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
  zbar::zbar_image_set_size(image, grey.width, grey.height);
  zbar::zbar_image_set_data(image, grey.pixels.data(), grey.pixels.size(), nullptr);
  const int found = zbar::zbar_scan_image(scanner, image);
  std::string text;
  bool have = false;
  if (found > 0) {
    for (const zbar::zbar_symbol_t* sym = zbar::zbar_image_first_symbol(image); sym; sym = zbar::zbar_symbol_next(sym)) {
      if (zbar::zbar_symbol_get_type(sym) != zbar::ZBAR_QRCODE) continue;
      text.assign(zbar::zbar_symbol_get_data(sym), zbar::zbar_symbol_get_data_length(sym));
      have = true;
      break;
    }
  }
  zbar::zbar_image_destroy(image);
  zbar::zbar_image_scanner_destroy(scanner);
  if (!have) throw std::runtime_error("no QR code found in " + file.string());
  return text;
}

}  // namespace zhaoyin::wallet
