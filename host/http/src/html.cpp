#include <zhaoyin/http/html.h>

#include <zhaoyin/trust/text.h>

namespace zhaoyin::http {

std::string escape_html(std::string_view text) { return trust::escape_markup(text); }

namespace {
// One stylesheet for every page: system fonts with CJK fallbacks, a calm
// palette, cards, and verdict colours that read at a counter from a distance.
constexpr std::string_view kCss = R"css(
:root { --ink:#1f2430; --muted:#5b6475; --line:#d9dde5; --bg:#f4f6f9; --card:#fff;
        --brand:#b0202a; --ok:#17803d; --okbg:#e7f6ec; --bad:#b42318; --badbg:#fdecea; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font: 15px/1.55 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif; }
header.site { background:#fff; border-bottom:1px solid var(--line); padding:.7rem 1.5rem; display:flex; align-items:center; gap:.8rem; }
header.site .mark { color:var(--brand); font-weight:700; font-size:1.15rem; letter-spacing:.05em; }
header.site .sandbox { margin-left:auto; background:#fff4d6; color:#8a5a00; border:1px solid #f0d08a; border-radius:999px; padding:.1rem .7rem; font-size:.85rem; }
main { max-width: 960px; margin: 1.5rem auto; padding: 0 1.5rem; }
h1 { font-size:1.4rem; margin:.2rem 0 1rem; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:1.2rem 1.4rem; margin-bottom:1rem; }
.muted { color:var(--muted); }
.ok { color:var(--ok); } .bad { color:var(--bad); }
.verdict { border-radius:8px; padding:.6rem .9rem; font-weight:600; }
.verdict.ok { background:var(--okbg); } .verdict.bad { background:var(--badbg); }
dl.fields { display:grid; grid-template-columns: minmax(0, 9rem) minmax(0, 1fr); gap:.35rem 1rem; margin:0; }
dl.fields dt { color:var(--muted); } dl.fields dd { margin:0; overflow-wrap:anywhere; }
/* A phone (375 px): label above value, a long USCC or address never wider than the screen. */
@media (max-width: 480px) { dl.fields { grid-template-columns: minmax(0, 1fr); gap:.1rem; } dl.fields dd { margin-bottom:.5rem; } }
button, .button { background:var(--brand); color:#fff; border:0; border-radius:6px; padding:.5rem 1rem; font:inherit; cursor:pointer; text-decoration:none; display:inline-block; }
input[type=text], input[type=password] { font:inherit; padding:.5rem .6rem; border:1px solid var(--line); border-radius:6px; width:100%; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size:.9em; }
)css";
}  // namespace

std::string render_page(const PageOptions& options, std::string_view body_html) {
  std::string out;
  out.reserve(body_html.size() + kCss.size() + 1024);
  out += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += escape_html(options.title);
  out += "</title>\n<style>";
  out += kCss;
  out += "</style>\n";
  out += options.head_extra;
  out += "</head>\n<body>\n<header class=\"site\"><span class=\"mark\">照印 Zhaoyin</span>";
  if (options.sandbox) out += "<span class=\"sandbox\" title=\"Sandbox authority: test licenses only\">Sandbox 沙箱</span>";
  out += "</header>\n<main>\n";
  out += body_html;
  out += "\n</main>\n";
  if (!options.script.empty()) {
    out += options.nonce.empty() ? "<script>\n" : "<script nonce=\"" + escape_html(options.nonce) + "\">\n";
    out += options.script;
    out += "\n</script>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace zhaoyin::http
