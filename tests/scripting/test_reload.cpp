// Hot reload: a changed file is seen by the next call without a restart; an
// edit that does not compile keeps the previous version running and reports
// the error; a changed module reloads the script too.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "engine_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

nlohmann::json status_of(EngineFixture& f, const std::string& path) {
  const auto status = f.engine().status();
  for (const auto& s : status["scripts"])
    if (s["path"] == path) return s;
  return nullptr;
}

}  // namespace

TEST_CASE("a changed script is used by the next call, a broken edit keeps the old version and reports why") {
  EngineFixture f;
  f.script("tax/t.lua", "function on_presentation_verified(e) return {refuse = 'v1'} end\n");
  CHECK(f.present().reason == "v1");
  CHECK(status_of(f, "tax/t.lua")["version"]["number"] == 1);

  // Sizes differ between versions: the check is mtime + size.
  f.write("tax/t.lua", "function on_presentation_verified(e) return {refuse = 'version 2'} end\n");
  CHECK(f.present().reason == "version 2");
  auto s = status_of(f, "tax/t.lua");
  CHECK(s["version"]["number"] == 2);
  CHECK(s["last_error"].is_null());
  CHECK(s["applications"] == nlohmann::json{"app-a"});

  f.write("tax/t.lua", "function on_presentation_verified(e)\n  return {refuse = 'v3'\nend\n");
  CHECK(f.present().reason == "version 2");
  s = status_of(f, "tax/t.lua");
  CHECK(s["loaded"] == true);
  CHECK(s["version"]["number"] == 2);
  REQUIRE(s["last_error"].is_object());
  const std::string error = s["last_error"]["message"];
  CHECK(error.find("tax/t.lua:3:") != std::string::npos);
  CHECK(error.find("'}' expected") != std::string::npos);

  // A top level that fails at run time is refused the same way.
  f.write("tax/t.lua", "local x = nil\nx.y = 1\nfunction on_presentation_verified(e) return {refuse = 'v4'} end\n");
  CHECK(f.present().reason == "version 2");
  CHECK(status_of(f, "tax/t.lua")["last_error"]["message"].get<std::string>().find("tax/t.lua:2: attempt to index") !=
        std::string::npos);

  f.write("tax/t.lua", "function on_presentation_verified(e) return {refuse = 'fixed v5'} end\n");
  CHECK(f.present().reason == "fixed v5");
  s = status_of(f, "tax/t.lua");
  CHECK(s["version"]["number"] == 3);
  CHECK(s["last_error"].is_null());
}

TEST_CASE("a script whose first version does not compile refuses its flows until it is fixed") {
  EngineFixture f;
  f.script("tax/t.lua", "function on_presentation_verified(e\n");
  auto d = f.present();
  REQUIRE_FALSE(d.allowed);
  CHECK(d.status == 422);
  CHECK(d.code == "script_unavailable");
  CHECK(d.reason.find("tax/t.lua") != std::string::npos);
  f.write("tax/t.lua", "function on_presentation_verified(e) end\n");
  CHECK(f.present().allowed);
}

TEST_CASE("a changed module reloads the script that required it") {
  EngineFixture f;
  f.write("tax/names.lua", "return {label = 'one'}\n");
  f.script("tax/t.lua",
           "local names = require('names')\n"
           "function on_presentation_verified(e) return {refuse = names.label} end\n");
  CHECK(f.present().reason == "one");
  f.write("tax/names.lua", "return {label = 'second'}\n");
  CHECK(f.present().reason == "second");
}

TEST_CASE("reload_all recompiles every bound script and states are reused between calls") {
  EngineFixture f;
  f.script("tax/t.lua", "n = 0\nfunction on_presentation_verified(e) n = n + 1 return {refuse = tostring(n)} end\n");
  CHECK(f.present().reason == "1");
  CHECK(f.present().reason == "2");
  auto status = f.engine().reload_all();
  CHECK(status["scripts"][0]["version"]["number"] == 2);
  CHECK(f.present().reason == "1");  // a new version starts with fresh states
  CHECK(status_of(f, "tax/t.lua")["states"]["app-a"] == 1);
}

TEST_CASE("concurrent calls share a bounded pool of states per application") {
  EngineFixture f;  // states_per_application = 2
  f.script("tax/t.lua",
           "function on_presentation_verified(e)\n"
           "  local s = 0 for i = 1, 2000 do s = s + i end\n"
           "  if e.client_id ~= 'app-a' then zhaoyin.refuse('wrong event') end\n"
           "end\n");
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i)
        if (f.present().allowed) ++allowed;
    });
  for (auto& t : threads) t.join();
  CHECK(allowed == 240);
  const auto s = status_of(f, "tax/t.lua");
  CHECK(s["states"]["app-a"].get<int>() <= 2);
  CHECK(s["calls"] == 240);
}
