// The script sandbox, driven through the engine with FlowEvents: every escape
// attempt is refused with its own message, runaway scripts are stopped with
// the script and line named, and the next call runs on a fresh state.
#include <catch2/catch.hpp>
#include <cstdio>
#include <lua.hpp>

#include "engine_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

// Expects a 422 script_failed whose reason contains every fragment.
void expect_failure(const flow::Decision& d, std::initializer_list<std::string> fragments) {
  INFO(d.code << " / " << d.reason);
  REQUIRE_FALSE(d.allowed);
  CHECK(d.status == 422);
  CHECK(d.code == "script_failed");
  CHECK(d.source == "script:tax/t.lua");
  for (const auto& f : fragments) CHECK(d.reason.find(f) != std::string::npos);
}

// Lua bytecode of `source`, made by a separate Lua state (string.dump is not
// available inside the sandbox), as a Lua string literal of \ddd escapes.
std::string bytecode_literal(const char* source) {
  lua_State* L = luaL_newstate();
  REQUIRE(luaL_loadstring(L, source) == LUA_OK);
  std::string bytes;
  lua_dump(
      L,
      [](lua_State*, const void* p, size_t n, void* ud) {
        static_cast<std::string*>(ud)->append(static_cast<const char*>(p), n);
        return 0;
      },
      &bytes, 0);
  lua_close(L);
  std::string literal = "\"";
  for (unsigned char c : bytes) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\%03u", c);
    literal += buf;
  }
  return literal + "\"";
}

}  // namespace

TEST_CASE("os.execute, os.exit, os.getenv and io are not there") {
  EngineFixture f;
  f.script("tax/t.lua", "function on_presentation_verified(e)\n  os.execute('touch /tmp/zhaoyin-pwned')\nend\n");
  expect_failure(f.present(), {"tax/t.lua:2:", "attempt to call a nil value (field 'execute')"});

  f.script("tax/t.lua", "function on_presentation_verified(e)\n  local f = io.open('/etc/passwd')\nend\n");
  expect_failure(f.present(), {"tax/t.lua:2:", "attempt to index a nil value (global 'io')"});

  f.script("tax/t.lua",
           "function on_presentation_verified(e)\n"
           "  assert(os.exit == nil and os.getenv == nil and os.remove == nil and os.rename == nil)\n"
           "  assert(debug == nil and package == nil and dofile == nil and loadfile == nil)\n"
           "  assert(coroutine == nil and collectgarbage == nil and string.dump == nil)\n"
           "  assert(type(os.time()) == 'number' and type(os.date('%Y')) == 'string' and type(os.clock()) == 'number')\n"
           "end\n");
  CHECK(f.present().allowed);
}

TEST_CASE("bytecode is refused: by load and as a script file") {
  EngineFixture f;
  f.script("tax/t.lua", "local bc = " + bytecode_literal("return 1") +
                            "\nfunction on_presentation_verified(e)\n  assert(load(bc))\nend\n");
  expect_failure(f.present(), {"tax/t.lua:3:", "attempt to load a binary chunk (mode is 't')"});

  // load with an explicit "b" mode is still text only.
  f.script("tax/t.lua", "local bc = " + bytecode_literal("return 1") +
                            "\nfunction on_presentation_verified(e)\n  assert(load(bc, 'x', 'b'))\nend\n");
  expect_failure(f.present(), {"binary chunk"});

  // Text chunks load, with an environment of the script's choosing.
  f.script("tax/t.lua",
           "function on_presentation_verified(e)\n"
           "  local fn = assert(load('return x + 1', 'calc', 't', {x = 41}))\n"
           "  if fn() ~= 42 then zhaoyin.refuse('load broken') end\nend\n");
  CHECK(f.present().allowed);

  // A script file that is bytecode does not load at all.
  lua_State* L = luaL_newstate();
  REQUIRE(luaL_loadstring(L, "function on_presentation_verified() end") == LUA_OK);
  std::string bytes;
  lua_dump(
      L,
      [](lua_State*, const void* p, size_t n, void* ud) {
        static_cast<std::string*>(ud)->append(static_cast<const char*>(p), n);
        return 0;
      },
      &bytes, 0);
  lua_close(L);
  f.script("tax/bc.lua", bytes);
  const auto d = f.present();
  REQUIRE_FALSE(d.allowed);
  CHECK(d.code == "script_unavailable");
  CHECK(d.reason.find("binary chunk") != std::string::npos);
}

TEST_CASE("a doubling string is stopped by the state's memory cap, naming script and line") {
  EngineFixture f;
  f.script("tax/t.lua",
           "function on_presentation_verified(e)\n  local s = ('x'):rep(1 << 20)\n"
           "  while true do s = s .. s end\nend\n");
  expect_failure(f.present(), {"tax/t.lua:3", "memory limit exceeded"});

  SECTION("growing a table without end, even under pcall") {
    f.script("tax/t.lua",
             "function on_presentation_verified(e)\n"
             "  local t = {}\n"
             "  while true do\n"
             "    pcall(function() t[#t + 1] = string.rep('yyyyyyyyyyyyyyyy', 1024) .. #t end)\n"
             "  end\n"
             "end\n");
    expect_failure(f.present(), {"tax/t.lua:4", "memory limit exceeded"});
  }
  SECTION("the next call gets a fresh state") {
    f.script("tax/t.lua",
             "n = (n or 0) + 1\n"
             "function on_presentation_verified(e)\n"
             "  calls = (calls or 0) + 1\n"
             "  if e.detail.bomb then local s = ('x'):rep(1 << 20) while true do s = s .. s end end\n"
             "  return {refuse = 'calls=' .. calls}\n"
             "end\n");
    auto event = make_event(flow::FlowPoint::presentation_verified, "app-a");
    CHECK(f.check(event).reason == "calls=1");
    CHECK(f.check(event).reason == "calls=2");  // the state is reused
    event.detail["bomb"] = true;
    expect_failure(f.check(event), {"memory limit exceeded"});
    event.detail.erase("bomb");
    CHECK(f.check(event).reason == "calls=1");  // the broken state was replaced
  }
}

TEST_CASE("while true do end is stopped by the instruction budget, naming script and line") {
  EngineFixture f;
  f.script("tax/t.lua", "function on_presentation_verified(e)\n  local i = 0\n  while true do i = i + 1 end\nend\n");
  expect_failure(f.present(), {"tax/t.lua:3", "instruction budget exceeded"});

  SECTION("pcall cannot swallow the budget") {
    f.script("tax/t.lua",
             "function on_presentation_verified(e)\n"
             "  while true do\n"
             "    pcall(function() while true do end end)\n"
             "    xpcall(function() while true do end end, function(m) return m end)\n"
             "  end\n"
             "end\n");
    expect_failure(f.present(), {"tax/t.lua:3", "instruction budget exceeded"});
  }
  SECTION("nor can a top level that never ends be loaded") {
    f.script("tax/top.lua", "while true do end\nfunction on_presentation_verified(e) end\n");
    const auto d = f.present();
    REQUIRE_FALSE(d.allowed);
    CHECK(d.code == "script_unavailable");
    CHECK(d.reason.find("tax/top.lua:1: instruction budget exceeded") != std::string::npos);
  }
  SECTION("finalizers (run by Lua without hooks) are refused") {
    f.script("tax/t.lua",
             "function on_presentation_verified(e)\n"
             "  setmetatable({}, {__gc = function() while true do end end})\n"
             "end\n");
    expect_failure(f.present(), {"tax/t.lua:2: setmetatable: __gc metamethods are not allowed"});
    // A __gc added after setmetatable never marks the object for finalization.
    f.script("tax/t.lua",
             "function on_presentation_verified(e)\n"
             "  local mt = {}\n"
             "  for i = 1, 100 do setmetatable({}, mt) end\n"
             "  mt.__gc = function() while true do end end\n"
             "  local junk = {} for i = 1, 20000 do junk[i] = {i} end\n"
             "end\n");
    CHECK(f.present().allowed);
  }
}

TEST_CASE("shared tables are read-only and setmetatable tricks fail") {
  EngineFixture f;
  const std::vector<std::pair<std::string, std::string>> attempts = {
      {"zhaoyin.refuse = function() end", "zhaoyin is read-only"},
      {"zhaoyin.json.encode = nil", "zhaoyin.json is read-only"},
      {"setmetatable(zhaoyin, nil)", "cannot change a protected metatable"},
      {"setmetatable(zhaoyin.date, {})", "cannot change a protected metatable"},
      {"rawset(zhaoyin, 'refuse', print)", "rawset: this table is read-only"},
      {"getmetatable(zhaoyin).__newindex = nil", "attempt to index a string value"},
      {"string.upper = nil", "string is read-only"},
      {"table.insert = nil", "table is read-only"},
      {"math.huge = 1", "math is read-only"},
      {"os.exit = print", "os is read-only"},
      {"getmetatable('').__index.upper = nil", "attempt to index a nil value"},
      {"for k, v in pairs(zhaoyin) do if type(v) == 'table' then v.x = 1 end end", "is read-only"},
  };
  for (const auto& [code, message] : attempts) {
    INFO(code);
    f.script("tax/t.lua", "function on_presentation_verified(e)\n  " + code + "\nend\n");
    expect_failure(f.present(), {"tax/t.lua:2:", message});
  }
  // Reading through the proxies still works.
  f.script("tax/t.lua",
           "function on_presentation_verified(e)\n"
           "  local n = 0\n"
           "  for k in pairs(zhaoyin.date) do n = n + 1 end\n"
           "  assert(n == 6, 'date functions: ' .. n)\n"
           "  assert(getmetatable(zhaoyin) == 'locked' and getmetatable('') == 'locked')\n"
           "  assert(('abc'):upper() == 'ABC' and string.format('%d', 7) == '7')\n"
           "end\n");
  CHECK(f.present().allowed);
}

TEST_CASE("a script bound to two applications never sees one application's data in the other's call") {
  EngineFixture f;
  f.write("tax/t.lua",
          "seen = seen or {}\n"
          "function on_presentation_verified(e)\n"
          "  local before = #seen\n"
          "  seen[#seen + 1] = e.client_id .. ':' .. e.subject.face_info.uscc\n"
          "  return {refuse = table.concat(seen, ',') .. ' (before ' .. before .. ')'}\n"
          "end\n");
  f.bind("app-a", {"tax/t.lua"});
  f.bind("app-b", {"tax/t.lua"});
  CHECK(f.present("app-a", sample_subject("91420100YULA38GUXF")).reason == "app-a:91420100YULA38GUXF (before 0)");
  CHECK(f.present("app-b", sample_subject("9244030038FRL2441J")).reason == "app-b:9244030038FRL2441J (before 0)");
  CHECK(f.present("app-a", sample_subject("91420100YULA38GUXF")).reason ==
        "app-a:91420100YULA38GUXF,app-a:91420100YULA38GUXF (before 1)");
  CHECK(f.present("app-b", sample_subject("9244030038FRL2441J")).reason ==
        "app-b:9244030038FRL2441J,app-b:9244030038FRL2441J (before 1)");
}

TEST_CASE("require loads text modules from the script's own folder only") {
  EngineFixture f;
  f.write("tax/helpers/names.lua", "local M = {}\nfunction M.nsrsbh(e) return 'N' .. e end\nreturn M\n");
  f.write("banking/secret.lua", "return {key = 'bank'}\n");
  f.script("tax/t.lua",
           "local names = require('helpers.names')\n"
           "function on_presentation_verified(e)\n"
           "  if names.nsrsbh('1') ~= 'N1' then zhaoyin.refuse('bad module') end\n"
           "  assert(require('helpers.names') == names)\n"
           "end\n");
  CHECK(f.present().allowed);

  const std::vector<std::pair<std::string, std::string>> attempts = {
      {"require('../banking/secret')", "is not a module name"},
      {"require('/etc/passwd')", "is not a module name"},
      {"require('banking.secret')", "no module 'banking.secret' in tax/"},
      {"require('os')", "no module 'os' in tax/"},
  };
  for (const auto& [code, message] : attempts) {
    INFO(code);
    f.script("tax/t.lua", "function on_presentation_verified(e)\n  " + code + "\nend\n");
    expect_failure(f.present(), {"tax/t.lua:2:", message});
  }

  // A symbolic link out of the department folder is refused too.
  fs::create_symlink(f.scripts() / "banking" / "secret.lua", f.scripts() / "tax" / "link.lua");
  f.script("tax/t.lua", "function on_presentation_verified(e)\n  require('link')\nend\n");
  expect_failure(f.present(), {"lies outside tax/"});
}

TEST_CASE("a script error refuses that one flow with the script and line, other scripts keep serving") {
  EngineFixture f;
  f.script("tax/t.lua", "function on_presentation_verified(e)\n  local x\n  return x.y\nend\n");
  expect_failure(f.present(), {"tax/t.lua:3: attempt to index a nil value (local 'x')"});

  f.script("tax/t.lua", "function on_presentation_verified(e)\n  error({code = 1})\nend\n");
  expect_failure(f.present(), {"tax/t.lua:2: (error object is a table value)"});

  f.script("tax/t.lua", "function on_presentation_verified(e)\n  error('plain', 0)\nend\n");
  expect_failure(f.present(), {"tax/t.lua:2: plain"});

  f.script("tax/t.lua", "function on_presentation_verified(e)\n  return 42\nend\n");
  expect_failure(f.present(), {"on_presentation_verified returned a number"});

  f.write("banking/ok.lua", "function on_presentation_verified(e) return true end\n");
  f.bind("app-b", {"banking/ok.lua"});
  CHECK(f.present("app-b").allowed);
}

TEST_CASE("an invalid bound path refuses with script_unavailable") {
  EngineFixture f;
  f.bind("app-a", {"../etc/passwd.lua"});
  auto d = f.present();
  REQUIRE_FALSE(d.allowed);
  CHECK(d.code == "script_unavailable");
  f.bind("app-a", {"tax/missing.lua"});
  d = f.present();
  REQUIRE_FALSE(d.allowed);
  CHECK(d.code == "script_unavailable");
  CHECK(d.reason.find("does not exist") != std::string::npos);
  CHECK_FALSE(scripting::valid_script_path("tax/../x.lua"));
  CHECK_FALSE(scripting::valid_script_path("/abs/x.lua"));
  CHECK_FALSE(scripting::valid_script_path("x.lua"));
  CHECK(scripting::valid_script_path("tax/etax_hall.lua"));
}
