#pragma once
// The access applications' pages: applicants (my applications, new/edit,
// status, PDF) and reviewers/operators (queue, detail, review actions,
// credentials shown once). Registered by register_admin_routes.
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/access/review_stages.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::admin {

void register_application_pages(http::Router& router, const std::shared_ptr<http::HostContext>& ctx,
                                const access::ReviewPlan& stages);

}  // namespace zhaoyin::admin
