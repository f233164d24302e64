// render_application_pdf(): the 电子营业执照应用接入信息表 as printed for the
// archive — every field with its Chinese label, then the review trail.
// cairo's PDF surface with the WQY Zen Hei face embedded, so the text stays
// text (searchable, copyable) in every viewer.
#include <cairo-ft.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <cstdlib>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <zhaoyin/access/access_service.h>
#include <zhaoyin/access/application_pdf.h>
#include <zhaoyin/access/form_labels.h>

namespace zhaoyin::access {

namespace {

constexpr const char* kDefaultFont = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc";
constexpr double kPageWidth = 595.28;  // A4 in points
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 48;
constexpr double kContentWidth = kPageWidth - 2 * kMargin;
constexpr double kBottom = kPageHeight - 56;
constexpr double kLineHeight = 14;
constexpr double kCellPadding = 5;

// The face is loaded once and kept for the process (cairo-ft locks it while rendering).
cairo_font_face_t* font_face() {
  static std::once_flag once;
  static cairo_font_face_t* face = nullptr;
  static std::string failure;
  std::call_once(once, [] {
    const char* env = std::getenv("ZHAOYIN_PDF_FONT");
    const std::string file = env && *env ? env : kDefaultFont;
    FT_Library library = nullptr;
    FT_Face ft = nullptr;
    if (FT_Init_FreeType(&library) != 0) failure = "cannot initialise FreeType";
    else if (FT_New_Face(library, file.c_str(), 0, &ft) != 0)
      failure = "cannot load the PDF font " + file + " (install fonts-wqy-zenhei or set ZHAOYIN_PDF_FONT)";
    else face = cairo_ft_font_face_create_for_ft_face(ft, 0);
  });
  if (!face) throw std::runtime_error(failure);
  return face;
}

std::vector<std::string> code_points(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    n = std::min(n, text.size() - i);
    out.push_back(text.substr(i, n));
    i += n;
  }
  return out;
}

// China Standard Time (UTC+8, no daylight saving), as reviewers read it.
std::string beijing_time(TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", &tm);
  return buffer;
}

class Document {
 public:
  Document() {
    surface_ = cairo_pdf_surface_create_for_stream(&Document::append, &bytes_, kPageWidth, kPageHeight);
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, "电子营业执照应用接入信息表");
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "Zhaoyin 照印");
    cr_ = cairo_create(surface_);
    cairo_set_font_face(cr_, font_face());
  }
  ~Document() {
    if (cr_) cairo_destroy(cr_);
    if (surface_) cairo_surface_destroy(surface_);
  }
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  double y = kMargin;
  std::string footer;    // printed at the bottom of every page with its number
  bool sandbox = false;  // banner and watermark on every page

  // Call once the first page is set up; new pages get the same.
  void start_page() {
    if (!sandbox) return;
    cairo_save(cr_);
    cairo_set_source_rgb(cr_, 0.75, 0.1, 0.1);
    cairo_rectangle(cr_, 0, 0, kPageWidth, 22);
    cairo_fill(cr_);
    cairo_set_source_rgb(cr_, 1, 1, 1);
    cairo_set_font_size(cr_, 10);
    centred(15, "Sandbox 沙箱 · 演示环境，非正式接入 (not a real access application)");
    cairo_translate(cr_, kPageWidth / 2, kPageHeight / 2);
    cairo_rotate(cr_, -0.6);
    cairo_set_font_size(cr_, 72);
    cairo_set_source_rgba(cr_, 0.85, 0.1, 0.1, 0.07);
    const std::string mark = "SANDBOX 沙箱";
    text(-width_of(mark) / 2, 20, mark);
    cairo_restore(cr_);
  }

  void colour(double r, double g, double b) { cairo_set_source_rgb(cr_, r, g, b); }
  void font_size(double pt) { cairo_set_font_size(cr_, pt); }
  double width_of(const std::string& text) {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, text.c_str(), &e);
    return e.x_advance;
  }
  void text(double x, double baseline, const std::string& s) {
    cairo_move_to(cr_, x, baseline);
    cairo_show_text(cr_, s.c_str());
  }
  void centred(double baseline, const std::string& s) { text((kPageWidth - width_of(s)) / 2, baseline, s); }

  // Lines no wider than `width`, breaking between any two characters and at newlines.
  std::vector<std::string> wrap(const std::string& s, double width) {
    std::vector<std::string> lines(1);
    for (const auto& cp : code_points(s)) {
      if (cp == "\n") {
        lines.emplace_back();
        continue;
      }
      if (cp == "\r") continue;
      if (!lines.back().empty() && width_of(lines.back() + cp) > width) lines.emplace_back();
      lines.back() += cp;
    }
    return lines;
  }

  void rectangle(double x, double top, double w, double h, bool fill) {
    cairo_set_line_width(cr_, 0.6);
    cairo_rectangle(cr_, x, top, w, h);
    if (fill) cairo_fill(cr_);
    else cairo_stroke(cr_);
  }

  // True if it started a new page because `needed` points did not fit.
  bool ensure(double needed) {
    if (y + needed <= kBottom) return false;
    new_page();
    return true;
  }
  void new_page() {
    draw_footer();
    cairo_show_page(cr_);
    ++page_;
    y = kMargin;
    start_page();
  }

  std::string finish() {
    draw_footer();
    cairo_destroy(cr_);
    cr_ = nullptr;
    cairo_surface_finish(surface_);
    const auto status = cairo_surface_status(surface_);
    if (status != CAIRO_STATUS_SUCCESS) throw std::runtime_error(std::string("cairo: ") + cairo_status_to_string(status));
    return bytes_;
  }

 private:
  void draw_footer() {
    font_size(8.5);
    colour(0.45, 0.45, 0.45);
    const auto s = footer + "  第 " + std::to_string(page_) + " 页";
    text((kPageWidth - width_of(s)) / 2, kPageHeight - 30, s);
  }
  static cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  }
  std::string bytes_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  int page_ = 1;
};

// A table row: cells of given widths, each wrapped, the row as tall as its
// tallest cell. `repeat` (a table's header row) is drawn again at the top of
// any page the row continues on.
void draw_row(Document& d, const std::vector<double>& widths, const std::vector<std::string>& cells, bool header,
              const std::vector<bool>& shaded = {}, const std::vector<std::string>* repeat = nullptr) {
  d.font_size(header ? 10 : 9.5);
  std::vector<std::vector<std::string>> lines;
  std::size_t most = 1;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    lines.push_back(d.wrap(cells[i].empty() ? "—" : cells[i], widths[i] - 2 * kCellPadding));
    most = std::max(most, lines.back().size());
  }
  // A short row moves to the next page whole; a long one fills what is left
  // of this page and continues on the next (no half-empty pages).
  constexpr std::size_t kKeepTogether = 6;
  for (std::size_t first = 0; first < most;) {
    const double room = kBottom - d.y - 2 * kCellPadding;
    const auto fit = room > 0 ? static_cast<std::size_t>(room / kLineHeight) : 0;
    const auto left = most - first;
    if (fit < left && (left <= kKeepTogether || fit < 2)) {
      d.new_page();
      if (repeat) {
        draw_row(d, widths, *repeat, true);
        d.font_size(header ? 10 : 9.5);
      }
      continue;
    }
    const auto count = std::min(fit, left);
    const double height = static_cast<double>(count) * kLineHeight + 2 * kCellPadding;
    double x = kMargin;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const bool shade = header || (i < shaded.size() && shaded[i]);
      if (shade) {
        d.colour(0.95, 0.93, 0.90);
        d.rectangle(x, d.y, widths[i], height, true);
      }
      d.colour(0.55, 0.55, 0.55);
      d.rectangle(x, d.y, widths[i], height, false);
      d.colour(0.1, 0.1, 0.1);
      for (std::size_t l = first; l < std::min(first + count, lines[i].size()); ++l)
        d.text(x + kCellPadding, d.y + kCellPadding + 10.5 + static_cast<double>(l - first) * kLineHeight, lines[i][l]);
      x += widths[i];
    }
    d.y += height;
    first += count;
  }
}

void draw_heading(Document& d, const std::string& heading) {
  d.ensure(48);
  d.y += 16;
  d.font_size(12);
  d.colour(0.55, 0.05, 0.05);
  d.text(kMargin, d.y, heading);
  d.y += 6;
}

std::string joined(const std::vector<std::string>& values, const std::string& field, const std::string& separator) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : separator) + (field.empty() ? v : value_label(field, v));
  return out;
}

using Rows = std::vector<std::pair<std::string, std::string>>;

void draw_fields(Document& d, const std::string& heading, const Rows& rows) {
  draw_heading(d, heading);
  const std::vector<double> widths = {130, kContentWidth - 130};
  for (const auto& [key, value] : rows) draw_row(d, widths, {labels().at(key), value}, false, {true, false});
}

}  // namespace

std::string render_application_pdf(const AccessApplication& a) { return render_application_pdf(a, PrintOptions{}); }

std::string render_application_pdf(const AccessApplication& a, const PrintOptions& options) {
  const auto& f = a.form;
  Document d;
  d.sandbox = options.sandbox;
  d.start_page();
  d.footer = "申请编号 " + a.id + " · 打印于 " + beijing_time(std::chrono::system_clock::now()) + "（北京时间）";

  d.y = 78;
  d.colour(0.55, 0.05, 0.05);
  d.font_size(20);
  d.centred(d.y, options.sandbox ? "电子营业执照应用接入信息表（沙箱）" : "电子营业执照应用接入信息表");
  d.y += 22;
  d.colour(0.3, 0.3, 0.3);
  d.font_size(10);
  std::string status_line = "申请编号 " + a.id + "    状态 " + status_label(a.status) + "    申请人 " + a.owner;
  if (!a.client_id.empty()) status_line += "    应用标识 " + a.client_id;
  d.centred(d.y, status_line);
  d.y += 10;
  d.colour(0.55, 0.05, 0.05);
  d.rectangle(kMargin, d.y, kContentWidth, 0.8, true);

  std::string scope = value_label("scope", f.scope);
  if (f.scope == "province" && !f.province.empty()) {
    const auto name = province_name(f.province);
    scope += "（" + (name.empty() ? f.province : name) + "）";
  }
  draw_fields(d, "一、申请单位",
              {{"org_name", f.org_name},
               {"org_nature", value_label("org_nature", f.org_nature)},
               {"uscc", f.uscc},
               {"address", f.address}});
  draw_fields(d, "二、联系人",
              {{"contact_name", f.contact_name},
               {"contact_position", f.contact_position},
               {"contact_phone", f.contact_phone},
               {"contact_email", f.contact_email}});
  draw_fields(d, "三、应用系统",
              {{"system_name", f.system_name},
               {"system_host", f.system_host},
               {"system_port", std::to_string(f.system_port)},
               {"field", value_label("field", f.field)},
               {"industry", f.industry},
               {"business_summary", f.business_summary}});
  Rows needs = {{"needs", joined(f.needs, "needs", "、")}};
  if (!f.needs_other.empty()) needs.push_back({"needs_other", f.needs_other});
  if (!f.data_purpose.empty()) needs.push_back({"data_purpose", f.data_purpose});
  needs.insert(needs.end(), {{"scope", scope},
                             {"channels", joined(f.channels, "channels", "、")},
                             {"annual_volume_wan", std::to_string(f.annual_volume_wan)},
                             {"peak_rate", std::to_string(f.peak_rate)},
                             {"matters", joined(f.matters, "", "\n")}});
  if (!f.department.empty()) needs.push_back({"department", f.department});
  if (!f.redirect_uris.empty()) needs.push_back({"redirect_uris", joined(f.redirect_uris, "", "\n")});
  draw_fields(d, "四、接入需求", needs);

  draw_heading(d, "五、审核记录");
  const std::vector<double> widths = {92, 64, 84, 64, kContentWidth - 304};
  const std::vector<std::string> header = {"时间", "操作", "操作人", "角色", "意见"};
  draw_row(d, widths, header, true);
  if (a.trail.empty()) draw_row(d, widths, {"", "尚无审核记录", "", "", ""}, false);
  for (const auto& e : a.trail) {
    // The header row is repeated at the top of a page the trail runs onto.
    draw_row(d, widths, {beijing_time(e.at), action_label(e.action), e.actor, role_label(e.role), e.opinion}, false, {},
             &header);
  }
  return d.finish();
}

}  // namespace zhaoyin::access
