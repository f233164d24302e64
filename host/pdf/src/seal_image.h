#pragma once
// The seal impression as PDF image XObjects: the colour as DeviceRGB and the
// transparency as a DeviceGray soft mask, both Flate-compressed.
#include <string>
#include <zhaoyin/pdf/pdf_signing.h>

namespace zhaoyin::pdf::detail {

struct ImageStreams {
  int width = 0;
  int height = 0;
  Bytes rgb;    // Flate-compressed, 8 bits per component
  Bytes alpha;  // Flate-compressed, 8 bits
};

// Decodes any PNG libpng reads (palette, grey, RGB, with or without alpha).
// Throws PdfError(invalid_argument) for bytes that are not a PNG.
ImageStreams seal_image_streams(const Bytes& png);

// zlib (RFC 1950) compression, as /FlateDecode expects.
Bytes flate(const Bytes& data);

}  // namespace zhaoyin::pdf::detail
