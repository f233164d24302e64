#include "lua_json.h"

#include <cmath>

namespace zhaoyin::scripting {

namespace {

constexpr int kMaxDepth = kJsonMaxDepth;

// Roughly how many bytes of JSON text the values converted so far make.
struct SizeBound {
  std::size_t max_bytes;
  std::size_t bytes = 0;
  void add(std::size_t n) {
    bytes += n;
    if (bytes > max_bytes)
      throw JsonConversionError("cannot encode more than " + std::to_string(max_bytes) + " bytes of JSON");
  }
};

void push_value(lua_State* L, const nlohmann::json& v, int depth) {
  luaL_checkstack(L, 3, "JSON nesting");
  switch (v.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded: lua_pushnil(L); break;
    case nlohmann::json::value_t::boolean: lua_pushboolean(L, v.get<bool>()); break;
    case nlohmann::json::value_t::number_integer: lua_pushinteger(L, v.get<std::int64_t>()); break;
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = v.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(LUA_MAXINTEGER)) lua_pushinteger(L, static_cast<lua_Integer>(u));
      else lua_pushnumber(L, static_cast<lua_Number>(u));
      break;
    }
    case nlohmann::json::value_t::number_float: lua_pushnumber(L, v.get<double>()); break;
    case nlohmann::json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      lua_pushlstring(L, s.data(), s.size());
      break;
    }
    case nlohmann::json::value_t::binary: lua_pushnil(L); break;
    case nlohmann::json::value_t::array: {
      if (depth >= kMaxDepth) luaL_error(L, "JSON nested deeper than %d", kMaxDepth);
      lua_createtable(L, static_cast<int>(v.size()), 0);
      lua_Integer i = 1;
      for (const auto& item : v) {
        push_value(L, item, depth + 1);
        lua_rawseti(L, -2, i++);
      }
      break;
    }
    case nlohmann::json::value_t::object: {
      if (depth >= kMaxDepth) luaL_error(L, "JSON nested deeper than %d", kMaxDepth);
      lua_createtable(L, 0, static_cast<int>(v.size()));
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (it->is_null()) continue;
        lua_pushlstring(L, it.key().data(), it.key().size());
        push_value(L, *it, depth + 1);
        lua_rawset(L, -3);
      }
      break;
    }
  }
}

// 1..n with n > 0, nothing else: an array of length n; 0 otherwise.
lua_Integer array_length(lua_State* L, int index) {
  const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, index));
  if (n == 0) return 0;
  lua_Integer count = 0;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1)) {
      lua_pop(L, 1);
      return 0;
    }
    const lua_Integer k = lua_tointeger(L, -1);
    if (k < 1 || k > n) {
      lua_pop(L, 1);
      return 0;
    }
    ++count;
  }
  return count == n ? n : 0;
}

nlohmann::json to_value(lua_State* L, int index, int depth, SizeBound& bound) {
  index = lua_absindex(L, index);
  bound.add(8);  // a number, a literal or punctuation
  switch (lua_type(L, index)) {
    case LUA_TNIL: return nullptr;
    case LUA_TBOOLEAN: return lua_toboolean(L, index) != 0;
    case LUA_TNUMBER: {
      if (lua_isinteger(L, index)) return static_cast<std::int64_t>(lua_tointeger(L, index));
      const double d = lua_tonumber(L, index);
      if (!std::isfinite(d)) throw JsonConversionError("cannot encode a non-finite number");
      return d;
    }
    case LUA_TSTRING: {
      std::size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      bound.add(len);
      return std::string(s, len);
    }
    case LUA_TTABLE: {
      if (depth >= kMaxDepth)  // depth counts from 0: kMaxDepth levels in all
        throw JsonConversionError("cannot encode a table nested deeper than " + std::to_string(kMaxDepth) +
                                  " (a cycle?)");
      luaL_checkstack(L, 4, "JSON nesting");
      if (const lua_Integer n = array_length(L, index); n > 0) {
        nlohmann::json a = nlohmann::json::array();
        for (lua_Integer i = 1; i <= n; ++i) {
          lua_rawgeti(L, index, i);
          a.push_back(to_value(L, -1, depth + 1, bound));
          lua_pop(L, 1);
        }
        return a;
      }
      nlohmann::json o = nlohmann::json::object();
      lua_pushnil(L);
      while (lua_next(L, index) != 0) {
        std::string key;
        if (lua_type(L, -2) == LUA_TSTRING) {
          std::size_t len = 0;
          const char* s = lua_tolstring(L, -2, &len);
          key.assign(s, len);
          bound.add(len);
        } else if (lua_type(L, -2) == LUA_TNUMBER) {
          lua_pushvalue(L, -2);  // tostring on a copy: lua_tolstring must not change the key lua_next uses
          key = lua_tostring(L, -1);
          lua_pop(L, 1);
        } else {
          throw JsonConversionError(std::string("cannot encode a table key of type ") + luaL_typename(L, -2));
        }
        o[key] = to_value(L, -1, depth + 1, bound);
        lua_pop(L, 1);
      }
      return o;
    }
    default:
      throw JsonConversionError(std::string("cannot encode a ") + luaL_typename(L, index) + " value");
  }
}

}  // namespace

void push_json(lua_State* L, const nlohmann::json& value) { push_value(L, value, 0); }

nlohmann::json lua_to_json(lua_State* L, int index, std::size_t max_bytes) {
  SizeBound bound{max_bytes};
  return to_value(L, index, 0, bound);
}

}  // namespace zhaoyin::scripting
