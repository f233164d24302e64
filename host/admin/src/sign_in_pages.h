#pragma once
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::admin {

// GET/POST /admin/login, POST /admin/logout, GET /admin/ (and /admin → /admin/).
void register_sign_in_pages(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::admin
