#pragma once
// What the allocator, the count hook, the sandboxed base functions and the
// host API of one state share. Reached from Lua C functions through the
// state's extra space (lua_getextraspace).
#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include <lua.hpp>

#include "call_context.h"
#include "lua_sandbox.h"
#include "pattern_matcher.h"

namespace zhaoyin::scripting {

struct SandboxState {
  lua_State* L = nullptr;
  Limits limits;
  ScriptText script;  // path, department folder (the text itself is not kept)
  HostServices services;

  // Memory: bytes the state holds; allocations beyond limits.memory_bytes fail.
  std::size_t used = 0;
  bool out_of_memory = false;  // a memory error reached a protected call in this call
  std::string memory_where;    // "tax/etax_hall.lua:5", where the last refused allocation happened

  // Time: instructions counted in the current call (in steps of kHookStep,
  // plus the steps library functions charge for their own work), the call's
  // wall-clock deadline, and why the call must stop. `stop` is sticky until
  // the next call: once set, every later check raises again, so a script
  // cannot catch the error with pcall and carry on.
  enum class Stop { none, instructions, time, shutdown };
  std::uint64_t counted = 0;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  Stop stop = Stop::none;
  bool stopped() const { return stop != Stop::none; }
  // Checks the budget, the host's shutdown and the deadline (in that order:
  // the clock is read last); true when the call must stop.
  bool limit_reached();
  // Starts a call (or the top level): nothing counted, the deadline from now.
  void start_clock();

  CallContext* ctx = nullptr;  // set during a hook call only
  std::set<ModuleFile> modules;
};

inline constexpr int kHookStep = 1000;  // instructions between two count-hook calls

// Thrown by a CallMeter when a limit is reached in the middle of a library
// function's work; the function catches it and calls raise_limit. Not a
// std::exception, so nothing else mistakes it for an ordinary failure.
struct LimitReached {};

// Charges the steps of a library function's work (pattern matching,
// searching) to the state's current call.
class CallMeter final : public StepMeter {
 public:
  explicit CallMeter(SandboxState& st) : st_(st) {}

 protected:
  void spend(std::uint64_t steps) override {
    st_.counted += steps;
    if (st_.limit_reached()) throw LimitReached{};
  }

 private:
  SandboxState& st_;
};

inline SandboxState& sandbox_state(lua_State* L) { return **static_cast<SandboxState**>(lua_getextraspace(L)); }

// Replaces the table on top of the stack by a read-only proxy of it:
// writes raise "<name> is read-only", the metatable is locked, pairs and #
// still work. The proxy is registered so the sandboxed rawset refuses it too.
void make_readonly(lua_State* L, const char* name);

// "tax/etax_hall.lua:12" for the innermost Lua function running, or the
// script path when no Lua function is on the stack.
std::string current_position(lua_State* L);

// Unwinds the script after the call context recorded a refusal (the error
// object is a sentinel the sandbox's pcall lets through).
[[noreturn]] void raise_refusal(lua_State* L);

// "instruction budget exceeded (20000000 instructions per call)", "time
// limit exceeded (5000 ms per call)" or "stopped: the host is shutting down".
std::string limit_message(const SandboxState& st);

// Raises the error of the limit that stopped the call, at the script's
// current line. Call only after limit_reached() returned true.
[[noreturn]] void raise_limit(lua_State* L);

// Adds `instructions` of work done in C to the call's count; raises the
// limit's error when the call must stop.
void charge(lua_State* L, std::uint64_t instructions);

// True once the host has begun to shut down (set_scripts_shutting_down).
bool scripts_shutting_down();

// A script's log message as it goes into the host log: at most
// kLogMessageBytes (cut at a UTF-8 character boundary), so that a script
// cannot write megabytes per line.
inline constexpr std::size_t kLogMessageBytes = 4096;
inline std::string clip_log_message(std::string message) {
  if (message.size() <= kLogMessageBytes) return message;
  const std::size_t full = message.size();
  std::size_t cut = kLogMessageBytes;
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
  message.resize(cut);
  return message + "... (" + std::to_string(full) + " bytes, cut)";
}

// Calls `f` (a C++ lambda); a C++ exception becomes a Lua error raised after
// the lambda's objects are gone.
template <typename F>
int guarded(lua_State* L, F&& f) {
  std::string error;
  try {
    return f();
  } catch (const std::exception& e) {
    error = e.what();
  }
  return luaL_error(L, "%s", error.c_str());
}

// ---- one hook call (hook_call.cpp) ----
// The protected function LuaSandbox::call runs: argument 1 is the hook's name
// as a light userdata; builds `event` (and `form` for on_prefill), calls the
// hook, reads its decision and the form back into the CallContext.
int call_trampoline(lua_State* L);
// Once per state: the metatables of the call's tables (see hook_call.cpp).
void install_call_tables(lua_State* L);
// After every call, protected or not: the call's `event` and `form` no longer
// convert on demand (they may outlive the call in a script's global).
void expire_call_tables(lua_State* L);

// Installs the global table `zhaoyin` (host_api.cpp).
void install_host_api(lua_State* L);

// Replaces string.find, match, gmatch, gsub and rep in the real string table
// (the one the strings' metatable indexes) with bounded versions
// (bounded_strings.cpp).
void install_bounded_strings(lua_State* L);

// Wraps table.insert, remove, move, concat, sort and unpack so that their
// loops are charged to the budget before they run (bounded_tables.cpp).
void install_bounded_tables(lua_State* L);

}  // namespace zhaoyin::scripting
