#pragma once
// One Lua 5.4 state that runs one integrator script for one application, in
// a sandbox:
//   - memory: a lua_Alloc that refuses to grow the state beyond a cap, so
//     string.rep bombs and endless tables end in a memory error;
//   - time: a count hook that stops a call after an instruction budget or
//     at its wall-clock deadline, and library functions that loop in C
//     (pattern matching, string.rep, table.concat/move/sort, ...) charge
//     their work to the same budget and check the same deadline — the count
//     hook never fires inside a C function;
//   - shutdown: once the host begins to stop, running calls stop at their
//     next check;
//   - libraries: base (without dofile, loadfile, collectgarbage, warn; load
//     only text chunks), string (without dump), table, math, utf8, and
//     os.time/os.date/os.clock; no io, debug, package or coroutine;
//   - require: text modules from the script's own department folder only;
//   - shared tables (the libraries, the `zhaoyin` host API) are read-only
//     proxies with a locked metatable.
// A call that exceeded the budget or the memory cap marks the state broken:
// the owner discards it (a fresh one is built for the next call).
//
// We link Lua built as C++ (liblua5.4-c++): Lua errors unwind as C++
// exceptions, so C++ objects in our C functions are destroyed properly. No
// C++ exception of ours may cross Lua: every C function catches its own.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <lua.hpp>

#include "call_context.h"

namespace zhaoyin::scripting {

// What the engine's limits are (per call and per state).
struct Limits {
  std::uint64_t instructions_per_call = 20'000'000;  // about 0.1 s of plain Lua on this machine
  std::chrono::milliseconds time_per_call{5000};     // wall clock, whatever the script waits on
  std::size_t memory_bytes = 32u * 1024 * 1024;      // per state
  std::size_t string_bytes = 4u * 1024 * 1024;       // one string.rep result, one zhaoyin.json text
  std::size_t states_per_application = 4;            // per script and application
  int log_lines_per_call = 100;                      // zhaoyin.log / print lines kept per call
  std::size_t max_script_bytes = 1024 * 1024;        // a script or module file
};

// A script's text as loaded from disk (one version).
struct ScriptText {
  std::string path;        // "tax/etax_hall.lua", relative to the scripts folder
  std::string department;  // "tax": the folder require() may load from
  std::filesystem::path department_dir;  // absolute
  std::string text;
};

// A module file require() read, so the owner can reload when it changes.
struct ModuleFile {
  std::filesystem::path file;
  std::filesystem::file_time_type mtime;
  std::uintmax_t size = 0;
  bool operator<(const ModuleFile& o) const { return file < o.file; }
};

// Compile or run failures, with the script and line in the message.
class ScriptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class CallStatus { Allowed, Refused, Failed };

struct CallResult {
  CallStatus status = CallStatus::Allowed;
  std::string message;  // Failed: "tax/etax_hall.lua:12: attempt to ..."; Refused: the script's message
  std::string code;     // Refused: refused_by_script | matter_not_covered
  nlohmann::json requirements = nlohmann::json::object();
};

struct SandboxState;  // sandbox_state.h: what the allocator, the hook and the host API share

class LuaSandbox {
 public:
  // Builds the state and runs the script's top level (which defines the
  // hooks). Throws ScriptError when it does not compile or its top level fails.
  LuaSandbox(const ScriptText& script, const Limits& limits, HostServices services);
  ~LuaSandbox();
  LuaSandbox(const LuaSandbox&) = delete;
  LuaSandbox& operator=(const LuaSandbox&) = delete;

  // Runs hook `name` (a global function of the script; Allowed when there
  // is none) with the context's event, and the form for on_prefill.
  // Never throws for anything the script does.
  CallResult call(const char* name, CallContext& ctx);

  // True after a call ran out of budget or memory: discard this state.
  bool broken() const;
  std::size_t memory_in_use() const;

  // Module files loaded by require() so far.
  std::set<ModuleFile> modules() const;


 private:
  std::unique_ptr<SandboxState> state_;
  lua_State* L_ = nullptr;
};

}  // namespace zhaoyin::scripting
