#pragma once
// The license data interface's routes (/api/v1/data/..., docs/api/data.md).
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

namespace zhaoyin::data {

void register_data_routes(http::Router& router, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::data
