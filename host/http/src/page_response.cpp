// send_page: the one way a server-rendered page leaves the host, with a CSP
// that allows its own inline script by nonce only (CSP Level 3, "nonce-source").
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/html.h>
#include <zhaoyin/trust/bytes.h>

namespace zhaoyin::http {

void send_page(Exchange& ex, int status, PageOptions options, std::string_view body_html) {
  // 16 random bytes per response: a nonce an attacker cannot predict, so an
  // injected <script> never carries it. base64 (not url) as CSP's base64-value.
  options.nonce = trust::base64_encode(trust::random_bytes(16));
  std::string csp = "default-src 'self'; script-src 'nonce-" + options.nonce +
                    "'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
                    "object-src 'none'; base-uri 'none'";
  // Keep the framing decision made before (set_default_security_headers /
  // allow_framing_by): it lives in the same header.
  const std::string before = ex.response().get("Content-Security-Policy", "");
  const auto at = before.find("frame-ancestors");
  if (at != std::string::npos) csp += "; " + before.substr(at, before.find(';', at) - at);
  ex.response().set("Content-Security-Policy", csp);
  ex.send_text(status, "text/html; charset=utf-8", render_page(options, body_html));
}

}  // namespace zhaoyin::http
