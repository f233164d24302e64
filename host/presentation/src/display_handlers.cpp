// GET /v/{code} (the page a phone camera opens) and GET
// /api/v1/display-codes/{code} (the same verdict for apps). Both compute the
// verdict at each request (display_verdict.h) and say so: no-store.
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/client_source.h>
#include <zhaoyin/http/html.h>
#include <zhaoyin/protocol/canonical_json.h>
#include "archive_view.h"
#include "display_revocation_handler.h"
#include "display_routes.h"
#include "display_verdict.h"
#include "public_rate_window.h"

namespace zhaoyin::presentation {

namespace {

using Ctx = std::shared_ptr<http::HostContext>;
using Window = std::shared_ptr<PublicRateWindow>;

constexpr std::string_view kPageCss = R"css(<style>
.status { font-size:1.25rem; }
.shop-label { font-size:1.1rem; overflow-wrap:anywhere; }
@media (min-width: 481px) { dl.fields { grid-template-columns: minmax(0, 7rem) minmax(0, 1fr); } }
</style>)css";

std::string rfc3339_of(std::int64_t seconds) {
  return protocol::rfc3339(std::chrono::system_clock::time_point(std::chrono::seconds(seconds)));
}

std::string verdict_card(const std::string& state, const std::string& label, const std::string& detail, bool ok) {
  return "<div class=\"card\"><div class=\"verdict status " + std::string(ok ? "ok" : "bad") + "\" data-verdict=\"" +
         http::escape_html(state) + "\">" + (ok ? "✔ " : "✘ ") + http::escape_html(label) +
         " <span class=\"muted\">(" + http::escape_html(state) + ")</span></div><p class=\"muted\">" +
         http::escape_html(detail) + "</p></div>\n";
}

void send_display_page(http::Exchange& ex, const http::HostContext& ctx, int status, const std::string& title,
                       const std::string& body) {
  http::PageOptions page;
  page.title = title;
  page.sandbox = sandbox_authority(ctx);
  page.head_extra = std::string(kPageCss) + "<meta name=\"robots\" content=\"noindex\">";
  ex.response().set("Cache-Control", "no-store");
  http::send_page(ex, status, page, body);
}

class DisplayCodePage final : public http::Handler {
 public:
  DisplayCodePage(Ctx ctx, Window window) : ctx_(std::move(ctx)), window_(std::move(window)) {}
  void handle(http::Exchange& ex) override {
    admit_public_request(ex, *ctx_, *window_);
    DisplayVerdict v;
    try {
      v = verify_display_code(*ctx_, ex.param("code"), std::chrono::system_clock::now());
    } catch (const http::ApiError& e) {
      if (e.code() != "malformed_code") throw;
      send_display_page(ex, *ctx_, e.status(), "亮照码无法识别",
                        "<h1>亮照码 Display code</h1>\n" +
                            verdict_card("malformed", "无法识别的亮照码", e.what(), false));
      return;
    }
    std::string body = "<h1>" + http::escape_html(v.enterprise ? v.enterprise->name : std::string("亮照码")) + "</h1>\n";
    body += verdict_card(v.verdict, v.label, v.detail, v.valid());
    if (v.enterprise) {
      body += "<div class=\"card\"><h2>经营场所 / 网店</h2><p class=\"shop-label\" data-label>" +
              http::escape_html(v.code.label.empty() ? std::string("—") : v.code.label) + "</p>";
      if (v.revoked_at) body += "<p>撤销时间 revoked at " + http::escape_html(rfc3339_of(*v.revoked_at)) + "</p>";
      body += "</div>\n<div class=\"card\"><h2>营业执照信息</h2><dl class=\"fields\">";
      for (const auto& [label, value] : face_rows(domain::to_json(*v.enterprise)))
        body += "<dt>" + http::escape_html(label) + "</dt><dd>" + http::escape_html(value) + "</dd>";
      body += "</dl></div>\n";
    }
    body += "<div class=\"card muted\">核验时间 checked at " + http::escape_html(rfc3339_of(v.checked_at)) +
            "，实时查询发证机关 (live from the issuing authority) · 亮照码 " +
            http::escape_html(v.code.display_id_hex()) + " · 照印 Zhaoyin</div>";
    send_display_page(ex, *ctx_, 200, (v.enterprise ? v.enterprise->name + " · " : std::string()) + "亮照码核验", body);
  }

 private:
  Ctx ctx_;
  Window window_;
};

class DisplayCodeJson final : public http::Handler {
 public:
  DisplayCodeJson(Ctx ctx, Window window) : ctx_(std::move(ctx)), window_(std::move(window)) {}
  void handle(http::Exchange& ex) override {
    admit_public_request(ex, *ctx_, *window_);
    const DisplayVerdict v = verify_display_code(*ctx_, ex.param("code"), std::chrono::system_clock::now());
    ex.response().set("Cache-Control", "no-store");
    ex.send_json(200, v.to_json());
  }

 private:
  Ctx ctx_;
  Window window_;
};

}  // namespace

void admit_public_request(http::Exchange& ex, const http::HostContext& ctx, PublicRateWindow& window) {
  const std::string source = http::client_source(ex, ctx.settings.trusted_proxies);
  if (const auto wait = window.admit(source); wait > 0)
    throw http::ApiError(429, "rate_limited",
                         "too many display-code requests from this address; try again in " + std::to_string(wait) +
                             " s",
                         {{"Retry-After", std::to_string(wait)}});
}

void register_display_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx) {
  auto window = std::make_shared<PublicRateWindow>(kDisplayRequestsPerMinute, std::chrono::seconds(60));
  router.add("GET", std::string(protocol::kDisplayPagePath) + "{code}",
             [ctx, window]() -> std::unique_ptr<http::Handler> { return std::make_unique<DisplayCodePage>(ctx, window); });
  router.add("GET", "/api/v1/display-codes/{code}",
             [ctx, window]() -> std::unique_ptr<http::Handler> { return std::make_unique<DisplayCodeJson>(ctx, window); });
  router.add("POST", "/wallet/v1/display-codes/revocations", [ctx, window]() -> std::unique_ptr<http::Handler> {
    return std::make_unique<DisplayRevocationHandler>(ctx, window);
  });
}

}  // namespace zhaoyin::presentation
