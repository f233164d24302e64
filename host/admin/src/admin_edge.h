#pragma once
// Every /admin route runs behind this edge: the pages are for people, so a
// refusal is an HTML page with the status (not the API's JSON body), a
// require_staff redirect is a plain 303, and a store outage is a 503 page.
#include <memory>
#include <string>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::admin {

// Copies every route of `pages` into `router`, each wrapped in the admin edge.
void add_behind_admin_edge(http::Router& router, const http::Router& pages,
                           const std::shared_ptr<http::HostContext>& ctx);

// The request id of the admin request this thread is serving ("" outside one);
// audit() records it.
const std::string& current_request_id();

}  // namespace zhaoyin::admin
