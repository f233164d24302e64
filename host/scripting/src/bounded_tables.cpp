// table.insert, remove, move, concat, sort and unpack as the sandbox offers
// them: Lua's own functions, preceded by a charge for the loop they are
// about to run.
//
// Their loops run in C, where the count hook never fires, and their length
// comes from the caller, not from memory: table.move({}, 1, 1e12, 2) moves
// 10^12 nils without allocating anything, and a __len metamethod makes
// table.insert(t, 1, x) shift 10^15 slots. Charging the count first makes
// such a call fail at once with the instruction budget's error, and an
// honest one costs what it loops. Arguments Lua would refuse are passed
// through untouched so that its own messages stay.
#include <bit>
#include <cstdint>

#include "sandbox_state.h"

namespace zhaoyin::scripting {

namespace {

constexpr std::uint64_t kMaxCharge = std::uint64_t{1} << 62;

// hi - lo + 1 items (0 when empty), saturated.
std::uint64_t span(lua_Integer lo, lua_Integer hi) {
  if (hi < lo) return 0;
  const auto n = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
  return n == 0 || n > kMaxCharge ? kMaxCharge : n;  // 0: the whole range of lua_Integer
}

bool is_table(lua_State* L, int arg) { return lua_type(L, arg) == LUA_TTABLE; }

// #t (through __len, as Lua's own functions see it); 0 when it is not an integer.
lua_Integer length_of(lua_State* L, int arg) {
  lua_len(L, arg);
  int is_integer = 0;
  const lua_Integer n = lua_tointegerx(L, -1, &is_integer);
  lua_pop(L, 1);
  return is_integer ? n : 0;
}

lua_Integer integer_arg(lua_State* L, int arg, lua_Integer fallback) {
  int is_integer = 0;
  const lua_Integer n = lua_tointegerx(L, arg, &is_integer);
  return is_integer ? n : fallback;
}

// What each function is about to loop over.
std::uint64_t insert_cost(lua_State* L) {
  if (!is_table(L, 1) || lua_gettop(L) != 3) return 1;  // appending: one step
  const lua_Integer size = length_of(L, 1);
  if (size == LUA_MAXINTEGER) return kMaxCharge;  // a lying __len; size + 1 would overflow
  return span(integer_arg(L, 2, 1), size + 1);
}

std::uint64_t remove_cost(lua_State* L) {
  if (!is_table(L, 1)) return 1;
  const lua_Integer size = length_of(L, 1);
  return span(integer_arg(L, 2, size), size);
}

std::uint64_t move_cost(lua_State* L) {
  return span(integer_arg(L, 2, 1), integer_arg(L, 3, 0));  // table.move(a1, f, e, t [, a2])
}

std::uint64_t concat_cost(lua_State* L) {
  if (!is_table(L, 1)) return 1;
  const lua_Integer last = lua_isnoneornil(L, 4) ? length_of(L, 1) : integer_arg(L, 4, 0);
  return span(integer_arg(L, 3, 1), last);
}

std::uint64_t unpack_cost(lua_State* L) {
  const lua_Integer last = lua_isnoneornil(L, 3) ? (is_table(L, 1) ? length_of(L, 1) : 0) : integer_arg(L, 3, 0);
  return span(integer_arg(L, 2, 1), last);
}

// n log2 n comparisons (each a Lua call when the script gives a comparator,
// counted by the hook as well).
std::uint64_t sort_cost(lua_State* L) {
  if (!is_table(L, 1)) return 1;
  const std::uint64_t n = span(1, length_of(L, 1));
  if (n > (kMaxCharge >> 6)) return kMaxCharge;
  return n * static_cast<std::uint64_t>(std::bit_width(n)) + 1;
}

using CostOf = std::uint64_t (*)(lua_State*);
constexpr CostOf kCosts[] = {insert_cost, remove_cost, move_cost, concat_cost, unpack_cost, sort_cost};

// Upvalue 1: Lua's own function; upvalue 2: the index of its cost in kCosts.
int charged_call(lua_State* L) {
  const auto cost = kCosts[lua_tointeger(L, lua_upvalueindex(2))];
  charge(L, cost(L));
  return lua_tocfunction(L, lua_upvalueindex(1))(L);
}

void wrap(lua_State* L, const char* name, CostOf cost) {
  lua_Integer index = 0;
  while (kCosts[index] != cost) ++index;
  lua_getfield(L, -1, name);
  lua_pushinteger(L, index);
  lua_pushcclosure(L, charged_call, 2);
  lua_setfield(L, -2, name);
}

}  // namespace

void install_bounded_tables(lua_State* L) {
  lua_getglobal(L, LUA_TABLIBNAME);
  wrap(L, "insert", insert_cost);
  wrap(L, "remove", remove_cost);
  wrap(L, "move", move_cost);
  wrap(L, "concat", concat_cost);
  wrap(L, "unpack", unpack_cost);
  wrap(L, "sort", sort_cost);
  lua_pop(L, 1);
}

}  // namespace zhaoyin::scripting
