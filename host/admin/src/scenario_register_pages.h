#pragma once
// /admin/scenarios: the 附件2 电子营业执照应用场景清单 across the active access
// applications the signed-in staff member may see (applicants their own,
// reviewers and operators every one), with filters, CSV and PDF exports; and
// the 办事指南 of one scenario (service_guide_page.cpp).
#include <zhaoyin/http/router.h>

#include "application_views.h"

namespace zhaoyin::admin {

// GET /admin/scenarios, GET /admin/scenarios.csv, GET /admin/scenarios.pdf
// (filters as query parameters: department, field, industry, function, q),
// GET /admin/applications/{id}/guide?matter=…
void register_scenario_register_pages(http::Router& router, const PagesPtr& pages);

// The guide's route (service_guide_page.cpp).
void register_service_guide_page(http::Router& router, const PagesPtr& pages);

}  // namespace zhaoyin::admin
