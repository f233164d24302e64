// The callbacks.* settings: safe defaults (also in the shipped
// config/zhaoyin.properties) and clear errors for bad values.
#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <catch2/catch.hpp>
#include <test_support.h>
#include <zhaoyin/app/host_config.h>

using namespace zhaoyin;

namespace {

app::HostConfig parse(std::initializer_list<std::pair<const char*, const char*>> settings) {
  Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
  for (const auto& [k, v] : settings) config->setString(k, v);
  return app::load_host_config(*config);
}

}  // namespace

TEST_CASE("callback config: defaults are https only, public destinations only") {
  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> shipped(
      new Poco::Util::PropertyFileConfiguration(test::source_dir() + "/config/zhaoyin.properties"));
  for (const auto& c : {parse({}), app::load_host_config(*shipped)}) {
    CHECK_FALSE(c.callbacks.allow_http);
    CHECK(c.callbacks.allow_networks.empty());
    CHECK(c.callbacks.allow_hosts.empty());
    CHECK(c.callbacks.pinned_ca_dir.empty());
    CHECK(c.callbacks.connect_timeout == std::chrono::seconds(5));
    CHECK(c.callbacks.read_timeout == std::chrono::seconds(10));
    CHECK(c.callbacks.workers == 4);
    CHECK(c.callbacks.max_attempts == 10);
  }
  CHECK(shipped->has("callbacks.allow_http"));
  CHECK(shipped->has("callbacks.allow"));
}

TEST_CASE("callback config: values are read and bad ones refused with the key named") {
  const auto c = parse({{"callbacks.allow_http", "true"},
                        {"callbacks.allow", "127.0.0.1/32, ::1 hooks.example"},
                        {"callbacks.workers", "8"}});
  CHECK(c.callbacks.allow_http);
  CHECK(c.callbacks.allow_networks.size() == 2);
  CHECK(c.callbacks.allow_hosts == std::vector<std::string>{"hooks.example"});
  CHECK(c.callbacks.workers == 8);
  CHECK_THROWS_WITH(parse({{"callbacks.allow_http", "yes"}}), Catch::Contains("callbacks.allow_http"));
  CHECK_THROWS_WITH(parse({{"callbacks.allow", "10.0.0.0/40"}}), Catch::Contains("callbacks.allow"));
  CHECK_THROWS_WITH(parse({{"callbacks.workers", "0"}}), Catch::Contains("callbacks.workers"));
  CHECK_THROWS_WITH(parse({{"callbacks.retry_base_seconds", "60"}, {"callbacks.retry_max_seconds", "10"}}),
                    Catch::Contains("callbacks.retry_max_seconds"));
}
