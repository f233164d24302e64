#pragma once
// A printable A4 copy of a verified electronic business license (电子营业执照
// 核验件): a PDF drawn with cairo whose Chinese text is real text (the
// WenQuanYi Zen Hei font is embedded as a subset), so it can be searched,
// copied and read by pdftotext.
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace zhaoyin::render {

class PdfError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LicenseCopy {
  using Rows = std::vector<std::pair<std::string, std::string>>;  // label, value (UTF-8)
  std::string title;       // e.g. 电子营业执照核验件
  std::string subtitle;    // e.g. Verified electronic business license copy
  std::string status_line; // shown under the title (e.g. 登记状态：存续)
  Rows face;               // the face fields, in license order
  Rows verification;       // verification time, relying party, holder, archive id, checks ...
  std::string qr_text;     // the public verification URL
  std::string qr_caption;  // printed under the QR code
  bool sandbox = false;    // "Sandbox" watermark and banner
  std::string footer;      // small print at the bottom
};

// The PDF bytes. Throws PdfError when the font cannot be loaded or cairo fails.
// The font is /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc unless the
// environment names another one in ZHAOYIN_PDF_FONT.
std::string license_copy_pdf(const LicenseCopy& copy);

}  // namespace zhaoyin::render
