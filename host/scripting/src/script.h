#pragma once
// One bound script file and the Lua states that run it.
//
// Versions: the file is compiled when first used and again whenever its
// mtime or size (or a module's it required) changes, checked on every use. A
// version that does not compile never replaces a working one: the old
// version keeps running and the error is kept for the admin API and logged
// once per broken edit.
//
// Concurrency: states are pooled per application (client id) — a state only
// ever serves one application, so nothing a script keeps in its globals can
// reach another application's calls. A call takes an idle state of the
// current version from its application's pool (or builds one, up to
// Limits::states_per_application, or waits for one), runs alone on it, and
// gives it back. States of an older version, and states that ran out of
// budget or memory, are closed instead of going back.
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "call_context.h"
#include "lua_sandbox.h"

namespace zhaoyin::scripting {

class Script {
 public:
  // `path` is relative to `scripts_dir` and already validated.
  Script(std::string path, std::filesystem::path scripts_dir, Limits limits, HostServices services);

  const std::string& path() const { return path_; }

  // Recompiles when the file (or a module) changed, or always with `force`.
  // Returns false when a compile failed (the previous version, if any, stays).
  bool refresh(bool force = false);

  // Runs `hook` for the event's application. Failed when no version is loaded.
  CallResult call(const char* hook, CallContext& ctx);

  // The matters the loaded version declares (declared_matters.h); [] when none is loaded.
  nlohmann::json declared_matters() const;

  // {"path","loaded","version":{"number","loaded_at","size","mtime"},"last_error":{"message","at"}|null,
  //  "states":{client_id: n},"calls","refusals","failures","stopped"}
  nlohmann::json status() const;

 private:
  struct Version {
    std::uint64_t number = 0;
    std::string text;
    std::filesystem::file_time_type mtime;
    std::uintmax_t size = 0;
    std::string loaded_at;
  };
  struct Pooled {
    std::unique_ptr<LuaSandbox> sandbox;
    std::uint64_t version = 0;
  };
  struct Pool {
    std::vector<Pooled> idle;
    std::size_t total = 0;
  };

  ScriptText text_of(const Version& v) const;
  bool changed_on_disk() const;
  void record_error(const std::string& message);

  const std::string path_;
  const std::filesystem::path scripts_dir_;
  const std::filesystem::path file_;  // as bound (links not resolved): what the change check looks at
  const std::filesystem::path department_dir_;
  const std::string department_;
  const Limits limits_;
  const HostServices services_;

  std::mutex reload_mutex_;  // one compile at a time
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::shared_ptr<const Version> version_;
  std::set<ModuleFile> modules_;  // what require() loaded, for change detection
  std::optional<std::pair<std::filesystem::file_time_type, std::uintmax_t>> failed_signature_;
  std::string last_error_, last_error_at_;
  std::map<std::string, Pool> pools_;
  std::uint64_t calls_ = 0, refusals_ = 0, failures_ = 0, stopped_ = 0;
};

}  // namespace zhaoyin::scripting
