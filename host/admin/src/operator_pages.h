#pragma once
#include <memory>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/router.h>

#include "extension_sources.h"

namespace zhaoyin::admin {

// The operator's pages: /admin/plugins, /admin/scripts, /admin/audit, /admin/usage.
void register_operator_pages(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx);

// Each page's routes (operator_pages.cpp calls them).
void register_plugins_page(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx,
                           const HostExtensionSources& sources);
void register_scripts_page(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx,
                           const HostExtensionSources& sources);
void register_audit_page(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx);
void register_usage_page(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx);

}  // namespace zhaoyin::admin
