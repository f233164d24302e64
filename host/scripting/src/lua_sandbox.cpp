#include "lua_sandbox.h"

#include <zhaoyin/scripting/script_engine.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "lua_json.h"
#include "sandbox_state.h"

namespace zhaoyin::scripting {

namespace {

// The error object zhaoyin.refuse raises to unwind the script; recognised by
// address, so a script cannot forge it.
char refusal_sentinel;
// Registry keys.
const char* const kReadonlySet = "zhaoyin.readonly";
const char* const kModules = "zhaoyin.modules";
char module_loading;  // a module being loaded: require() of it again is a loop

// ---- memory ----------------------------------------------------------------

void* capped_alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
  auto* st = static_cast<SandboxState*>(ud);
  const std::size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    std::free(ptr);
    st->used -= old;
    return nullptr;
  }
  if (nsize > old && st->used - old + nsize > st->limits.memory_bytes) {
    // Lua raises "not enough memory" (after an emergency collection): note
    // where, since a memory error carries no position of its own.
    if (st->L && st->memory_where.empty()) st->memory_where = current_position(st->L);
    return nullptr;
  }
  void* p = std::realloc(ptr, nsize);
  if (!p) return nullptr;
  st->used = st->used - old + nsize;
  return p;
}

// ---- time ------------------------------------------------------------------

std::atomic<bool> g_shutting_down{false};

void count_hook(lua_State* L, lua_Debug* ar) {
  auto& st = sandbox_state(L);
  st.counted += kHookStep;
  if (!st.limit_reached()) return;
  // Raised again at every step until the call ends, so a script cannot
  // swallow it with pcall and carry on.
  std::string where = st.script.path;
  if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0) where = std::string(ar->short_src) + ":" + std::to_string(ar->currentline);
  const std::string message = where + ": " + limit_message(st);
  lua_pushlstring(L, message.data(), message.size());
  lua_error(L);
}

// ---- error messages --------------------------------------------------------

std::string error_text(lua_State* L, int index) {
  if (lua_type(L, index) == LUA_TSTRING) return lua_tostring(L, index);
  if (lua_type(L, index) == LUA_TNUMBER) {
    lua_pushvalue(L, index);
    std::string s = lua_tostring(L, -1);
    lua_pop(L, 1);
    return s;
  }
  return std::string("(error object is a ") + luaL_typename(L, index) + " value)";
}

// Message handler of every protected call: makes sure the message names the
// script and line (error("x", 0) and non-string errors carry none).
int message_handler(lua_State* L) {
  if (lua_touserdata(L, 1) == &refusal_sentinel) return 1;
  const std::string position = current_position(L);
  std::string message = error_text(L, 1);
  const auto colon = position.rfind(':');
  const std::string chunk = colon == std::string::npos ? position : position.substr(0, colon);
  if (message.rfind(chunk + ":", 0) != 0) message = position + ": " + message;
  lua_pushlstring(L, message.data(), message.size());
  return 1;
}

// ---- the sandboxed base functions -------------------------------------------

// Whether the error that just ended a protected call must keep unwinding:
// the budget is spent, memory ran out, or the script refused.
bool must_propagate(lua_State* L, int status) {
  auto& st = sandbox_state(L);
  if (status == LUA_ERRMEM) st.out_of_memory = true;
  return st.out_of_memory || st.stopped() || (st.ctx && st.ctx->refusal) ||
         lua_touserdata(L, -1) == &refusal_sentinel;
}

int sandbox_pcall(lua_State* L) {
  luaL_checkany(L, 1);
  const int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  if (status != LUA_OK) {
    if (must_propagate(L, status)) return lua_error(L);
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  return lua_gettop(L);
}

// xpcall(f, handler, ...): the handler runs after the stack has unwound (it
// sees the message, not the failing frame).
int sandbox_xpcall(lua_State* L) {
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 2);
  lua_insert(L, 1);  // handler, f, handler, args...
  lua_remove(L, 3);  // handler, f, args...
  const int status = lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 0);
  if (status != LUA_OK) {
    if (must_propagate(L, status)) return lua_error(L);
    lua_pushvalue(L, 1);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_replace(L, 1);
  return lua_gettop(L);
}

// load(chunk [, chunkname [, mode [, env]]]): strings only, always text mode.
int sandbox_load(lua_State* L) {
  if (lua_type(L, 1) != LUA_TSTRING)
    return luaL_error(L, "load: only a string of Lua source can be loaded in the sandbox");
  std::size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  const char* name = luaL_optstring(L, 2, "=(load)");
  const bool has_env = !lua_isnone(L, 4);
  if (luaL_loadbufferx(L, s, len, name, "t") != LUA_OK) {
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
  }
  if (has_env) {
    lua_pushvalue(L, 4);
    if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  }
  return 1;
}

bool is_readonly(lua_State* L, int index) {
  if (!lua_getmetatable(L, index)) return false;  // raw: ignores __metatable
  lua_pop(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlySet);
  lua_pushvalue(L, index);
  lua_rawget(L, -2);
  const bool ro = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return ro;
}

int sandbox_rawset(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (is_readonly(L, 1)) return luaL_error(L, "rawset: this table is read-only");
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// setmetatable without __gc: Lua runs finalizers with debug hooks turned off
// (lgc.c GCTM), so a finalizer could loop beyond the instruction budget. An
// object is marked for finalization only if its metatable has __gc when it
// is set, so refusing it here is enough.
int sandbox_setmetatable(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const int t = lua_type(L, 2);
  luaL_argexpected(L, t == LUA_TNIL || t == LUA_TTABLE, 2, "nil or table");
  if (t == LUA_TTABLE) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL) return luaL_error(L, "setmetatable: __gc metamethods are not allowed in scripts");
    lua_pop(L, 1);
  }
  if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL) return luaL_error(L, "cannot change a protected metatable");
  lua_settop(L, 2);
  lua_setmetatable(L, 1);
  return 1;
}

void log_line(lua_State* L, const std::string& level, const std::string& message) {
  auto& st = sandbox_state(L);
  if (st.ctx) {
    if (st.ctx->log_lines >= st.limits.log_lines_per_call) {
      if (!st.ctx->log_dropped_noted && st.services.log)
        st.services.log->warn("script log lines dropped", {{"script", st.script.path},
                                                           {"limit_per_call", st.limits.log_lines_per_call}});
      st.ctx->log_dropped_noted = true;
      return;
    }
    ++st.ctx->log_lines;
  }
  if (!st.services.log) return;
  nlohmann::json fields = {{"script", st.script.path}, {"line", current_position(L)}};
  if (st.ctx && st.ctx->event) {
    fields["client_id"] = st.ctx->event->client_id;
    fields["point"] = std::string(flow::to_string(st.ctx->event->point));
  }
  auto lvl = http::log_level_from(level).value_or(http::LogLevel::Info);
  if (lvl == http::LogLevel::Off) lvl = http::LogLevel::Info;
  st.services.log->log(lvl, "script: " + clip_log_message(message), fields);
}

int sandbox_print(lua_State* L) {
  std::string line;
  const int n = lua_gettop(L);
  for (int i = 1; i <= n; ++i) {
    std::size_t len = 0;
    const char* s = luaL_tolstring(L, i, &len);
    if (i > 1) line += '\t';
    line.append(s, len);
    lua_pop(L, 1);
  }
  return guarded(L, [&] {
    log_line(L, "info", line);
    return 0;
  });
}

// require("name") / require("sub.name"): <department folder>/name.lua or
// sub/name.lua, text only, once per state.
int sandbox_require(lua_State* L) {
  const std::string name = luaL_checkstring(L, 1);
  static const std::regex kModuleName("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
  if (name.size() > 200 || !std::regex_match(name, kModuleName))
    return luaL_error(L, "require: '%s' is not a module name (letters, digits and _, separated by dots); "
                         "modules load only from the script's own folder", name.c_str());
  lua_getfield(L, LUA_REGISTRYINDEX, kModules);
  const int cache = lua_gettop(L);
  lua_getfield(L, cache, name.c_str());
  if (lua_touserdata(L, -1) == &module_loading) return luaL_error(L, "require: '%s' requires itself", name.c_str());
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 1);

  auto& st = sandbox_state(L);
  std::string rel = name;
  for (auto& c : rel)
    if (c == '.') c = '/';
  rel += ".lua";
  std::string text, error;
  ModuleFile record;
  try {
    namespace fs = std::filesystem;
    const fs::path root = fs::canonical(st.script.department_dir);
    const fs::path file = root / rel;
    std::error_code ec;
    const fs::path real = fs::canonical(file, ec);
    const auto [r_end, _] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    if (ec || !fs::is_regular_file(real)) {
      error = "require: no module '" + name + "' in " + st.script.department + "/ (modules load only from the script's own folder)";
    } else if (r_end != root.end()) {
      error = "require: module '" + name + "' lies outside " + st.script.department + "/";
    } else if (fs::file_size(real) > st.limits.max_script_bytes) {
      error = "require: module '" + name + "' is larger than " + std::to_string(st.limits.max_script_bytes) + " bytes";
    } else {
      std::ifstream in(real, std::ios::binary);
      std::ostringstream buf;
      buf << in.rdbuf();
      text = buf.str();
      record = {real, fs::last_write_time(real), fs::file_size(real)};
    }
  } catch (const std::exception& e) {
    error = std::string("require: ") + e.what();
  }
  if (!error.empty()) return luaL_error(L, "%s", error.c_str());
  st.modules.insert(record);

  const std::string chunkname = "=" + st.script.department + "/" + rel;
  if (luaL_loadbufferx(L, text.data(), text.size(), chunkname.c_str(), "t") != LUA_OK) return lua_error(L);
  lua_pushlightuserdata(L, &module_loading);
  lua_setfield(L, cache, name.c_str());
  lua_pushstring(L, name.c_str());
  lua_call(L, 1, 1);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, cache, name.c_str());
  return 1;
}

// ---- read-only proxies -------------------------------------------------------

int readonly_newindex(lua_State* L) {
  return luaL_error(L, "%s is read-only", lua_tostring(L, lua_upvalueindex(1)));
}

int proxy_next(lua_State* L) {  // upvalue 1: the real table
  lua_settop(L, 2);
  if (lua_next(L, lua_upvalueindex(1)) != 0) return 2;
  lua_pushnil(L);
  return 1;
}

int proxy_pairs(lua_State* L) {  // upvalue 1: the real table; the real table never reaches the script
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushcclosure(L, proxy_next, 1);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

int proxy_len(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, lua_upvalueindex(1))));
  return 1;
}

// ---- building the state --------------------------------------------------------

void remove_global(lua_State* L, const char* name) {
  lua_pushnil(L);
  lua_setglobal(L, name);
}

void readonly_global(lua_State* L, const char* name) {
  lua_getglobal(L, name);
  make_readonly(L, name);
  lua_setglobal(L, name);
}

int open_sandbox(lua_State* L) {
  lua_newtable(L);  // weak-keyed set of read-only proxies
  lua_newtable(L);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, kReadonlySet);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kModules);

  luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
  luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
  luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
  luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
  luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
  lua_newtable(L);  // os: time, date and clock only
  for (const char* keep : {"time", "date", "clock"}) {
    lua_getfield(L, -2, keep);
    lua_setfield(L, -2, keep);
  }
  lua_setglobal(L, "os");
  lua_settop(L, 0);

  for (const char* name : {"dofile", "loadfile", "collectgarbage", "warn"}) remove_global(L, name);
  lua_pushcfunction(L, sandbox_load);
  lua_setglobal(L, "load");
  lua_pushcfunction(L, sandbox_pcall);
  lua_setglobal(L, "pcall");
  lua_pushcfunction(L, sandbox_xpcall);
  lua_setglobal(L, "xpcall");
  lua_pushcfunction(L, sandbox_rawset);
  lua_setglobal(L, "rawset");
  lua_pushcfunction(L, sandbox_setmetatable);
  lua_setglobal(L, "setmetatable");
  lua_pushcfunction(L, sandbox_print);
  lua_setglobal(L, "print");
  lua_pushcfunction(L, sandbox_require);
  lua_setglobal(L, "require");

  lua_getglobal(L, "string");
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");  // bytecode has no use here
  lua_pop(L, 1);
  // The strings' metatable (its __index is the real string table): locked.
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);

  install_bounded_strings(L);
  install_bounded_tables(L);
  for (const char* name : {"string", "table", "math", "utf8", "os"}) readonly_global(L, name);
  install_host_api(L);
  install_call_tables(L);
  return 0;
}

std::string status_message(SandboxState& st, lua_State* L, int status) {
  if (status == LUA_ERRMEM || st.out_of_memory) {
    st.out_of_memory = true;
    const std::string where = st.memory_where.empty() ? st.script.path : st.memory_where;
    return where + ": memory limit exceeded (" + std::to_string(st.limits.memory_bytes / 1024) +
           " KiB per script state)";
  }
  return error_text(L, -1);
}

}  // namespace

void make_readonly(lua_State* L, const char* name) {
  const int real = lua_gettop(L);
  lua_newtable(L);  // the proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, real);
  lua_setfield(L, -2, "__index");
  lua_pushstring(L, name);
  lua_pushcclosure(L, readonly_newindex, 1);
  lua_setfield(L, -2, "__newindex");
  lua_pushvalue(L, real);
  lua_pushcclosure(L, proxy_pairs, 1);
  lua_setfield(L, -2, "__pairs");
  lua_pushvalue(L, real);
  lua_pushcclosure(L, proxy_len, 1);
  lua_setfield(L, -2, "__len");
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_getfield(L, LUA_REGISTRYINDEX, kReadonlySet);
  lua_pushvalue(L, -2);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_replace(L, real);
}

void raise_refusal(lua_State* L) {
  lua_pushlightuserdata(L, &refusal_sentinel);
  lua_error(L);
  std::abort();  // lua_error does not return
}

std::string current_position(lua_State* L) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar); ++level) {
    if (!lua_getinfo(L, "Sl", &ar)) continue;
    if (ar.currentline > 0) return std::string(ar.short_src) + ":" + std::to_string(ar.currentline);
  }
  return sandbox_state(L).script.path;
}

bool SandboxState::limit_reached() {
  if (stop != Stop::none) return true;
  if (counted > limits.instructions_per_call) stop = Stop::instructions;
  else if (g_shutting_down.load(std::memory_order_relaxed)) stop = Stop::shutdown;
  else if (std::chrono::steady_clock::now() >= deadline) stop = Stop::time;
  return stop != Stop::none;
}

void SandboxState::start_clock() {
  counted = 0;
  stop = Stop::none;
  deadline = std::chrono::steady_clock::now() + limits.time_per_call;
}

std::string limit_message(const SandboxState& st) {
  switch (st.stop) {
    case SandboxState::Stop::instructions:
      return "instruction budget exceeded (" + std::to_string(st.limits.instructions_per_call) + " instructions per call)";
    case SandboxState::Stop::time:
      return "time limit exceeded (" + std::to_string(st.limits.time_per_call.count()) + " ms per call)";
    case SandboxState::Stop::shutdown: return "stopped: the host is shutting down";
    case SandboxState::Stop::none: break;
  }
  return "stopped";
}

void raise_limit(lua_State* L) {
  const std::string message = current_position(L) + ": " + limit_message(sandbox_state(L));
  lua_pushlstring(L, message.data(), message.size());
  lua_error(L);
  std::abort();  // lua_error does not return
}

void charge(lua_State* L, std::uint64_t instructions) {
  auto& st = sandbox_state(L);
  st.counted += instructions;
  if (st.limit_reached()) raise_limit(L);
}

bool scripts_shutting_down() { return g_shutting_down.load(std::memory_order_relaxed); }

void set_scripts_shutting_down(bool stopping) { g_shutting_down.store(stopping, std::memory_order_relaxed); }

LuaSandbox::LuaSandbox(const ScriptText& script, const Limits& limits, HostServices services)
    : state_(std::make_unique<SandboxState>()) {
  auto& st = *state_;
  st.limits = limits;
  st.script = script;
  st.script.text.clear();
  st.services = std::move(services);
  L_ = lua_newstate(capped_alloc, &st);
  if (!L_) throw ScriptError(script.path + ": cannot create a Lua state (memory limit too small)");
  st.L = L_;
  *static_cast<SandboxState**>(lua_getextraspace(L_)) = &st;
  lua_sethook(L_, count_hook, LUA_MASKCOUNT, kHookStep);
  st.start_clock();  // the top level runs under the same limits as a call

  std::string error;
  lua_pushcfunction(L_, open_sandbox);
  if (lua_pcall(L_, 0, 0, 0) != LUA_OK) {
    error = script.path + ": cannot build the sandbox: " + status_message(st, L_, LUA_ERRRUN);
  } else {
    lua_pushcfunction(L_, message_handler);
    const std::string chunkname = "=" + script.path;
    int status = luaL_loadbufferx(L_, script.text.data(), script.text.size(), chunkname.c_str(), "t");
    if (status == LUA_OK) status = lua_pcall(L_, 0, 0, 1);
    if (status != LUA_OK) error = status_message(st, L_, status);
    if (status != LUA_OK && error.rfind(script.path, 0) != 0) error = script.path + ": " + error;
  }
  if (!error.empty()) {
    st.stop = SandboxState::Stop::instructions;  // finalizers run by lua_close stop at once
    lua_close(L_);
    L_ = nullptr;
    throw ScriptError(error);
  }
  lua_settop(L_, 0);
}

LuaSandbox::~LuaSandbox() {
  if (!L_) return;
  state_->ctx = nullptr;
  state_->stop = SandboxState::Stop::instructions;  // a __gc finalizer that loops is stopped at once
  lua_close(L_);
}

bool LuaSandbox::broken() const { return state_->out_of_memory || state_->stopped(); }
std::size_t LuaSandbox::memory_in_use() const { return state_->used; }
std::set<ModuleFile> LuaSandbox::modules() const { return state_->modules; }

CallResult LuaSandbox::call(const char* name, CallContext& ctx) {
  auto& st = *state_;
  CallResult result;
  lua_settop(L_, 0);
  st.ctx = &ctx;
  st.start_clock();
  st.out_of_memory = false;
  st.memory_where.clear();
  lua_pushcfunction(L_, message_handler);
  lua_pushcfunction(L_, call_trampoline);
  lua_pushlightuserdata(L_, const_cast<char*>(name));
  const int status = lua_pcall(L_, 1, 0, 1);
  expire_call_tables(L_);
  if (ctx.refusal) {
    result.status = CallStatus::Refused;
    result.code = ctx.refusal_code;
    result.message = *ctx.refusal;
  } else if (status != LUA_OK) {
    result.status = CallStatus::Failed;
    result.message = status_message(st, L_, status);
  } else if (!ctx.seal_types.empty()) {
    result.requirements["seal_types"] = ctx.seal_types;
  }
  st.ctx = nullptr;
  lua_settop(L_, 0);
  return result;
}

}  // namespace zhaoyin::scripting
