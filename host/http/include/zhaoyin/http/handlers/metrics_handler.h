#pragma once
// GET /metrics — the metrics registry in Prometheus text format 0.0.4.
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::http {

// The gauge of requests waiting on a flow, set from the event bus at each scrape.
Gauge& waiting_clients(HostContext& ctx);

class MetricsHandler final : public Handler {
 public:
  explicit MetricsHandler(std::shared_ptr<HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(Exchange& ex) override;

 private:
  std::shared_ptr<HostContext> ctx_;
};

}  // namespace zhaoyin::http
