#pragma once
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::signing {

// /api/v1/sign-tasks..., /api/v1/signatures/verify, /api/v1/seals/{esid}/usage; the "sign" wallet request kind.
void register_signing_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::signing
