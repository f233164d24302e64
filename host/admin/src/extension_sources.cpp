#include "extension_sources.h"

namespace zhaoyin::admin {

namespace {

// WORKAROUND (reported to the lead): flow::Extensions keeps its sources
// private and neither host/plugins nor host/scripting hands its manager/engine
// out, so the operator's pages reach them through the one member pointer the
// language lets an explicit template instantiation name. Replace this with a
// public flow::Extensions::sources() (or a registry in HostContext) when one
// exists. Read once at host start, while no request runs.
using SourcesMember = std::vector<std::shared_ptr<flow::ExtensionSource>> flow::Extensions::*;

struct SourcesTag {
  static SourcesMember member;
};
SourcesMember SourcesTag::member = nullptr;

template <SourcesMember M>
struct ExposeSources {
  ExposeSources() { SourcesTag::member = M; }
  static ExposeSources instance;
};
template <SourcesMember M>
ExposeSources<M> ExposeSources<M>::instance;

template struct ExposeSources<&flow::Extensions::sources_>;

}  // namespace

HostExtensionSources find_extension_sources(flow::Extensions& extensions) {
  HostExtensionSources found;
  if (!SourcesTag::member) return found;
  for (const auto& source : extensions.*SourcesTag::member) {
    if (auto p = std::dynamic_pointer_cast<plugins::PluginManager>(source)) found.plugins = p;
    if (auto s = std::dynamic_pointer_cast<scripting::ScriptEngine>(source)) found.scripts = s;
  }
  return found;
}

}  // namespace zhaoyin::admin
