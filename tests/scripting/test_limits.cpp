// Limits inside library calls (docs/SCRIPTING.md, "The sandbox"): work Lua
// does in C — pattern matching, plain search, string.rep, table loops,
// zhaoyin.json — is charged to the instruction budget and checked against the
// deadline and the host's shutdown; scripts are read from scripts.dir only.
// Every test asserts which limit refused and with what message, never how
// long anything took.
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

#include "engine_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

void expect_failure(const flow::Decision& d, std::initializer_list<std::string> fragments) {
  INFO(d.code << " / " << d.reason);
  REQUIRE_FALSE(d.allowed);
  CHECK(d.status == 422);
  CHECK(d.code == "script_failed");
  for (const auto& f : fragments) CHECK(d.reason.find(f) != std::string::npos);
}

std::string hook(const std::string& body) { return "function on_presentation_verified(e)\n" + body + "\nend\n"; }

// Budget and deadline so large that only the limit under test can stop a script.
scripting::EngineLimits unbounded_limits() {
  scripting::EngineLimits l = EngineFixture::small_limits();
  l.instructions_per_call = std::uint64_t{1} << 62;
  return l;
}

// An ostream whose text a test can wait for (the script's print lines).
class WatchedLog {
 public:
  WatchedLog() : log_(std::make_shared<http::JsonLog>(stream_)) {}
  std::shared_ptr<http::JsonLog> log() { return log_; }
  void wait_for(const std::string& text) {
    std::unique_lock lock(buf_.mutex);
    buf_.changed.wait(lock, [&] { return buf_.text.find(text) != std::string::npos; });
  }
  std::string text() {
    std::lock_guard lock(buf_.mutex);
    return buf_.text;
  }

 private:
  struct Buffer : std::streambuf {
    std::mutex mutex;
    std::condition_variable changed;
    std::string text;
    int overflow(int c) override {
      if (c != traits_type::eof()) xsputn(reinterpret_cast<const char*>(&c), 1);
      return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
      {
        std::lock_guard lock(mutex);
        text.append(s, static_cast<std::size_t>(n));
      }
      changed.notify_all();
      return n;
    }
  };
  Buffer buf_;
  std::ostream stream_{&buf_};
  std::shared_ptr<http::JsonLog> log_;
};

// Lets scripts run again however the test ends.
struct ShutdownReset {
  ~ShutdownReset() { scripting::set_scripts_shutting_down(false); }
};

}  // namespace

TEST_CASE("a backtracking pattern is stopped by the instruction budget inside the library call") {
  EngineFixture f;
  f.script("tax/t.lua", hook("  local s = string.rep('a', 1e5)\n  return s:find('.-.-.-.-.-b') == nil"));
  expect_failure(f.present(), {"tax/t.lua:3: instruction budget exceeded (2000000 instructions per call)"});

  const std::vector<std::string> calls = {
      "string.match(s, '.-.-.-.-.-b')",
      "for x in s:gmatch('(.-)(.-)(.-)b') do end",
      "s:gsub('.-.-.-.-.-b', 'x')",
      "s:gsub('a', function(c) return s:find('.-.-.-b') end)",  // inside a replacement function too
      "string.find(s, ('a?'):rep(100) .. ('a'):rep(100) .. 'b')",
      "string.find(s, '%f[a]' .. ('.-'):rep(20) .. 'b')",
      "string.find(s, ('(a*)'):rep(10) .. 'b')",
      "string.find(s, '[' .. ('b'):rep(5000) .. ']')",  // a long set is charged by its length
      "string.find(('(x'):rep(1e5), '%b()')",
  };
  for (const auto& call : calls) {
    INFO(call);
    f.script("tax/t.lua", hook("  local s = string.rep('a', 1e5)\n  " + call));
    expect_failure(f.present(), {"tax/t.lua:3:", "instruction budget exceeded"});
  }

  SECTION("pcall cannot swallow it") {
    f.script("tax/t.lua", hook("  local s = string.rep('a', 1e5)\n"
                               "  for i = 1, 10 do pcall(string.find, s, '.-.-.-.-.-b') end\n"
                               "  return {refuse = 'carried on'}"));
    expect_failure(f.present(), {"tax/t.lua:3:", "instruction budget exceeded"});
  }
  SECTION("nor can a top level that runs one be loaded") {
    f.script("tax/top.lua", "string.rep('a', 1e5):find('.-.-.-.-.-b')\nfunction on_presentation_verified(e) end\n");
    const auto d = f.present();
    REQUIRE_FALSE(d.allowed);
    CHECK(d.code == "script_unavailable");
    CHECK(d.reason.find("tax/top.lua:1: instruction budget exceeded") != std::string::npos);
  }
  SECTION("the state is replaced and ordinary patterns keep working") {
    f.script("tax/t.lua", hook("  local k, v = ('  nsrsbh = 91420100YULA38GUXF '):match('^%s*(%w+)%s*=%s*(%w+)')\n"
                               "  return {refuse = k .. '|' .. v .. '|' .. (('a,b,c'):gsub(',', ';'))}"));
    CHECK(f.present().reason == "nsrsbh|91420100YULA38GUXF|a;b;c");
  }
}

TEST_CASE("a quadratic plain search is stopped by the instruction budget") {
  EngineFixture f;
  f.script("tax/t.lua", hook("  local s = ('a'):rep(1e6)\n  return s:find(('a'):rep(5e5) .. 'b', 1, true) == nil"));
  expect_failure(f.present(), {"tax/t.lua:3:", "instruction budget exceeded"});
}

TEST_CASE("string.rep of a huge size is refused before any work") {
  EngineFixture f;
  const std::vector<std::string> calls = {
      "string.rep('x', 1e15)",
      "string.rep('x', 1 << 30)",
      "('xyz'):rep(2e6)",
      "string.rep('', 1e9, ',')",
      "string.rep('x', math.maxinteger, 'y')",
      "string.rep(('x'):rep(4 * 1024 * 1024 + 1), 1)",
  };
  for (const auto& call : calls) {
    INFO(call);
    f.script("tax/t.lua", hook("  local s = " + call));
    expect_failure(f.present(), {"tax/t.lua:2:", "string.rep: a result of more than 4194304 bytes is refused"});
  }
  // Empty results cost nothing however many repetitions; results within the limit are Lua's own.
  f.script("tax/t.lua", hook("  assert(string.rep('', 1e15) == '' and string.rep('', 1e15, '') == '')\n"
                             "  assert(string.rep('ab', 3, ',') == 'ab,ab,ab' and string.rep('x', 0) == '' and string.rep('x', -5) == '')\n"
                             "  assert(#string.rep('abcdefgh', 256 * 1024) == 2 * 1024 * 1024)"));
  const auto d = f.present();
  INFO(d.reason);
  CHECK(d.allowed);
}

TEST_CASE("table functions are charged for their loops before they run") {
  EngineFixture f;
  const std::vector<std::string> calls = {
      "table.move({}, 1, 1e12, 2)",
      "table.move({}, math.mininteger, math.maxinteger, 1, {})",
      "table.insert(setmetatable({}, {__len = function() return 1e15 end}), 1, 'x')",
      "table.remove(setmetatable({}, {__len = function() return 1e15 end}), 1)",
      "table.concat({}, ',', 1, 1e12)",
      "table.unpack({}, 1, 1e12)",
      "table.sort(setmetatable({}, {__len = function() return 1e12 end}))",
  };
  for (const auto& call : calls) {
    INFO(call);
    f.script("tax/t.lua", hook("  " + call));
    expect_failure(f.present(), {"tax/t.lua:2:", "instruction budget exceeded"});
  }
  // Ordinary use, and Lua's own argument errors, are unchanged.
  f.script("tax/t.lua", hook("  local t = {3, 1, 2}\n  table.sort(t)\n  table.insert(t, 1, 0)\n  table.insert(t, 9)\n"
                             "  assert(table.remove(t) == 9 and table.remove(t, 1) == 0)\n"
                             "  assert(table.concat(table.move(t, 1, 3, 2, {}), ',', 2, 4) == '1,2,3')\n"
                             "  assert(select('#', table.unpack(t)) == 3)\n"
                             "  local ok, err = pcall(table.insert, 1, 2)\n"
                             "  assert(not ok and err:find('table expected'), err)"));
  CHECK(f.present().allowed);
}

TEST_CASE("string.format refuses widths and precisions beyond two digits") {
  EngineFixture f;
  f.script("tax/t.lua", hook("  return string.format('%1000000d', 1)"));
  expect_failure(f.present(), {"tax/t.lua:2:", "invalid conversion"});
  f.script("tax/t.lua", hook("  return {refuse = string.format('%99.99f', 1/3):len() .. ''}"));
  CHECK(f.present().reason == "101");
}

TEST_CASE("the wall-clock deadline stops a call, also inside a library call") {
  // A deadline of 0 ms has passed at the first check: which check comes
  // first is fixed by the script, not by the clock.
  auto limits = unbounded_limits();
  limits.time_per_call_ms = 0;
  EngineFixture f(limits);
  f.script("tax/t.lua", hook("  local i = 0\n  while true do i = i + 1 end"));
  expect_failure(f.present(), {"tax/t.lua:3: time limit exceeded (0 ms per call)"});

  // (the subject is built without a library call, which would check the clock first)
  f.script("tax/t.lua", hook("  local s = 'a' for i = 1, 16 do s = s .. s end\n  s:find('.-.-.-.-.-b')"));
  expect_failure(f.present(), {"tax/t.lua:3: time limit exceeded (0 ms per call)"});

  SECTION("pcall cannot swallow it") {
    f.script("tax/t.lua", hook("  for i = 1, 3 do pcall(function() while true do end end) end\n  return true"));
    expect_failure(f.present(), {"tax/t.lua:2:", "time limit exceeded"});
  }
}

TEST_CASE("the host's shutdown stops a script running inside a pattern, and every later call") {
  ShutdownReset reset;
  WatchedLog watched;
  auto limits = unbounded_limits();
  EngineFixture f(limits, watched.log());
  // Without the shutdown this pattern runs for hours: neither the budget nor
  // the deadline (an hour) can stop it first.
  f.script("tax/t.lua", hook("  local s = string.rep('a', 1e5)\n  print('pattern started')\n"
                             "  return s:find('.-.-.-.-.-.-.-.-b') == nil"));
  flow::Decision d;
  std::thread request([&] { d = f.present(); });
  watched.wait_for("script: pattern started");
  scripting::set_scripts_shutting_down(true);  // what zhaoyin-host does on SIGTERM
  request.join();
  expect_failure(d, {"tax/t.lua:4: stopped: the host is shutting down"});

  f.script("tax/t.lua", hook("  while true do end"));
  expect_failure(f.present(), {"stopped: the host is shutting down"});

  scripting::set_scripts_shutting_down(false);
  f.script("tax/t.lua", hook("  return {refuse = 'runs again'}"));
  CHECK(f.present().reason == "runs again");
}

// zhaoyin.json.decode reads through protocol::read_json, the reader of every
// JSON from outside, and answers nil, "zhaoyin.json.decode: <code>: <message>",
// <code> with its codes. The hook returns "<v> <code> | <message>".
std::string decode_outcome(EngineFixture& f, const std::string& text_expression) {
  f.script("tax/t.lua", hook("  local v, err, code = zhaoyin.json.decode(" + text_expression + ")\n"
                             "  return {refuse = tostring(v) .. ' ' .. tostring(code) .. ' | ' .. tostring(err)}"));
  return f.present().reason;
}

TEST_CASE("zhaoyin.json.decode refuses with the one reader's codes: depth, sizes, numbers, duplicates, syntax") {
  auto limits = EngineFixture::small_limits();
  limits.memory_bytes = 32u * 1024 * 1024;  // room for the 4 MiB texts themselves
  limits.instructions_per_call = std::uint64_t{1} << 40;
  EngineFixture f(limits);

  // json_too_deep: 32 levels are read, the 33rd is refused (it was 64 before the one reader).
  f.script("tax/t.lua", hook("  local v = zhaoyin.json.decode(('['):rep(32) .. (']'):rep(32))\n"
                             "  return {refuse = type(v) .. ' ' .. type(v[1])}"));
  CHECK(f.present().reason == "table table");
  CHECK(decode_outcome(f, "('['):rep(33) .. (']'):rep(33)") ==
        "nil json_too_deep | zhaoyin.json.decode: json_too_deep: nesting deeper than 32 levels");
  CHECK(decode_outcome(f, "('['):rep(100000)") ==
        "nil json_too_deep | zhaoyin.json.decode: json_too_deep: nesting deeper than 32 levels");

  // json_too_large: the text, one array, one object, the values in all.
  CHECK(decode_outcome(f, "'\"' .. ('abcdefgh'):rep(512 * 1024) .. '\"'") ==
        "nil json_too_large | zhaoyin.json.decode: json_too_large: the text is longer than 4194304 bytes");
  CHECK(decode_outcome(f, "'[' .. ('0,'):rep(100000) .. '0]'") ==
        "nil json_too_large | zhaoyin.json.decode: json_too_large: an array has more than 100000 items");
  f.script("tax/t.lua", hook("  local m = {}\n  for i = 1, 1001 do m[i] = '\"k' .. i .. '\":0' end\n"
                             "  local v, err, code = zhaoyin.json.decode('{' .. table.concat(m, ',') .. '}')\n"
                             "  return {refuse = tostring(v) .. ' ' .. code .. ' | ' .. err}"));
  CHECK(f.present().reason ==
        "nil json_too_large | zhaoyin.json.decode: json_too_large: an object has more than 1000 members");
  // string_bytes / 8 = 524288 values at most: six arrays of 100 000 are 600 007.
  CHECK(decode_outcome(f, "'[' .. ('[' .. ('0,'):rep(99999) .. '0],'):rep(5) .. '[' .. ('0,'):rep(99999) .. '0]]'") ==
        "nil json_too_large | zhaoyin.json.decode: json_too_large: the document has more than 524288 values");

  // json_number_out_of_range: non-finite, and beyond 2^53 (which is still read).
  CHECK(decode_outcome(f, "'[1e400]'").rfind("nil json_number_out_of_range | zhaoyin.json.decode: json_number_out_of_range: ", 0) == 0);
  CHECK(decode_outcome(f, "'{\"n\":9007199254740993}'").rfind("nil json_number_out_of_range | ", 0) == 0);
  CHECK(decode_outcome(f, "'[-9007199254740993]'").rfind("nil json_number_out_of_range | ", 0) == 0);
  CHECK(decode_outcome(f, "'[1.5e16]'").rfind("nil json_number_out_of_range | ", 0) == 0);
  f.script("tax/t.lua", hook("  local v = zhaoyin.json.decode('[9007199254740992, -9007199254740992, 1.5]')\n"
                             "  return {refuse = string.format('%d %d %.1f', v[1], v[2], v[3])}"));
  CHECK(f.present().reason == "9007199254740992 -9007199254740992 1.5");

  // json_duplicate_key: two readers could see two documents; refused.
  CHECK(decode_outcome(f, "'{\"a\":1,\"b\":{\"a\":2,\"a\":3}}'") ==
        "nil json_duplicate_key | zhaoyin.json.decode: json_duplicate_key: the member name \"a\" is repeated");

  // invalid_json: syntax, trailing bytes, bad UTF-8.
  CHECK(decode_outcome(f, "'{oops'").rfind("nil invalid_json | zhaoyin.json.decode: invalid_json: not valid JSON", 0) == 0);
  CHECK(decode_outcome(f, "'[1] [2]'").rfind("nil invalid_json | ", 0) == 0);
  CHECK(decode_outcome(f, "'\"\\255\"'").rfind("nil invalid_json | ", 0) == 0);

  // What is accepted round-trips as before; null disappears from objects.
  f.script("tax/t.lua", hook("  return {refuse = zhaoyin.json.encode(zhaoyin.json.decode('{\"a\":[1,2,{\"b\":null}]}'))}"));
  CHECK(f.present().reason == R"({"a":[1,2,{}]})");
}

TEST_CASE("zhaoyin.json.decode: the values it makes are charged to the budget and count against the memory cap") {
  // 100 000 numbers in 200 kB of text: one step per 16 bytes of text and one
  // per value, so twenty decodes need 20 x 112 501 steps — beyond a budget of
  // 2 000 000 (charging the text alone, 20 x 12 501, stayed far inside).
  EngineFixture f;  // small_limits: 2 000 000 instructions, 8 MiB
  f.script("tax/t.lua", hook("  local text = '[' .. ('0,'):rep(99999) .. '0]'\n"
                             "  for i = 1, 20 do local v = zhaoyin.json.decode(text) end\n"
                             "  return {refuse = 'all decoded'}"));
  expect_failure(f.present(), {"tax/t.lua:3:", "instruction budget exceeded"});

  // The tables are made in the state: five arrays of 100 000 numbers are
  // more than 8 MiB of Lua values.
  auto limits = EngineFixture::small_limits();
  limits.instructions_per_call = std::uint64_t{1} << 40;
  EngineFixture g(limits);
  g.script("tax/t.lua", hook("  local v = zhaoyin.json.decode('[' .. ('[' .. ('0,'):rep(99999) .. '0],'):rep(4) .. '[' .. ('0,'):rep(99999) .. '0]]')\n"
                             "  return {refuse = 'decoded ' .. #v}"));
  expect_failure(g.present(), {"memory limit exceeded"});
}

TEST_CASE("zhaoyin.json.encode nests as deep as decode reads, no deeper") {
  EngineFixture f(EngineFixture::small_limits());
  const auto nest = [](int n) {
    return "  local t = {}\n  for i = 1, " + std::to_string(n - 1) + " do t = {t} end\n";
  };
  // 32 levels: encoded, and the text reads back through the one reader.
  f.script("tax/t.lua", hook(nest(32) + "  local v, err = zhaoyin.json.decode(zhaoyin.json.encode(t))\n"
                                        "  return {refuse = type(v) .. ' ' .. tostring(err)}"));
  CHECK(f.present().reason == "table nil");
  f.script("tax/t.lua", hook(nest(33) + "  return {refuse = zhaoyin.json.encode(t)}"));
  expect_failure(f.present(), {"nested deeper than 32"});
}

TEST_CASE("zhaoyin.json.encode refuses a result beyond the string limit") {
  auto limits = EngineFixture::small_limits();
  limits.memory_bytes = 32u * 1024 * 1024;
  EngineFixture f(limits);
  f.script("tax/t.lua", hook("  local t = {}\n  for i = 1, 300 do t[i] = ('abcdefghij'):rep(2000) end\n"
                             "  return zhaoyin.json.encode(t)"));
  expect_failure(f.present(), {"tax/t.lua:4:", "cannot encode more than 4194304 bytes of JSON"});
}

TEST_CASE("a script's log line is cut at 4096 bytes") {
  WatchedLog watched;
  EngineFixture f(EngineFixture::small_limits(), watched.log());
  f.script("tax/t.lua", hook("  print(('xxxxxxxxxx'):rep(1e5))\n  zhaoyin.log('warn', ('yyyyyyyyyy'):rep(1e5))"));
  CHECK(f.present().allowed);
  const std::string text = watched.text();
  CHECK(text.find(std::string(4096, 'x') + "... (1000000 bytes, cut)") != std::string::npos);
  CHECK(text.find(std::string(4096, 'y') + "... (1000000 bytes, cut)") != std::string::npos);
  CHECK(text.find(std::string(4097, 'x')) == std::string::npos);
  CHECK(text.size() < 20000);
}

TEST_CASE("a bound script is read from scripts.dir only: symbolic links out are refused") {
  EngineFixture f;
  TempDir outside("zhaoyin-outside");
  write_file(outside.path() / "evil.lua", hook("  return {refuse = 'code from outside scripts.dir ran'}"));
  fs::create_directories(f.scripts() / "tax");

  SECTION("a file linked out") {
    fs::create_symlink(outside.path() / "evil.lua", f.scripts() / "tax" / "evil.lua");
    f.bind("app-a", {"tax/evil.lua"});
    const auto d = f.present();
    INFO(d.reason);
    REQUIRE_FALSE(d.allowed);
    CHECK(d.code == "script_unavailable");
    CHECK(d.reason.find("tax/evil.lua leads outside scripts.dir through a symbolic link") != std::string::npos);
    CHECK(d.reason.find("code from outside") == std::string::npos);
    try {
      scripting::resolve_script_file(f.scripts(), "tax/evil.lua");
      FAIL("resolved a link out of scripts.dir");
    } catch (const scripting::ScriptPathError& e) {
      CHECK(e.code() == "script_outside_scripts_dir");
    }
  }
  SECTION("a department folder linked out") {
    fs::create_directory_symlink(outside.path(), f.scripts() / "evil");
    f.bind("app-a", {"evil/evil.lua"});
    const auto d = f.present();
    REQUIRE_FALSE(d.allowed);
    CHECK(d.code == "script_unavailable");
    CHECK(d.reason.find("leads outside scripts.dir") != std::string::npos);
  }
  SECTION("a link that stays inside is followed; re-pointed outside, the loaded version keeps running") {
    f.write("tax/real.lua", hook("  return {refuse = 'inside'}"));
    fs::create_symlink(f.scripts() / "tax" / "real.lua", f.scripts() / "tax" / "alias.lua");
    f.bind("app-a", {"tax/alias.lua"});
    CHECK(f.present().reason == "inside");

    fs::remove(f.scripts() / "tax" / "alias.lua");
    fs::create_symlink(outside.path() / "evil.lua", f.scripts() / "tax" / "alias.lua");
    CHECK(f.present().reason == "inside");
    const auto status = f.engine().status();
    bool seen = false;
    for (const auto& s : status["scripts"]) {
      if (s["path"] != "tax/alias.lua") continue;
      seen = true;
      REQUIRE(s["last_error"].is_object());
      CHECK(s["last_error"]["message"].get<std::string>().find("leads outside scripts.dir") != std::string::npos);
    }
    CHECK(seen);
  }
}
