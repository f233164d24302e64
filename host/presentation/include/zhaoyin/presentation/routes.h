#pragma once
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::presentation {

// /api/v1/presentations, /api/v1/forms/{form_id}/prefill, /api/v1/archives/{id}[.pdf],
// /counter, /public/licenses/{token}[/badge.svg]
void register_presentation_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::presentation
