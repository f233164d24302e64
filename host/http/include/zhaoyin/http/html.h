#pragma once
// Server-rendered pages: escaping and the one layout every page shares (a
// header naming the host and, for a sandbox authority, a Sandbox ribbon).
// Every dynamic value goes through escape_html; page bodies are built by the
// features with their own small templates.
#include <string>
#include <string_view>

namespace zhaoyin::http {

// & < > " ' escaped: safe in element content and in quoted attribute values.
std::string escape_html(std::string_view text);

struct PageOptions {
  std::string title;       // plain text (escaped here)
  std::string head_extra;  // trusted HTML added to <head> (page-specific <style> or <meta>)
  std::string script;      // trusted JavaScript, placed at the end of <body>
  bool sandbox = false;    // show the Sandbox ribbon
  std::string nonce;       // CSP nonce put on the <script> element (send_page sets it)
};

// A complete HTML5 document (UTF-8, viewport meta, the shared CSS) around
// `body_html`, which must already be escaped where it holds dynamic values.
std::string render_page(const PageOptions& options, std::string_view body_html);

class Exchange;

// Sends a rendered page with its Content-Security-Policy: scripts only from
// this page's own <script> element, by a fresh per-response nonce (no
// 'unsafe-inline': an injected <script> or onclick= would not run), and
// everything else from this host. The frame-ancestors directive already on the
// response (none by default, or the origins an application registered) is kept.
void send_page(Exchange& ex, int status, PageOptions options, std::string_view body_html);

}  // namespace zhaoyin::http
