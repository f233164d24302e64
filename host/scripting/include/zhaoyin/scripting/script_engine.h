#pragma once
// The script engine: integrators' Lua scripts (scripts/<department>/...) as a
// flow::ExtensionSource. Each script bound to an application is one
// flow::Extension ("script:<path>"); its global functions on_login_confirmed,
// on_presentation_verified, on_prefill, on_sign_task_created and
// on_signature_made run at those flow points, sandboxed (docs/SCRIPTING.md).
//
// Decisions a script makes reach the caller as
//   403 refused_by_script   zhaoyin.refuse(msg), return false / {refuse = msg}
//   403 matter_not_covered  zhaoyin.require_matter(m) for a holder not authorised for m
//   422 script_failed       a Lua error, the instruction budget, the memory cap
//                           ("tax/etax_hall.lua:12: attempt to index a nil value ...")
//   422 script_unavailable  the bound script never loaded (missing, does not compile,
//                           or its path leads out of scripts.dir through a symbolic link)
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <zhaoyin/flow/extensions.h>
#include <zhaoyin/http/log.h>

namespace zhaoyin::scripting {

class Script;

// The sandbox's limits (docs/SCRIPTING.md, "The sandbox"; configured by the
// scripts.* keys of the host's configuration).
struct EngineLimits {
  std::uint64_t instructions_per_call = 20'000'000;  // Lua instructions and library steps
  std::uint64_t time_per_call_ms = 5000;             // wall clock per call (and per top level)
  std::size_t memory_bytes = 32u * 1024 * 1024;      // per Lua state
  std::size_t string_bytes = 4u * 1024 * 1024;       // one string.rep result, one zhaoyin.json text
  std::size_t states_per_application = 4;            // per script and application
};

// The host is shutting down (SIGTERM/SIGINT): every script call running in
// this process stops at its next check (within about a thousand Lua
// instructions or pattern steps) with script_failed "stopped: the host is
// shutting down", and so do later calls, so requests in flight finish
// promptly. `false` lets scripts run again (tests).
void set_scripts_shutting_down(bool stopping);

// Which scripts an application runs, in order (the store's bindings in the
// host; a map in tests).
struct ScriptBindings {
  std::function<std::vector<std::string>(const std::string& client_id)> scripts_of;
  // (client_id, script path) of every binding, for the admin listing.
  std::function<std::vector<std::pair<std::string, std::string>>()> all;
};

// True for "department/file.lua" (and deeper): relative, segments of letters,
// digits, '_', '-' and '.', no "." or ".." segments, ending in ".lua".
bool valid_script_path(const std::string& path);

// Why a script path cannot be used; code() is "script_not_found" or
// "script_outside_scripts_dir".
class ScriptPathError : public std::runtime_error {
 public:
  ScriptPathError(std::string code, const std::string& message) : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

// The file a valid script path names, with every symbolic link resolved,
// after checking that it is a regular file inside `scripts_dir` (itself
// resolved). A link out of scripts.dir (or a department folder that is one)
// throws ScriptPathError script_outside_scripts_dir; nothing outside is read.
std::filesystem::path resolve_script_file(const std::filesystem::path& scripts_dir, const std::string& path);

class ScriptEngine : public flow::ExtensionSource, public std::enable_shared_from_this<ScriptEngine> {
 public:
  // `extensions` serves zhaoyin.forms.* (may be empty); `log` may be null.
  ScriptEngine(std::filesystem::path scripts_dir, ScriptBindings bindings, EngineLimits limits,
               std::shared_ptr<http::JsonLog> log, std::weak_ptr<flow::Extensions> extensions);
  ~ScriptEngine() override;

  std::vector<std::shared_ptr<flow::Extension>> active_for(const std::string& client_id) override;
  std::vector<std::shared_ptr<flow::Extension>> all() override;

  const std::filesystem::path& scripts_dir() const { return scripts_dir_; }

  // Compiles every bound script again (also unchanged ones); a failing one
  // keeps its previous version. Returns the status listing.
  nlohmann::json reload_all();

  // {"scripts_dir", "limits": {...}, "scripts": [Script status + "applications": [...]]}
  nlohmann::json status();

  // The script at `path` (created on first use); nullptr for an invalid path.
  std::shared_ptr<Script> script(const std::string& path);

 private:
  std::filesystem::path scripts_dir_;
  ScriptBindings bindings_;
  EngineLimits limits_;
  std::shared_ptr<http::JsonLog> log_;
  std::weak_ptr<flow::Extensions> extensions_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Script>> scripts_;
};

}  // namespace zhaoyin::scripting
