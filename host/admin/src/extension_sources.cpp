#include "extension_sources.h"

namespace zhaoyin::admin {

HostExtensionSources find_extension_sources(flow::Extensions& extensions) {
  HostExtensionSources found;
  for (const auto& source : extensions.sources()) {
    if (auto p = std::dynamic_pointer_cast<plugins::PluginManager>(source)) found.plugins = p;
    if (auto s = std::dynamic_pointer_cast<scripting::ScriptEngine>(source)) found.scripts = s;
  }
  return found;
}

}  // namespace zhaoyin::admin
