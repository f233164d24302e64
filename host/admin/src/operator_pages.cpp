#include "operator_pages.h"

namespace zhaoyin::admin {

void register_operator_pages(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx) {
  const HostExtensionSources sources = find_extension_sources(*ctx->extensions);
  register_plugins_page(pages, ctx, sources);
  register_scripts_page(pages, ctx, sources);
  register_audit_page(pages, ctx);
  register_usage_page(pages, ctx);
}

}  // namespace zhaoyin::admin
