#pragma once
// JSON <-> Lua values. JSON null becomes nil (so it disappears from objects);
// a Lua table whose keys are exactly 1..n (n > 0) is an array, any other table
// an object (an empty table encodes as {}).
#include <cstddef>
#include <stdexcept>
#include <string>

#include <lua.hpp>
#include <nlohmann/json.hpp>
#include <zhaoyin/protocol/json_reader.h>

namespace zhaoyin::scripting {

// A Lua value that has no JSON form (a function, a cycle, NaN, ...).
class JsonConversionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The one JSON reader's default depth (protocol::JsonLimits): whatever
// zhaoyin.json.encode makes, zhaoyin.json.decode and the host read back.
inline constexpr int kJsonMaxDepth = static_cast<int>(protocol::JsonLimits{}.max_depth);

// Pushes `value` as a fresh Lua value (tables are new every time).
void push_json(lua_State* L, const nlohmann::json& value);

// The Lua value at `index` as JSON; throws JsonConversionError, also when
// the JSON text would be longer than about `max_bytes` (the JSON copy lives
// outside the Lua state's memory cap, so zhaoyin.json.encode bounds it).
nlohmann::json lua_to_json(lua_State* L, int index, std::size_t max_bytes = static_cast<std::size_t>(-1));

}  // namespace zhaoyin::scripting
