#include "provider.h"

#include <zhaoyin/http/form.h>
#include <zhaoyin/http/html.h>

namespace zhaoyin::oidc {

http::FormFields request_parameters(http::Exchange& ex) {
  if (ex.method() == "POST") return ex.form_body();
  const std::string& uri = ex.request().getURI();
  const auto q = uri.find('?');
  if (q == std::string::npos) return {};
  return http::parse_form(std::string_view(uri).substr(q + 1));
}

std::string with_query(const std::string& uri, const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out = uri;
  char separator = uri.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : params) {
    out += separator + http::form_encode(name) + "=" + http::form_encode(value);
    separator = '&';
  }
  return out;
}

http::FormFields page_parameters(http::Exchange& ex) {
  try {
    return request_parameters(ex);
  } catch (const std::invalid_argument& e) {
    throw PageError{400, "invalid_request", std::string("malformed request parameters: ") + e.what()};
  } catch (const http::ApiError& e) {
    throw PageError{e.status(), e.code(), e.what()};
  }
}

std::string card(const std::string& heading, const std::string& message, const std::string& extra_html) {
  return "<main class=\"card\"><h1>" + http::escape_html(heading) + "</h1><p>" + http::escape_html(message) + "</p>" +
         extra_html + "</main>";
}

std::string error_card(const std::string& heading, const PageError& error) {
  return card(heading, error.message,
              "<p class=\"muted\">error: <code>" + http::escape_html(error.code) + "</code></p>");
}

void send_page(http::Exchange& ex, const Provider& provider, int status, const std::string& title,
               const std::string& body_html) {
  http::PageOptions options;
  options.title = title;
  options.sandbox = provider.sandbox();
  ex.response().set("Cache-Control", "no-store");
  http::send_page(ex, status, options, body_html);
}

}  // namespace zhaoyin::oidc
