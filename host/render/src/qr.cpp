#include <zhaoyin/render/qr.h>

#include <cerrno>
#include <memory>
#include <png.h>
#include <qrencode.h>

namespace zhaoyin::render {

namespace {

QRecLevel to_level(QrLevel l) {
  switch (l) {
    case QrLevel::L: return QR_ECLEVEL_L;
    case QrLevel::M: return QR_ECLEVEL_M;
    case QrLevel::Q: return QR_ECLEVEL_Q;
    case QrLevel::H: return QR_ECLEVEL_H;
  }
  return QR_ECLEVEL_M;
}

void append_png_data(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

}  // namespace

QrCode encode_qr(std::string_view text, QrLevel level) {
  if (text.empty()) throw std::invalid_argument("a QR code needs some text");
  const std::string data(text);
  // QRencode_encodeString8bit would force byte mode; encodeString with hint 8
  // and case-sensitivity lets libqrencode use the compact modes where it can.
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(data.c_str(), 0, to_level(level), QR_MODE_8, 1), &QRcode_free);
  if (!code) {
    if (errno == ERANGE) throw std::invalid_argument("the text is too long for a QR code");
    throw std::invalid_argument("the text cannot be encoded as a QR code");
  }
  QrCode qr;
  qr.version = code->version;
  qr.width = code->width;
  qr.dark.resize(static_cast<std::size_t>(code->width) * static_cast<std::size_t>(code->width));
  for (std::size_t i = 0; i < qr.dark.size(); ++i) qr.dark[i] = code->data[i] & 1;
  return qr;
}

std::string qr_png(const QrCode& qr, int scale, int margin) {
  if (scale < 1 || margin < 0) throw std::invalid_argument("scale must be positive and margin not negative");
  const int side = (qr.width + 2 * margin) * scale;
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) throw std::runtime_error("libpng: cannot create a writer");
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, info ? &info : nullptr);
    throw std::runtime_error("libpng: cannot write the QR image");
  }
  png_set_write_fn(png, &out, append_png_data, nullptr);
  png_set_IHDR(png, info, static_cast<png_uint_32>(side), static_cast<png_uint_32>(side), 8, PNG_COLOR_TYPE_GRAY,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  std::vector<png_byte> row(static_cast<std::size_t>(side));
  for (int y = 0; y < side; ++y) {
    const int my = y / scale - margin;
    for (int x = 0; x < side; ++x) {
      const int mx = x / scale - margin;
      const bool dark = mx >= 0 && my >= 0 && mx < qr.width && my < qr.width && qr.at(mx, my);
      row[static_cast<std::size_t>(x)] = dark ? 0 : 255;
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

std::string qr_svg(const QrCode& qr, int margin) {
  const int side = qr.width + 2 * margin;
  std::string path;
  for (int y = 0; y < qr.width; ++y) {
    for (int x = 0; x < qr.width;) {
      if (!qr.at(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < qr.width && qr.at(x + run, y)) ++run;  // one rectangle per horizontal run
      path += "M" + std::to_string(x + margin) + " " + std::to_string(y + margin) + "h" + std::to_string(run) +
              "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  const std::string s = std::to_string(side);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + s + " " + s +
         "\" width=\"" + std::to_string(side * 8) + "\" height=\"" + std::to_string(side * 8) +
         "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
         "<path fill=\"#000\" d=\"" + path + "\"/></svg>\n";
}

}  // namespace zhaoyin::render
