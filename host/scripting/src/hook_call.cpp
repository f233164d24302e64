// One hook call: the trampoline LuaSandbox::call runs in protected mode,
// the `event` and `form` tables it hands the hook, and reading the hook's
// decision and form back. The state, its limits and the sandboxed library are
// lua_sandbox.cpp's.
#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lua_json.h"
#include "sandbox_state.h"

namespace zhaoyin::scripting {

namespace {

void push_string_field(lua_State* L, const char* key, const std::string& value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

// form.fields: each field as FormField::to_json would give it, built in place
// (no JSON copy per field: docs/PERFORMANCE.md).
void push_form_fields(lua_State* L, const flow::FormFill& fill) {
  luaL_checkstack(L, 4, "form fields");
  lua_createtable(L, static_cast<int>(fill.form.fields.size()), 0);
  lua_Integer i = 1;
  for (const auto& f : fill.form.fields) {
    lua_createtable(L, 0, 6);
    push_string_field(L, "key", f.key);
    push_string_field(L, "label", f.label);
    push_string_field(L, "type", f.type);
    lua_pushboolean(L, f.required);
    lua_setfield(L, -2, "required");
    if (!f.pattern.empty()) push_string_field(L, "pattern", f.pattern);
    if (!f.options.empty()) {
      lua_createtable(L, static_cast<int>(f.options.size()), 0);
      lua_Integer o = 1;
      for (const auto& option : f.options) {
        lua_pushlstring(L, option.data(), option.size());
        lua_rawseti(L, -2, o++);
      }
      lua_setfield(L, -2, "options");
    }
    lua_rawseti(L, -2, i++);
  }
}

// {id, title, department, source, fields = {...}, values = {...}, labels = {...}};
// `fields` is converted when first read (see "Converted on first read").
void push_form(lua_State* L, const flow::FormFill& fill) {
  lua_createtable(L, 0, 7);
  push_string_field(L, "id", fill.form.id);
  push_string_field(L, "title", fill.form.title);
  push_string_field(L, "department", fill.form.department);
  push_string_field(L, "source", fill.form.source);
  push_json(L, fill.values);
  lua_setfield(L, -2, "values");
  push_json(L, fill.labels);
  lua_setfield(L, -2, "labels");
}

// form.values / form.labels back into JSON: key -> string (numbers are
// written as text; nil removes the key).
nlohmann::json string_map(lua_State* L, int form, const char* field, const std::string& script) {
  nlohmann::json out = nlohmann::json::object();
  lua_pushstring(L, field);
  lua_rawget(L, form);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return out;
  }
  if (!lua_istable(L, -1)) throw std::runtime_error(script + ": form." + field + " must be a table");
  const int t = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING)
      throw std::runtime_error(script + ": form." + field + " keys must be strings");
    const std::string key = lua_tostring(L, -2);
    if (lua_type(L, -1) == LUA_TSTRING) {
      out[key] = std::string(lua_tostring(L, -1));
    } else if (lua_type(L, -1) == LUA_TNUMBER) {
      lua_pushvalue(L, -1);
      out[key] = std::string(lua_tostring(L, -1));
      lua_pop(L, 1);
    } else {
      throw std::runtime_error(script + ": form." + field + "." + key + " must be a string, not a " +
                               luaL_typename(L, -1));
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return out;
}

// form.fields entries with a key the form did not have: added fields.
std::vector<flow::FormField> added_fields(lua_State* L, int form, const flow::FormFill& fill, const std::string& script) {
  std::vector<flow::FormField> added;
  lua_pushliteral(L, "fields");
  lua_rawget(L, form);  // raw: fields the script never read were not converted, so none were added
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    return added;
  }
  // Only entries after the form's own fields can be new.
  const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, -1));
  nlohmann::json fields = nlohmann::json::array();
  for (lua_Integer i = static_cast<lua_Integer>(fill.form.fields.size()) + 1; i <= n; ++i) {
    lua_rawgeti(L, -1, i);
    fields.push_back(lua_to_json(L, -1));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  for (const auto& f : fields) {
    if (!f.is_object() || !f.contains("key") || !f["key"].is_string())
      throw std::runtime_error(script + ": every entry of form.fields needs a string key");
    const std::string key = f["key"].get<std::string>();
    const bool known = std::any_of(fill.form.fields.begin(), fill.form.fields.end(), [&](const auto& x) { return x.key == key; }) ||
                       std::any_of(added.begin(), added.end(), [&](const auto& x) { return x.key == key; });
    if (known) continue;
    flow::FormField field;
    field.key = key;
    field.label = f.value("label", key);
    field.type = f.value("type", "text");
    field.required = f.value("required", false);
    field.pattern = f.value("pattern", "");
    if (f.contains("options") && f["options"].is_array())
      for (const auto& o : f["options"])
        if (o.is_string()) field.options.push_back(o.get<std::string>());
    added.push_back(std::move(field));
  }
  return added;
}

// ---- converted on first read ---------------------------------------------------
//
// Most hooks read a few values of the event, and most prefill hooks never
// look at form.fields; converting event.application, event.subject (about 40
// values), event.detail and form.fields into Lua tables before every call was
// most of the engine's cost per call (docs/PERFORMANCE.md, change 8). The
// call's `event` and `form` carry a shared metatable whose __index converts
// such a member when it is first read and stores it in the table (rawset),
// so the next read is a plain table read and the script's changes to it stay;
// __pairs converts all of them first, so pairs() sees the same members as
// before. Only rawget/next on a member never read see the difference
// (docs/SCRIPTING.md). The metatable is locked like the read-only proxies'.
//
// The tables may outlive the call (a script can keep `event` in a global), but
// the FlowEvent they convert from does not: after the call, expire_call_tables
// gives them a metatable under which a member never read raises an error
// instead of reading whatever event the state serves next.

char kLiveMeta;      // registry keys (by address)
char kExpiredMeta;
char kCurrentEvent;  // this call's event table, or false
char kCurrentForm;   // this call's form table, or false

constexpr const char* kEventMembers[] = {"application", "subject", "detail"};

// The table at `index` is the one registered under `key` for this call.
bool is_current(lua_State* L, int index, const void* key) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, key);
  const bool same = lua_rawequal(L, index, -1);
  lua_pop(L, 1);
  return same;
}

// Pushes the converted member `key` of the call table at 1, or nothing (0)
// when `key` is not one converted on demand.
int convert_member(lua_State* L, std::string_view key) {
  const CallContext* ctx = sandbox_state(L).ctx;
  if (!ctx || !ctx->event) return 0;
  if (is_current(L, 1, &kCurrentEvent)) {
    const flow::FlowEvent& e = *ctx->event;
    if (key == "application") push_json(L, e.application);
    else if (key == "subject") push_json(L, e.subject);
    else if (key == "detail") push_json(L, e.detail);
    else return 0;
    return 1;
  }
  if (ctx->fill && key == "fields" && is_current(L, 1, &kCurrentForm)) {
    push_form_fields(L, *ctx->fill);
    return 1;
  }
  return 0;
}

// __index(t, key) during the call.
int live_index(lua_State* L) {
  std::size_t len = 0;
  const char* key = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &len) : nullptr;
  if (!key || !convert_member(L, std::string_view(key, len))) {
    lua_pushnil(L);
    return 1;
  }
  if (!lua_isnil(L, -1)) {  // JSON null stays nil, converted again if read again (cheap)
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
  }
  return 1;
}

// __pairs(t) during the call: every member converted, then plain next
// (upvalue 1: the base library's next, taken before any script ran).
int live_pairs(lua_State* L) {
  for (const char* key : {"application", "subject", "detail", "fields"}) {
    lua_pushstring(L, key);
    lua_rawget(L, 1);
    const bool present = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (present || !convert_member(L, key)) continue;
    lua_pushstring(L, key);
    lua_insert(L, -2);
    lua_rawset(L, 1);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

// __index(t, key) after the call.
int expired_index(lua_State* L) {
  const char* key = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : nullptr;
  if (key) {
    const bool member = std::string_view(key) == "fields" ||
                        std::any_of(std::begin(kEventMembers), std::end(kEventMembers),
                                    [&](const char* m) { return std::string_view(key) == m; });
    if (member)
      return luaL_error(L, "%s was not read during the hook call it belongs to; read it there (it is not kept)", key);
  }
  lua_pushnil(L);
  return 1;
}

void new_call_metatable(lua_State* L, lua_CFunction index, lua_CFunction pairs, const void* key) {
  lua_createtable(L, 0, 3);
  lua_pushcfunction(L, index);
  lua_setfield(L, -2, "__index");
  if (pairs) {
    lua_getglobal(L, "next");
    lua_pushcclosure(L, pairs, 1);
    lua_setfield(L, -2, "__pairs");
  }
  lua_pushliteral(L, "locked");
  lua_setfield(L, -2, "__metatable");
  lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

// The table on top of the stack becomes this call's table under `key`.
void begin_call_table(lua_State* L, const void* key) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &kLiveMeta);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, key);
}

}  // namespace

// ---- the hook call ---------------------------------------------------------------

int call_trampoline(lua_State* L) {
  auto& st = sandbox_state(L);
  CallContext& ctx = *st.ctx;
  // The hook's name comes as a light userdata: pushing a string before the
  // protected call could fail on a state at its memory cap.
  const char* hook = static_cast<const char*>(lua_touserdata(L, 1));
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
  lua_pushstring(L, hook);
  lua_rawget(L, -2);  // raw: a hook is a global function, never something an __index makes up
  if (!lua_isfunction(L, -1)) return 0;

  // Built field by field from the event (no intermediate JSON copies: this
  // runs on every call); application, subject and detail on first read.
  const flow::FlowEvent& e = *ctx.event;
  lua_createtable(L, 0, 5);
  const std::string_view point = flow::to_string(e.point);
  lua_pushlstring(L, point.data(), point.size());
  lua_setfield(L, -2, "point");
  lua_pushlstring(L, e.client_id.data(), e.client_id.size());
  lua_setfield(L, -2, "client_id");
  begin_call_table(L, &kCurrentEvent);
  int nargs = 1;
  int form = 0;
  if (ctx.fill) {
    push_form(L, *ctx.fill);
    begin_call_table(L, &kCurrentForm);
    lua_pushvalue(L, -1);
    form = lua_gettop(L) - 3;  // the copy below the function and its arguments
    lua_insert(L, form);
    ++nargs;
  }
  lua_call(L, nargs, 2);

  // nil / true: allow; false [, message] or {refuse = message}: refuse.
  const int r1 = lua_gettop(L) - 1;
  std::string problem;
  if (lua_isnil(L, r1) || (lua_isboolean(L, r1) && lua_toboolean(L, r1))) {
  } else if (lua_isboolean(L, r1)) {
    ctx.refusal = lua_isstring(L, r1 + 1) ? lua_tostring(L, r1 + 1) : std::string("拒绝 (refused)");
  } else if (lua_istable(L, r1)) {
    lua_getfield(L, r1, "refuse");
    if (lua_isstring(L, -1)) ctx.refusal = lua_tostring(L, -1);
    else if (!lua_isnil(L, -1)) problem = "{refuse = ...} needs a string message";
    lua_pop(L, 1);
  } else {
    problem = std::string("returned a ") + luaL_typename(L, r1) + "; expected nil, true, false or {refuse = \"...\"}";
  }
  if (!problem.empty()) return luaL_error(L, "%s: %s %s", st.script.path.c_str(), hook, problem.c_str());

  if (form && !ctx.refusal) {
    return guarded(L, [&] {
      nlohmann::json values = string_map(L, form, "values", st.script.path);
      nlohmann::json labels = string_map(L, form, "labels", st.script.path);
      auto added = added_fields(L, form, *ctx.fill, st.script.path);
      ctx.fill->values = std::move(values);
      ctx.fill->labels = std::move(labels);
      for (auto& f : added) ctx.fill->form.fields.push_back(std::move(f));
      return 0;
    });
  }
  return 0;
}

void install_call_tables(lua_State* L) {
  new_call_metatable(L, live_index, live_pairs, &kLiveMeta);
  new_call_metatable(L, expired_index, nullptr, &kExpiredMeta);
  // Registered as false rather than nil so the registry keeps the slots: the
  // calls then never grow it (an allocation that could fail at the cap).
  lua_pushboolean(L, 0);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kCurrentEvent);
  lua_pushboolean(L, 0);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &kCurrentForm);
}

void expire_call_tables(lua_State* L) {
  for (const void* key : {static_cast<const void*>(&kCurrentEvent), static_cast<const void*>(&kCurrentForm)}) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, key);
    if (lua_istable(L, -1)) {
      lua_rawgetp(L, LUA_REGISTRYINDEX, &kExpiredMeta);
      lua_setmetatable(L, -2);
    }
    lua_pop(L, 1);
    lua_pushboolean(L, 0);
    lua_rawsetp(L, LUA_REGISTRYINDEX, key);
  }
}

}  // namespace zhaoyin::scripting
