#include <zhaoyin/http/handlers/metrics_handler.h>

namespace zhaoyin::http {

void MetricsHandler::handle(Exchange& ex) {
  ex.response().set("Cache-Control", "no-store");
  ex.send_text(200, "text/plain; version=0.0.4; charset=utf-8", ctx_->metrics->render());
}

}  // namespace zhaoyin::http
