#pragma once
// Which department plugins and which integrator scripts an application runs,
// in order (table application_extensions, migration 7). The plugin manager and
// the script engine read it; the admin API, the CLI and the sandbox import
// write it.
#include <string>
#include <vector>
#include <zhaoyin/store/database.h>

namespace zhaoyin::store {

enum class ExtensionKind { Plugin, Script };
std::string to_string(ExtensionKind kind);  // "plugin" | "script"

struct ExtensionBinding {
  std::string client_id;
  ExtensionKind kind = ExtensionKind::Plugin;
  std::string name;  // a plugin id ("tax") or a script path under scripts.dir ("tax/etax_hall.lua")
  int position = 0;  // run order within (client_id, kind), from 0
};

class ExtensionBindingRepository {
 public:
  explicit ExtensionBindingRepository(Database& db) : db_(db) {}

  // The names bound to an application, in run order.
  std::vector<std::string> names(const std::string& client_id, ExtensionKind kind) const;

  // Replaces the application's list in one transaction. Throws StoreError for
  // an unknown application, an empty or duplicate name.
  void set(const std::string& client_id, ExtensionKind kind, const std::vector<std::string>& names);

  // Every application's bindings of a kind, ordered by client_id then position.
  std::vector<ExtensionBinding> list(ExtensionKind kind) const;

 private:
  Database& db_;
};

}  // namespace zhaoyin::store
