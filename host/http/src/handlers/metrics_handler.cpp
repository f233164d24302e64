#include <zhaoyin/http/handlers/metrics_handler.h>

#include <mutex>

namespace zhaoyin::http {

Gauge& waiting_clients(HostContext& ctx) {
  return ctx.metrics->gauge("zhaoyin_waiting_clients",
                            "Requests waiting on a flow right now (long-polls, SSE streams, hosted pages) on this host.");
}

namespace {

// The connector counts for itself (it knows nothing of /metrics); the
// counters here follow its totals at scrape time.
void follow(Counter& counter, std::uint64_t total) {
  const double delta = static_cast<double>(total) - counter.value();
  if (delta > 0) counter.inc({}, delta);
}

void publish_authority(HostContext& ctx) {
  static std::mutex scrape;  // two scrapes at once must not both add the same delta
  std::lock_guard lock(scrape);
  const auto h = ctx.authority ? ctx.authority->health() : authority::ConnectorHealth{};
  auto& m = *ctx.metrics;
  follow(m.counter("zhaoyin_authority_requests_total", "Requests sent to the issuing authority's service (each retry counts)."),
         h.requests);
  follow(m.counter("zhaoyin_authority_failures_total",
                   "Requests to the authority that failed (network, timeout, 5xx, an answer that does not verify)."),
         h.failures);
  follow(m.counter("zhaoyin_authority_cache_hits_total", "Authority answers served from the cache while fresh."),
         h.cache_hits);
  follow(m.counter("zhaoyin_authority_shared_cache_hits_total",
                   "Authority answers another host fetched, taken (verified again) from the shared cache in Redis."),
         h.shared_hits);
  follow(m.counter("zhaoyin_authority_stale_answers_total",
                   "Authority answers served past their freshness, within the grace period, while it could not answer."),
         h.stale_answers);
  follow(m.counter("zhaoyin_authority_unavailable_total",
                   "Verifications refused with authority_unavailable (no answer within freshness plus grace)."),
         h.unavailable);
  auto& state = m.gauge("zhaoyin_authority_state", "The authority connector's state: 1 for the current one.", {"state"});
  for (const char* s : {"ok", "degraded", "unavailable"}) state.set({s}, h.state == s ? 1 : 0);
}

}  // namespace

void MetricsHandler::handle(Exchange& ex) {
  // Read at scrape time: the bus knows how many long-polls, SSE streams and
  // hosted pages are waiting on this host right now.
  if (ctx_->events) waiting_clients(*ctx_).set({}, static_cast<double>(ctx_->events->waiting()));
  publish_authority(*ctx_);
  ex.response().set("Cache-Control", "no-store");
  ex.send_text(200, "text/plain; version=0.0.4; charset=utf-8", ctx_->metrics->render());
}

}  // namespace zhaoyin::http
