// The sandbox's own pattern matcher (bounded_strings.cpp, pattern_matcher.cpp)
// against Lua's: the same corpus of string.find / match / gmatch / gsub calls
// runs in a plain Lua state with Lua's own string library and inside the
// sandbox, and every result (values, types, error messages) must be equal.
#include <catch2/catch.hpp>
#include <lua.hpp>
#include <regex>
#include <sstream>

#include "engine_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

// A chunk returning one line per call: "<call> <ok>,<results or message>".
const char* const kCorpus = R"lua(
local function show(...)
  local parts = {}
  for i = 1, select('#', ...) do
    local v = select(i, ...)
    parts[#parts + 1] = type(v) == 'string' and string.format('%q', v) or (math.type(v) or type(v)) .. ':' .. tostring(v)
  end
  return table.concat(parts, ',')
end
local out = {}
local function run(label, f, ...)
  out[#out + 1] = label .. ' ' .. show(pcall(f, ...))
end
local function all_matches(s, p, init)
  local r = {}
  for a, b, c in string.gmatch(s, p, init) do r[#r + 1] = show(a, b, c) end
  return table.concat(r, ';')
end

local subjects = { "", "hello world", "  key = value  ", "THE (quick) fox", "a,b,,c", "[[x]]", "aaab",
                   "x=1, y=22, z=333", "\0a\0b", "f(a(b)c)d", "THE END", "été", "$^%" }
local patterns = { "", "o", "l+", "l*", "l-", "l?", "^h", "d$", "^$", ".", "%a+", "%A+", "%d+", "(%w+)=(%w+)",
                   "()ll()", "%s*(.-)%s*$", "[%a_][%w_]*", "[^,]*", "[a-c]+", "[]]", "[^]]+", "%bxy", "%b()",
                   "%f[%w]%w+", "%f[%W]", "(a)(b)?", "((a)(b))", "(h)(e)%2?", "(l)%1", "a-b", "%.", "[%]]", ".-b",
                   "$", "^", "^(%s*)", "(.)%1", "[%s%p]+", "%x+", "%u%l*", "%c", "%g+", "%z", "[a-]", "[-a]",
                   "[%a-z]", "x*$", "^(.-)$", "%$", "%^", "()", "(()a)", "[\0]", "%S+", "%W", "%P+", "%L+", "[^%d%s]+",
                   "(%a+)(%a+)", "é", "[\195\169]+", "^[%$%^]+" }
local bad = { "[a", "%", "(", ")", "%1", "%b", "%ba", "%f", "%fa", "(()", "a)", "[^", "[%", "(%1)", "%0" }

for _, s in ipairs(subjects) do
  for _, p in ipairs(patterns) do
    local q = string.format('%q %q', s, p)
    run('find ' .. q, string.find, s, p)
    run('find2 ' .. q, string.find, s, p, 2)
    run('find-3 ' .. q, string.find, s, p, -3)
    run('find99 ' .. q, string.find, s, p, 99)
    run('plain ' .. q, string.find, s, p, 1, true)
    run('match ' .. q, string.match, s, p)
    run('match3 ' .. q, string.match, s, p, 3)
    run('gmatch ' .. q, all_matches, s, p)
    run('gmatch2 ' .. q, all_matches, s, p, 2)
    run('gsub ' .. q, string.gsub, s, p, '<%0>')
    run('gsub1 ' .. q, string.gsub, s, p, '[%1]')
    run('gsub2 ' .. q, string.gsub, s, p, '%2%%')
    run('gsubn ' .. q, string.gsub, s, p, '#', 1)
    run('gsubf ' .. q, string.gsub, s, p, function(...) return show(...) end)
    run('gsubf0 ' .. q, string.gsub, s, p, function() return false end)
    run('gsubt ' .. q, string.gsub, s, p, { hello = 'HI', a = 1, l = true })
  end
  for _, p in ipairs(bad) do
    local q = string.format('%q %q', s, p)
    run('bad find ' .. q, string.find, s, p)
    run('bad match ' .. q, string.match, s, p)
    run('bad gmatch ' .. q, all_matches, s, p)
    run('bad gsub ' .. q, string.gsub, s, p, 'x')
  end
end
run('gsub bad %', string.gsub, 'abc', 'b', '%')
run('gsub bad %x', string.gsub, 'abc', 'b', '%x')
run('gsub bad value', string.gsub, 'abc', 'b', function() return {} end)
run('gsub number repl', string.gsub, 'abc', 'b', 42)
run('gsub bad repl', string.gsub, 'abc', 'b', true)
run('gsub position capture', string.gsub, 'abc', '()b', '%1')
run('gsub position table', string.gsub, 'abc', '()b', { [2] = 'two' })
run('find no arg', string.find, 'abc')
run('find bad init', string.find, 'abc', 'b', 'x')
run('method', function() return ('key=val'):match('(%w+)=(%w+)') end)
run('deep', string.find, string.rep('a', 300), string.rep('a?', 300) .. string.rep('a', 300))
run('captures 32', string.match, string.rep('a', 40), string.rep('(a)', 32))
run('captures 33', string.match, string.rep('a', 40), string.rep('(a)', 33))
run('rep', string.rep, 'ab', 3, ',')
run('rep 0', string.rep, 'ab', 0)
run('rep empty', string.rep, '', 5, '')
run('rep sep only', string.rep, '', 3, ',')
return table.concat(out, '\n')
)lua";

// Errors raised where a Lua function called the library (a gmatch iterator
// in a for loop) carry that function's position; the chunk names differ.
std::string without_positions(const std::string& lines) {
  static const std::regex kWhere(R"re("(\[string \\"\.\.\.\\"\]|tax/t\.lua):\d+: )re");
  return std::regex_replace(lines, kWhere, "\"<where>: ");
}

std::string run_in_plain_lua() {
  lua_State* L = luaL_newstate();
  luaL_openlibs(L);
  REQUIRE(luaL_loadstring(L, kCorpus) == LUA_OK);
  REQUIRE(lua_pcall(L, 0, 1, 0) == LUA_OK);
  std::string result = lua_tostring(L, -1);
  lua_close(L);
  return result;
}

}  // namespace

TEST_CASE("string.find, match, gmatch and gsub in the sandbox give Lua's own results and errors") {
  const std::string expected = without_positions(run_in_plain_lua());
  REQUIRE(expected.size() > 100000);

  scripting::EngineLimits limits;
  limits.instructions_per_call = 1'000'000'000;
  limits.time_per_call_ms = 3'600'000;  // the test asserts results, never time
  EngineFixture f(limits);
  f.script("tax/t.lua", std::string("local function corpus()\n") + kCorpus +
                            "\nend\nfunction on_presentation_verified(e) return {refuse = corpus()} end\n");
  const auto d = f.present();
  REQUIRE(d.code == "refused_by_script");

  // Line by line, so a difference shows the call that differs.
  std::istringstream want(expected), got(without_positions(d.reason));
  std::string w, g;
  int lines = 0;
  while (std::getline(want, w)) {
    REQUIRE(std::getline(got, g));
    INFO("line " << lines + 1);
    REQUIRE(g == w);
    ++lines;
  }
  CHECK_FALSE(std::getline(got, g));
  CHECK(lines > 10000);
}
