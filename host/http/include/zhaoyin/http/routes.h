#pragma once
// Route tables. Each feature area registers its handlers on the router with
// one function; the application calls them all when it builds the server.
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::http {

// GET /healthz, GET /metrics, POST /oauth/token, GET /openapi.yaml.
void register_core_routes(Router& router, const std::shared_ptr<HostContext>& ctx);

// Registers the metric families the core exposes from the start (so /metrics
// lists them before the first event) and sets zhaoyin_build_info.
void register_core_metrics(HostContext& ctx);

}  // namespace zhaoyin::http
