#pragma once
// What the allocator, the count hook, the sandboxed base functions and the
// host API of one state share. Reached from Lua C functions through the
// state's extra space (lua_getextraspace).
#include <cstdint>
#include <set>
#include <string>

#include <lua.hpp>

#include "call_context.h"
#include "lua_sandbox.h"

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

  // Time: instructions counted in the current call (in steps of kHookStep).
  std::uint64_t counted = 0;
  bool over_budget() const { return counted > limits.instructions_per_call; }

  CallContext* ctx = nullptr;  // set during a hook call only
  std::set<ModuleFile> modules;
};

inline constexpr int kHookStep = 1000;  // instructions between two count-hook calls

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

// Installs the global table `zhaoyin` (host_api.cpp).
void install_host_api(lua_State* L);

}  // namespace zhaoyin::scripting
