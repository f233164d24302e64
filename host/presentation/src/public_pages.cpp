// Public license display (亮照) and the printed copy's verification page:
// /public/licenses/{token} and its embeddable badge. No authentication: the
// token is a 128-bit random name. The status is read live from the authority
// on every request, so a revocation shows as soon as the connector knows it.
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/html.h>
#include "archive_view.h"
#include "handlers.h"

namespace zhaoyin::presentation {

namespace {

Archive archive_for_token(const http::HostContext& ctx, const std::string& token) {
  auto a = ArchiveRepository(*ctx.db).find_by_token(token);
  if (!a) throw http::ApiError(404, "license_not_found", "no published license under this address");
  return *a;
}

// Code points, counting a CJK character as two columns (for the badge width).
int display_columns(const std::string& s) {
  int cols = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : 4;
    cols += n >= 3 ? 2 : 1;
    i += n;
  }
  return cols;
}

constexpr std::string_view kPageCss = R"css(<style>
.status { font-size:1.25rem; }
.badge-embed { background:#f7f7f9; border:1px dashed var(--line); padding:.6rem; border-radius:6px; word-break:break-all; }
</style>)css";

}  // namespace

void PublicLicensePage::handle(http::Exchange& ex) {
  const std::string token = ex.param("token");
  const Archive a = archive_for_token(*ctx_, token);
  const bool display = a.display_token && *a.display_token == token;
  const LiveStatus live = live_status(*ctx_, a);
  const nlohmann::json face = a.subject.value("face_info", nlohmann::json::object());
  const bool ok = live.state == "valid";

  std::string body;
  body += "<h1>" + http::escape_html(face.value("name", "")) + "</h1>\n";
  body += "<div class=\"card\"><div class=\"verdict status " + std::string(ok ? "ok" : "bad") +
          "\" data-status=\"" + http::escape_html(live.state) + "\">" + (ok ? "✔ " : "✘ ") +
          http::escape_html(live.label) + " <span class=\"muted\">(" + http::escape_html(live.state) + ")</span></div>";
  body += "<p class=\"muted\">" + http::escape_html(live.detail) + "。实时查询发证机关 (live from the issuing authority)。</p></div>\n";
  body += "<div class=\"card\"><h2>" + std::string(display ? "营业执照信息 (亮照)" : "电子营业执照核验件 (verified copy)") +
          "</h2><dl class=\"fields\">";
  for (const auto& [label, value] : face_rows(face))
    body += "<dt>" + http::escape_html(label) + "</dt><dd>" + http::escape_html(value) + "</dd>";
  body += "</dl></div>\n";
  body += "<div class=\"card muted\">核验时间 verified at " + http::escape_html(a.subject.value("verified_at", "")) +
          " · 照印 Zhaoyin";
  if (display) {
    const std::string page = public_page_url(*ctx_, token);
    const std::string snippet = "<a href=\"" + page + "\"><img src=\"" + page + "/badge.svg\" alt=\"电子营业执照\"></a>";
    body += "<p>嵌入徽标 Embed the badge:</p><div class=\"badge-embed\"><code>" + http::escape_html(snippet) +
            "</code></div>";
  }
  body += "</div>";

  http::PageOptions page;
  page.title = face.value("name", "") + " · 电子营业执照";
  page.sandbox = sandbox_authority(*ctx_);
  page.head_extra = std::string(kPageCss) + "<meta name=\"robots\" content=\"noindex\">";
  ex.response().set("Cache-Control", "no-store");
  http::send_page(ex, 200, page, body);
}

void PublicLicenseBadge::handle(http::Exchange& ex) {
  const std::string token = ex.param("token");
  const Archive a = archive_for_token(*ctx_, token);
  const LiveStatus live = live_status(*ctx_, a);
  const bool ok = live.state == "valid";
  const std::string left = sandbox_authority(*ctx_) ? "电子营业执照 Sandbox" : "电子营业执照";
  const std::string right = ok ? "已核验 · 存续" : live.label;
  const int lw = display_columns(left) * 7 + 16, rw = display_columns(right) * 7 + 16;
  const std::string url = http::escape_html(public_page_url(*ctx_, token));
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"" +
                    std::to_string(lw + rw) + "\" height=\"22\" role=\"img\" aria-label=\"" +
                    http::escape_html(left + ": " + right) + "\">";
  svg += "<title>" + http::escape_html(a.subject.value("face_info", nlohmann::json::object()).value("name", "") +
                                       " — " + live.label) + "</title>";
  svg += "<a href=\"" + url + "\" xlink:href=\"" + url + "\" target=\"_blank\">";
  svg += "<rect width=\"" + std::to_string(lw) + "\" height=\"22\" rx=\"3\" fill=\"#b0202a\"/>";
  svg += "<rect x=\"" + std::to_string(lw) + "\" width=\"" + std::to_string(rw) + "\" height=\"22\" rx=\"3\" fill=\"" +
         (ok ? "#17803d" : "#b42318") + "\"/>";
  svg += "<g fill=\"#fff\" font-family=\"'PingFang SC','Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif\" "
         "font-size=\"12\"><text x=\"8\" y=\"15\">" + http::escape_html(left) + "</text><text x=\"" +
         std::to_string(lw + 8) + "\" y=\"15\">" + http::escape_html(right) + "</text></g></a></svg>";
  // Short caching: embedders see a revocation within a minute.
  ex.response().set("Cache-Control", "public, max-age=60");
  ex.send_text(200, "image/svg+xml; charset=utf-8", svg);
}

}  // namespace zhaoyin::presentation
