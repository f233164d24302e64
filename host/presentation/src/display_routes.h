#pragma once
// Static display codes (亮照码): the public page GET /v/{code}, its JSON form
// GET /api/v1/display-codes/{code}, and the enterprise's revocations
// POST /wallet/v1/display-codes/revocations. All public, one per-address
// budget between them (public_rate_window.h).
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::presentation {

// Requests per address per minute across the three endpoints.
inline constexpr int kDisplayRequestsPerMinute = 120;

void register_display_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::presentation
