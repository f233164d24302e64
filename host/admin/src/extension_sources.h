#pragma once
// The plugin manager and the script engine the host runs, for the operator's
// pages. They are created by register_plugin_routes / register_scripting_routes
// and only reachable as sources of ctx->extensions.
#include <memory>
#include <zhaoyin/flow/extensions.h>
#include <zhaoyin/plugins/manager.h>
#include <zhaoyin/scripting/script_engine.h>

namespace zhaoyin::admin {

struct HostExtensionSources {
  std::shared_ptr<plugins::PluginManager> plugins;     // null: none registered
  std::shared_ptr<scripting::ScriptEngine> scripts;    // null: scripts.dir missing
};

// Call at host start (register_admin_routes), after the plugins and scripts
// registered their sources and before requests are served.
HostExtensionSources find_extension_sources(flow::Extensions& extensions);

}  // namespace zhaoyin::admin
