#pragma once
// The two halves of the applications' pages, each registering its handlers
// (one small class per route) with the pages' shared context.
#include <zhaoyin/http/router.h>

#include "application_views.h"

namespace zhaoyin::admin {

// Applicants: GET /admin/applications (mine; reviewers and operators get the
// queue), GET /admin/applications/new, POST /admin/applications,
// GET /admin/applications/{id}/edit, POST /admin/applications/{id},
// GET /admin/applications/{id}.pdf.
void register_applicant_pages(http::Router& router, const PagesPtr& pages);

// Reviewers and operators: GET /admin/review, GET /admin/applications/{id}
// (also the owner), POST /admin/applications/{id}/actions,
// POST /admin/applications/{id}/rotate-secret.
void register_review_pages(http::Router& router, const PagesPtr& pages);

// The queue (GET /admin/review and, for reviewers and operators, GET /admin/applications).
void send_queue(http::Exchange& ex, const ApplicationPagesContext& pages, const StaffSession& staff);

}  // namespace zhaoyin::admin
