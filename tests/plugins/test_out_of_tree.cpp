// The SDK as a department would use it: `cmake --install` the ZhaoyinSDK
// package to a prefix, build plugins/example out of tree against it with
// find_package(ZhaoyinSDK), and load the result in a host.
#include <catch2/catch.hpp>
#include "plugin_host_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

TEST_CASE("the example plugin builds out of tree against the installed SDK and loads in a host") {
  TempDir dir("zhaoyin-plugins-out-of-tree");
  const fs::path prefix = dir.path() / "sdk";
  const fs::path source = dir.path() / "example";
  const fs::path build = dir.path() / "build";

  const auto install = run_command(quote(PLUGINS_CMAKE) + " --install " + quote(PLUGINS_BUILD_DIR) +
                                   " --component sdk --prefix " + quote(prefix.string()));
  INFO(install.output);
  REQUIRE(install.exit_code == 0);
  CHECK(fs::exists(prefix / "include" / "zhaoyin" / "plugin_abi.h"));
  CHECK(fs::exists(prefix / "include" / "zhaoyin" / "plugin.hpp"));
  CHECK(fs::exists(prefix / "lib" / "cmake" / "ZhaoyinSDK" / "ZhaoyinSDKConfig.cmake"));

  // Only the example's own folder is copied: nothing else of the source tree is visible.
  fs::create_directories(source);
  for (const char* f : {"CMakeLists.txt", "example_plugin.cpp"})
    fs::copy_file(source_dir() + "/plugins/example/" + f, source / f);
  const auto configure = run_command(quote(PLUGINS_CMAKE) + " -S " + quote(source.string()) + " -B " +
                                     quote(build.string()) + " -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=" +
                                     quote(prefix.string()));
  INFO(configure.output);
  REQUIRE(configure.exit_code == 0);
  const auto compile = run_command(quote(PLUGINS_CMAKE) + " --build " + quote(build.string()));
  INFO(compile.output);
  REQUIRE(compile.exit_code == 0);
  REQUIRE(fs::exists(build / "example.so"));

  // Only the two entry points are exported.
  const auto symbols = run_command("nm -D --defined-only " + quote((build / "example.so").string()));
  CHECK_THAT(symbols.output, Catch::Contains("zhaoyin_plugin_abi_version") && Catch::Contains("zhaoyin_plugin_init"));
  CHECK_THAT(symbols.output, !Catch::Contains("ExamplePlugin"));

  fs::create_directories(dir.path() / "plugins");
  fs::copy_file(build / "example.so", dir.path() / "plugins" / "example.so");
  PluginHost host(dir.path(), shared_sandbox(), (dir.path() / "plugins").string());
  const auto list = host.admin("GET", "/api/v1/admin/plugins").json();
  REQUIRE(list["plugins"].size() == 1);
  CHECK(list["plugins"][0]["id"] == "example");
  CHECK(list["failures"].empty());

  host.bind("banking", {"example"});
  const auto p = host.present("banking", "91420100YULA38GUXF-1");
  INFO(p.body);
  REQUIRE(p.status == 201);
  const auto fill = host.api("POST", "/api/v1/forms/example.contact/prefill", "banking",
                             {{"subject_ref", p.json()["archive_id"]}});
  INFO(fill.body);
  REQUIRE(fill.status == 200);
  CHECK(fill.json()["values"]["contact"] == "张志伟");

  host.configure("example", {{"blocked_uscc", {"91420100YULA38GUXF"}}});
  const auto refused = host.present("banking", "91420100YULA38GUXF-1");
  CHECK(refused.status == 403);
  CHECK(error_code(refused) == "refused_by_plugin");
  CHECK_THAT(refused.body, Catch::Contains("plugin:example: 示例插件拒绝 91420100YULA38GUXF"));
}
