#pragma once
// JSON <-> Lua values. JSON null becomes nil (so it disappears from objects);
// a Lua table whose keys are exactly 1..n (n > 0) is an array, any other table
// an object (an empty table encodes as {}).
#include <stdexcept>
#include <string>

#include <lua.hpp>
#include <nlohmann/json.hpp>

namespace zhaoyin::scripting {

// A Lua value that has no JSON form (a function, a cycle, NaN, ...).
class JsonConversionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Pushes `value` as a fresh Lua value (tables are new every time).
void push_json(lua_State* L, const nlohmann::json& value);

// The Lua value at `index` as JSON; throws JsonConversionError.
nlohmann::json lua_to_json(lua_State* L, int index);

}  // namespace zhaoyin::scripting
