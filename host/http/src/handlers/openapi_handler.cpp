#include <zhaoyin/http/handlers/openapi_handler.h>

namespace zhaoyin::http {

void OpenApiHandler::handle(Exchange& ex) {
  // application/yaml: the media type registered for YAML by RFC 9512.
  ex.response().set("Cache-Control", "no-cache");
  ex.send_text(200, "application/yaml; charset=utf-8", openapi_document());
}

}  // namespace zhaoyin::http
