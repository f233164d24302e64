#include "sample_contract.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <vector>

namespace zhaoyin::signing {

namespace {

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  auto* out = static_cast<Bytes*>(closure);
  out->insert(out->end(), data, data + length);
  return CAIRO_STATUS_SUCCESS;
}

constexpr double kPt = 72.0 / 25.4;  // points per millimetre

void line(cairo_t* cr, double x_mm, double y_mm, double size, const std::string& text) {
  cairo_set_font_size(cr, size);
  cairo_move_to(cr, x_mm * kPt, y_mm * kPt);
  cairo_show_text(cr, text.c_str());
}

}  // namespace

Bytes sample_contract_pdf(const std::string& party_a, const std::string& party_b) {
  Bytes out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(append, &out, 210 * kPt, 297 * kPt);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "技术服务合同（沙箱示例）");
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Zhaoyin sandbox demo");
  cairo_t* cr = cairo_create(surface);
  cairo_select_font_face(cr, "WenQuanYi Zen Hei", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_source_rgb(cr, 0, 0, 0);

  line(cr, 62, 30, 20, "技术服务合同");
  line(cr, 70, 38, 10, "Technical service contract (sandbox sample)");
  const std::vector<std::string> clauses = {
      "甲方（委托方）：" + party_a,
      "乙方（受托方）：" + party_b,
      "",
      "第一条  服务内容：乙方为甲方提供电子营业执照接入与电子签章技术服务。",
      "第二条  服务期限：自本合同签订之日起一年。",
      "第三条  服务费用：人民币壹拾万元整（¥100,000.00），分两期支付。",
      "第四条  保密义务：双方对在合作中知悉的对方商业秘密负有保密义务。",
      "第五条  违约责任：任何一方违反本合同约定的，应赔偿对方因此遭受的损失。",
      "第六条  争议解决：因本合同引起的争议，双方协商解决；协商不成的，",
      "        提交甲方所在地人民法院诉讼解决。",
      "第七条  本合同以电子形式订立，经双方加盖电子印章后生效，",
      "        与纸质合同具有同等法律效力。",
      "",
      "（本合同为 Zhaoyin 沙箱演示文件，不具有法律效力。 Sandbox sample, not a real contract.）",
  };
  double y = 56;
  for (const auto& c : clauses) {
    if (!c.empty()) line(cr, 22, y, 11, c);
    y += 9;
  }
  line(cr, 95, 285, 9, "第 1 页 共 2 页");
  cairo_show_page(cr);

  line(cr, 22, 30, 14, "签章页 Signature page");
  line(cr, 22, 50, 11, "甲方（盖章）：" + party_a);
  line(cr, 22, 60, 11, "日期：");
  line(cr, 22, 160, 11, "乙方（盖章）：" + party_b);
  line(cr, 22, 170, 11, "日期：");
  line(cr, 95, 285, 9, "第 2 页 共 2 页");
  cairo_show_page(cr);

  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return out;
}

}  // namespace zhaoyin::signing
