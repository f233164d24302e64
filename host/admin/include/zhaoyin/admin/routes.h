#pragma once
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::admin {

// The staff pages under /admin/ (applicants, reviewers, operators: sign-in,
// access applications and their review, plugins, scripts, audit log, usage)
// and the staff accounts behind them. Imports the sandbox's demo staff
// accounts (<sandbox>/admin/staff.json) when a sandbox is loaded.
void register_admin_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::admin
