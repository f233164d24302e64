#pragma once
// Reads the QR code in a PNG image (what a phone camera would see): libpng
// converts it to 8-bit greyscale, zbar finds and decodes the symbol.
#include <filesystem>
#include <string>

namespace zhaoyin::wallet {

// The text of the first QR code in the image. Throws std::runtime_error when
// the file is not a readable PNG or holds no QR code.
std::string decode_qr_png(const std::filesystem::path& file);

}  // namespace zhaoyin::wallet
