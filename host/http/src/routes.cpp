#include <zhaoyin/http/routes.h>

#include <zhaoyin/http/attempt_throttle.h>
#include <zhaoyin/http/callback_dispatcher.h>
#include <zhaoyin/http/usage_check.h>

#include <zhaoyin/http/handlers/health_handler.h>
#include <zhaoyin/http/handlers/metrics_handler.h>
#include <zhaoyin/http/handlers/oauth_introspect_handler.h>
#include <zhaoyin/http/handlers/oauth_token_handler.h>
#include <zhaoyin/http/handlers/openapi_handler.h>

namespace zhaoyin::http {

void register_core_metrics(HostContext& ctx) {
  ctx.metrics->counter("zhaoyin_oauth_tokens_issued_total", "OAuth access tokens issued.");
  ctx.metrics->gauge("zhaoyin_build_info", "Build information; the value is always 1.", {"version", "authority"})
      .set({ctx.settings.version, ctx.authority_name()}, 1);
  waiting_clients(ctx).set({}, 0);
  // Families that only count rare events, registered now so that /metrics
  // (and the dashboard in config/grafana/) has them before the first one.
  usage_refusals_metric(*ctx.metrics);
  throttled_metric(*ctx.metrics);
  CallbackDispatcher::attempts_metric(*ctx.metrics);
}

void register_core_routes(Router& router, const std::shared_ptr<HostContext>& ctx) {
  register_core_metrics(*ctx);
  router.add<HealthHandler>("GET", "/healthz", ctx);
  router.add<MetricsHandler>("GET", "/metrics", ctx);
  router.add<OAuthTokenHandler>("POST", "/oauth/token", ctx);
  router.add<OAuthIntrospectHandler>("POST", "/oauth/introspect", ctx);
  router.add<OpenApiHandler>("GET", "/openapi.yaml");
}

}  // namespace zhaoyin::http
