#pragma once
#include <memory>
#include <string>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::admin {

// The staff pages under /admin/ (applicants, reviewers, operators: sign-in,
// access applications and their review, plugins, scripts, audit log, usage)
// and the staff accounts behind them. Imports the sandbox's demo staff
// accounts (<sandbox>/admin/staff.json) when a sandbox is loaded.
struct AdminOptions {
  std::string review_stages;  // access.review_stages (access/review_stages.h); empty: the default stages
};
void register_admin_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx,
                           const AdminOptions& options = {});

}  // namespace zhaoyin::admin
