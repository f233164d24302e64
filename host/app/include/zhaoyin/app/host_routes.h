#pragma once
// Every route of the host: the core (health, metrics, OAuth) and each feature's.
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::app {

void register_host_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::app
