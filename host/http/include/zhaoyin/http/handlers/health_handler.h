#pragma once
// GET /healthz — liveness and readiness: the store answers a real query.
//   200 {"status":"ok","store":"ok","authority":"sandbox","version":"0.1.0","schema_version":2}
//   503 {"status":"unavailable","store":"unavailable",...} when the store does not answer
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>

namespace zhaoyin::http {

class HealthHandler final : public Handler {
 public:
  explicit HealthHandler(std::shared_ptr<HostContext> ctx) : ctx_(std::move(ctx)) {}
  void handle(Exchange& ex) override;

 private:
  std::shared_ptr<HostContext> ctx_;
};

}  // namespace zhaoyin::http
