// zhaoyin plugins list|check: load department plugins the way the host does
// (zhaoyin_plugin_loader) and show what they declare, or why they are refused.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <optional>

#include <zhaoyin/plugins/loader.h>

#include "commands.h"

namespace zhaoyin::cli {

namespace {

namespace fs = std::filesystem;

// The host's default plugins.dir, relative to this executable: <bin>/../lib/zhaoyin/plugins.
fs::path default_plugins_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ((ec ? fs::current_path() : exe.parent_path()) / ".." / "lib" / "zhaoyin" / "plugins").lexically_normal();
}

struct PluginArgs {
  std::optional<std::string> dir;
  std::optional<std::string> file;
  bool json = false;
};

PluginArgs parse_plugin_args(const std::vector<std::string>& args, bool want_file) {
  PluginArgs p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      p.json = true;
    } else if (args[i] == "--dir" && !want_file) {
      if (i + 1 >= args.size()) throw UsageError("--dir needs a folder");
      p.dir = args[++i];
    } else if (want_file && !p.file && args[i].rfind("--", 0) != 0) {
      p.file = args[i];
    } else {
      throw UsageError("unexpected argument " + args[i]);
    }
  }
  if (want_file && !p.file) throw UsageError("plugins check needs a plugin file");
  return p;
}

plugins::LoadOptions quiet_options() {
  plugins::LoadOptions o;
  o.log = [](int, const std::string& id, const std::string& message) {
    std::cerr << "[" << id << "] " << message << "\n";
  };
  return o;
}

void print_plugin(const plugins::LoadedPlugin& p) {
  std::cout << p.id() << " " << p.version() << "  " << p.name() << " (" << p.department() << ")\n"
            << "  file:    " << p.file() << "\n";
  for (const auto& f : p.forms())
    std::cout << "  form:    " << f["id"].get<std::string>() << "  " << f["title"].get<std::string>() << " ("
              << f["fields"].size() << " fields)\n";
  for (const auto& m : p.matters()) std::cout << "  matter:  " << m["path"].get<std::string>() << "\n";
  for (const auto& c : p.config_schema())
    std::cout << "  config:  " << c["key"].get<std::string>() << " (" << c["type"].get<std::string>()
              << ", default " << c["default"].dump() << ")  " << c["label"].get<std::string>() << "\n";
}

}  // namespace

int plugins_list(const std::vector<std::string>& args) {
  const PluginArgs p = parse_plugin_args(args, false);
  const fs::path dir = p.dir ? fs::path(*p.dir) : default_plugins_dir();
  const auto folder = plugins::load_folder(dir, quiet_options());
  if (p.json) {
    nlohmann::json out = {{"dir", dir.lexically_normal().string()},
                          {"plugins", nlohmann::json::array()},
                          {"failures", nlohmann::json::array()}};
    for (const auto& plugin : folder.loaded) out["plugins"].push_back(plugin->describe());
    for (const auto& f : folder.failed) out["failures"].push_back({{"file", f.file}, {"error", f.error}});
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "plugins in " << dir.lexically_normal().string() << ": " << folder.loaded.size() << " loaded, "
              << folder.failed.size() << " refused\n";
    for (const auto& plugin : folder.loaded) print_plugin(*plugin);
    for (const auto& f : folder.failed) std::cout << "REFUSED " << f.file << ": " << f.error << "\n";
  }
  return folder.failed.empty() ? kExitOk : kExitFailure;
}

int plugins_check(const std::vector<std::string>& args) {
  const PluginArgs p = parse_plugin_args(args, true);
  const auto outcome = plugins::load_plugin(*p.file, quiet_options());
  if (!outcome.plugin) {
    if (p.json)
      std::cout << nlohmann::json{{"file", *p.file}, {"ok", false}, {"error", outcome.failure.error}}.dump(2) << "\n";
    else
      std::cout << "REFUSED " << *p.file << ": " << outcome.failure.error << "\n";
    return kExitFailure;
  }
  if (p.json) {
    auto d = outcome.plugin->describe();
    d["ok"] = true;
    std::cout << d.dump(2) << "\n";
  } else {
    std::cout << "OK ";
    print_plugin(*outcome.plugin);
  }
  return kExitOk;
}

}  // namespace zhaoyin::cli
