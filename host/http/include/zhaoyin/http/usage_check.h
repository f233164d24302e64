#pragma once
// The peak rate and annual volume an application was approved for, checked at
// the HTTP edge of every verification it asks for (login sessions,
// presentations, sign tasks, OpenID Connect authorizations). Call it right
// after authenticating the application and checking that it may ask for
// `need` at all.
#include <string_view>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/application_repository.h>

namespace zhaoyin::http {

// Returns when the request is admitted (or when the host enforces no usage
// limits: ctx.usage is null). Otherwise throws ApiError:
//   429 rate_limited            beyond the declared peak rate (验证峰值) this second; Retry-After: 1
//   403 annual_volume_exceeded  this year's admitted count reached the declared annual volume (年验证量)
//   503 rate_limit_unavailable  the shared counters (Redis, the store) cannot be reached; Retry-After: 1
// Refusals are counted in /metrics as zhaoyin_usage_refused_total{code}.
void admit_usage(Exchange& ex, const HostContext& ctx, const store::Application& app, std::string_view need);

// The counter of those refusals, by code (registered with the core routes).
Counter& usage_refusals_metric(Metrics& metrics);

}  // namespace zhaoyin::http
