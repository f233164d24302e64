#include <zhaoyin/http/handlers/metrics_handler.h>

namespace zhaoyin::http {

Gauge& waiting_clients(HostContext& ctx) {
  return ctx.metrics->gauge("zhaoyin_waiting_clients",
                            "Requests waiting on a flow right now (long-polls, SSE streams, hosted pages) on this host.");
}

void MetricsHandler::handle(Exchange& ex) {
  // Read at scrape time: the bus knows how many long-polls, SSE streams and
  // hosted pages are waiting on this host right now.
  if (ctx_->events) waiting_clients(*ctx_).set({}, static_cast<double>(ctx_->events->waiting()));
  ex.response().set("Cache-Control", "no-store");
  ex.send_text(200, "text/plain; version=0.0.4; charset=utf-8", ctx_->metrics->render());
}

}  // namespace zhaoyin::http
