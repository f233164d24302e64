#include <zhaoyin/http/usage_check.h>

#include <zhaoyin/http/api_error.h>

namespace zhaoyin::http {

namespace {

void count_refusal(const HostContext& ctx, const std::string& code) {
  if (ctx.metrics) usage_refusals_metric(*ctx.metrics).inc({code});
}

void log_refusal(Exchange& ex, const HostContext& ctx, const store::Application& app, std::string_view need,
                 const std::string& code) {
  if (!ctx.log) return;
  ctx.log->info("usage refused", {{"request_id", ex.request_id()},
                                  {"client_id", app.client_id},
                                  {"need", std::string(need)},
                                  {"code", code}});
}

}  // namespace

void admit_usage(Exchange& ex, const HostContext& ctx, const store::Application& app, std::string_view need) {
  if (!ctx.usage) return;
  quota::Admission admission;
  try {
    admission = ctx.usage->admit(app, need);
  } catch (const quota::QuotaUnavailable& e) {
    const std::string code = "rate_limit_unavailable";
    count_refusal(ctx, code);
    log_refusal(ex, ctx, app, need, code);
    throw ApiError(503, code, std::string("usage limits cannot be checked right now: ") + e.what(),
                   {{"Retry-After", "1"}});
  }
  if (admission.admitted) return;
  count_refusal(ctx, admission.code);
  log_refusal(ex, ctx, app, need, admission.code);
  ApiError::Headers headers;
  if (admission.retry_after_seconds > 0)
    headers.emplace_back("Retry-After", std::to_string(admission.retry_after_seconds));
  throw ApiError(admission.status, admission.code, admission.message, std::move(headers));
}

Counter& usage_refusals_metric(Metrics& metrics) {
  return metrics.counter("zhaoyin_usage_refused_total",
                         "Requests refused for an application's approved peak rate or annual volume, by error code.",
                         {"code"});
}

}  // namespace zhaoyin::http
