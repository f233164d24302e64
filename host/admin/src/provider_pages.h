#pragma once
// The technical service provider's one-time sign-off pages (provider_pages.cpp).
#include <zhaoyin/http/router.h>

#include "application_views.h"

namespace zhaoyin::admin {

// GET and POST /admin/provider/{token}: no staff session; the token is the credential.
void register_provider_pages(http::Router& router, const PagesPtr& pages);

}  // namespace zhaoyin::admin
