// zhaoyin-host: configuration parsing, and the binary itself (refusals, a
// clean start that answers /healthz and an OAuth token, exit 0 on SIGTERM).
#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <catch2/catch.hpp>
#include <zhaoyin/app/host_config.h>
#include "sandbox_fixture.h"

using namespace zhaoyin;
using zhaoyin::test::bin;
using zhaoyin::test::quote;
using zhaoyin::test::run_command;
using zhaoyin::test::TempDir;
namespace fs = std::filesystem;

namespace {

app::HostConfig parse(std::initializer_list<std::pair<const char*, const char*>> settings,
                      const std::map<std::string, std::string>& sources = {}) {
  Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
  for (const auto& [k, v] : settings) config->setString(k, v);
  return app::load_host_config(*config, sources);
}

std::string host_command(const std::string& args) { return quote(bin("zhaoyin-host")) + " " + args; }

// Starts the host in the background, waits for its ready line, runs `then`
// (with $URL set), stops it with SIGTERM and prints "exit=<code>". The loop
// waits for an event (the ready line or the process ending); it measures nothing.
zhaoyin::test::CommandResult run_host(const TempDir& dir, const std::string& args, const std::string& then) {
  const std::string log = dir / "host.log";
  const std::string script =
      host_command(args) + " 2>" + quote(log) + " & pid=$!\n" +
      "trap 'kill $pid 2>/dev/null' EXIT\n" +
      "while ! grep -q '\"msg\":\"ready\"' " + quote(log) + " && kill -0 $pid 2>/dev/null; do sleep 0.05; done\n" +
      "URL=$(sed -n 's/.*\"msg\":\"ready\".*\"url\":\"\\([^\"]*\\)\".*/\\1/p' " + quote(log) + ")\n" +
      "echo \"url=$URL\"\n" + then + "\n" +
      "kill -TERM $pid; wait $pid; echo \"exit=$?\"\n";
  zhaoyin::test::write_file(dir.path() / "run.sh", script);
  return run_command("bash " + quote(dir / "run.sh"));
}

std::vector<nlohmann::json> log_lines(const TempDir& dir) {
  std::vector<nlohmann::json> out;
  std::istringstream in(zhaoyin::test::read_file(dir.path() / "host.log"));
  std::string line;
  while (std::getline(in, line)) {
    INFO(line);
    out.push_back(nlohmann::json::parse(line));  // every line is one JSON object
  }
  return out;
}

}  // namespace

TEST_CASE("config: defaults and the shipped config/zhaoyin.properties", "[app][config]") {
  const auto defaults = parse({});
  CHECK(defaults.server.host == "127.0.0.1");
  CHECK(defaults.server.port == 8080);
  CHECK(defaults.max_body_bytes == 1024 * 1024);
  CHECK(defaults.store.driver == "sqlite");
  CHECK(defaults.token_ttl == std::chrono::seconds(3600));
  CHECK(defaults.login_max_renewals == 3);
  CHECK(defaults.log_level == http::LogLevel::Info);

  Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> shipped(
      new Poco::Util::PropertyFileConfiguration(zhaoyin::test::source_dir() + "/config/zhaoyin.properties"));
  const auto c = app::load_host_config(*shipped);
  CHECK(c.server.host == "127.0.0.1");  // loopback only by default
  CHECK(c.server.port == 8080);
  CHECK(c.store.data_dir == "var/data");
  CHECK(c.authority_driver == "sandbox");
  CHECK(c.token_ttl == std::chrono::seconds(3600));
  for (const char* key : {"http.host", "http.port", "http.max_body_bytes", "store.driver", "store.data_dir",
                          "authority.driver", "authority.sandbox_dir", "oauth.token_ttl_seconds", "log.level"}) {
    INFO(key);
    CHECK(shipped->has(key));
  }
}

TEST_CASE("config: bad values are refused with the setting named", "[app][config]") {
  CHECK_THROWS_WITH(parse({{"http.port", "abc"}}), Catch::Contains("http.port") && Catch::Contains("not a whole number"));
  CHECK_THROWS_WITH(parse({{"http.port", "70000"}}), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(parse({{"http.port", "-1"}}), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(parse({{"http.port", "80x"}}), Catch::Contains("not a whole number"));
  CHECK_THROWS_WITH(parse({{"http.port", "abc"}}, {{"http.port", "--port"}}), Catch::Contains("option --port"));
  CHECK_THROWS_WITH(parse({{"http.max_body_bytes", "0"}}), Catch::Contains("http.max_body_bytes"));
  CHECK_THROWS_WITH(parse({{"store.driver", "mysql"}}), Catch::Contains("store.driver"));
  CHECK_THROWS_WITH(parse({{"authority.driver", "national"}}), Catch::Contains("authority.driver"));
  CHECK_THROWS_WITH(parse({{"oauth.token_ttl_seconds", "5"}}), Catch::Contains("oauth.token_ttl_seconds"));
  CHECK_THROWS_WITH(parse({{"log.level", "loud"}}), Catch::Contains("log.level"));
  CHECK_THROWS_WITH(parse({{"login.max_renewals", "21"}}), Catch::Contains("login.max_renewals"));
  CHECK(parse({{"login.max_renewals", "0"}}).login_max_renewals == 0);
  CHECK_THROWS_WITH(parse({{"http.host", ""}}), Catch::Contains("http.host"));
  CHECK(parse({{"http.port", "0"}}).server.port == 0);
}

TEST_CASE("zhaoyin-host: --help prints usage and exits 0", "[app][binary]") {
  const auto r = run_command(host_command("--help"));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("--sandbox"));
  CHECK_THAT(r.output, Catch::Contains("--port"));
}

TEST_CASE("zhaoyin-host: bad configuration exits non-zero with one clear line", "[app][binary]") {
  TempDir dir;
  const std::string data = " --data " + quote(dir / "data");
  SECTION("port not a number") {
    const auto r = run_command(host_command("--port abc" + data));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Catch::Contains("--port") && Catch::Contains("abc"));
  }
  SECTION("port out of range") {
    const auto r = run_command(host_command("--port 70000" + data));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Catch::Contains("--port") && Catch::Contains("out of range"));
  }
  SECTION("sandbox folder missing: refused before the store is created") {
    const auto r = run_command(host_command("--port 0 --sandbox " + quote(dir / "no-sandbox") + data));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Catch::Contains("no-sandbox"));
    CHECK_FALSE(fs::exists(dir.path() / "data"));
  }
  SECTION("an unknown option or a missing option value") {
    for (const char* args : {"--bogus", "--port", "stray-argument"}) {
      const auto r = run_command(host_command(args));
      INFO(args);
      CHECK(r.exit_code != 0);
      CHECK_FALSE(r.output.empty());
    }
  }
  SECTION("config file unreadable") {
    const auto r = run_command(host_command("--config " + quote(dir / "nope.properties") + data));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Catch::Contains("nope.properties"));
  }
  SECTION("a bad setting in the config file") {
    zhaoyin::test::write_file(dir.path() / "bad.properties", "log.level = shouting\n");
    const auto r = run_command(host_command("--config " + quote(dir / "bad.properties") + data));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Catch::Contains("log.level"));
  }
  SECTION("data folder not creatable") {
    zhaoyin::test::write_file(dir.path() / "file", "x");
    const auto r = run_command(host_command("--port 0 --data " + quote(dir / "file/sub")));
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.output, Catch::Contains("data folder"));
  }
  SECTION("port already in use") {
    // Start one host, then a second on the same port.
    const auto r = run_host(dir, "--port 0" + data,
                            "PORT=${URL##*:}; timeout -s TERM 120 " +
                                host_command("--port $PORT --data " + quote(dir / "data2")) +
                                "; echo \"second=$?\"");
    CHECK_THAT(r.output, Catch::Contains("exit=0"));
    CHECK_THAT(r.output, !Catch::Contains("second=0"));
    CHECK_THAT(r.output, Catch::Contains("second="));
  }
  // Whatever went wrong, every line is JSON and nothing crashed.
}

TEST_CASE("zhaoyin-host: starts, answers /healthz, stops on SIGTERM with exit 0", "[app][binary]") {
  TempDir dir;
  const auto r = run_host(dir,
                          "--config " + quote(zhaoyin::test::source_dir() + "/config/zhaoyin.properties") +
                              " --port 0 --data " + quote(dir / "data"),
                          "curl -sS \"$URL/healthz\"; echo; curl -sS -o /dev/null -w 'nf=%{http_code}\\n' \"$URL/nope\"");
  INFO(r.output);
  CHECK_THAT(r.output, Catch::Contains("url=http://127.0.0.1:"));
  CHECK_THAT(r.output, Catch::Contains("\"status\":\"ok\""));
  CHECK_THAT(r.output, Catch::Contains("\"store\":\"ok\""));
  CHECK_THAT(r.output, Catch::Contains("nf=404"));
  CHECK_THAT(r.output, Catch::Contains("exit=0"));
  CHECK(fs::exists(dir.path() / "data" / "zhaoyin.db"));

  const auto lines = log_lines(dir);
  int ready = 0;
  bool request_logged = false;
  bool stopped = false;
  for (const auto& j : lines) {
    CHECK(j.contains("ts"));
    CHECK(j.contains("level"));
    if (j["msg"] == "ready") {
      ++ready;
      CHECK_THAT(j["url"].get<std::string>(), Catch::StartsWith("http://127.0.0.1:"));
    }
    if (j["msg"] == "request" && j["path"] == "/healthz") {
      request_logged = true;
      CHECK(j["status"] == 200);
      CHECK(j.contains("request_id"));
      CHECK(j.contains("duration_ms"));
    }
    if (j["msg"] == "stopped") stopped = true;
  }
  CHECK(ready == 1);
  CHECK(request_logged);
  CHECK(stopped);
}

TEST_CASE("zhaoyin-host: with --sandbox, demo applications get OAuth tokens", "[app][binary][sandbox]") {
  const auto sandbox = zhaoyin::test::shared_sandbox();
  const auto contract = zhaoyin::test::read_json(sandbox / "sandbox.json");
  REQUIRE_FALSE(contract["applications"].empty());
  const std::string id = contract["applications"][0]["client_id"];
  const std::string secret = contract["applications"][0]["client_secret"];
  TempDir dir;
  const auto r = run_host(dir, "--port 0 --sandbox " + quote(sandbox.string()) + " --data " + quote(dir / "data"),
                          "curl -sS \"$URL/healthz\"; echo; curl -sS -u " + quote(id + ":" + secret) +
                              " -d grant_type=client_credentials \"$URL/oauth/token\"; echo; curl -sS -u " +
                              quote(id + ":wrong") + " -d grant_type=client_credentials \"$URL/oauth/token\"; echo");
  INFO(r.output);
  CHECK_THAT(r.output, Catch::Contains("\"authority\":\"sandbox\""));
  CHECK_THAT(r.output, Catch::Contains("\"token_type\":\"Bearer\""));
  CHECK_THAT(r.output, Catch::Contains("\"code\":\"invalid_client\""));
  CHECK_THAT(r.output, Catch::Contains("exit=0"));
}

TEST_CASE("config: the connection limits have safe defaults and refuse unsafe values", "[app][config][edge]") {
  const auto c = parse({});
  CHECK(c.server.header_timeout_seconds == 10);
  CHECK(c.server.body_timeout_seconds == 30);
  CHECK(c.server.max_header_bytes == 32768);
  CHECK(c.server.max_header_fields == 100);
  CHECK(c.server.max_connections == 1024);
  CHECK(c.server.max_connections_per_peer == 32);
  CHECK(c.server.preread_body_bytes == 65536);
  CHECK(parse({{"http.max_connections_per_peer", "4"}}).server.max_connections_per_peer == 4);
  CHECK_THROWS_WITH(parse({{"http.header_timeout_seconds", "0"}}), Catch::Contains("http.header_timeout_seconds"));
  CHECK_THROWS_WITH(parse({{"http.body_timeout_seconds", "0"}}), Catch::Contains("http.body_timeout_seconds"));
  CHECK_THROWS_WITH(parse({{"http.max_header_bytes", "100"}}), Catch::Contains("http.max_header_bytes"));
  CHECK_THROWS_WITH(parse({{"http.max_header_fields", "1000"}}), Catch::Contains("http.max_header_fields"));
  CHECK_THROWS_WITH(parse({{"http.max_connections", "0"}}), Catch::Contains("http.max_connections"));
  CHECK_THROWS_WITH(parse({{"http.max_connections_per_peer", "0"}}), Catch::Contains("http.max_connections_per_peer"));
  CHECK_THROWS_WITH(parse({{"http.preread_body_bytes", "-1"}}), Catch::Contains("http.preread_body_bytes"));
}

TEST_CASE("config: throttle and trusted proxies, defaults and refusals", "[app][config][throttle]") {
  const auto d = parse({});
  CHECK(d.trusted_proxies.empty());
  CHECK(d.throttle.per_source_account.free_failures == 5);
  CHECK(d.throttle.per_source.free_failures == 20);
  CHECK(d.throttle.per_account.free_failures == 20);
  CHECK(d.throttle.clean_source_failures == 3);
  CHECK(d.throttle.per_source_account.base_delay == std::chrono::seconds(1));
  CHECK(d.throttle.per_account.max_delay == std::chrono::seconds(900));
  CHECK(d.throttle.per_source.forget_after == std::chrono::seconds(3600));

  const auto c = parse({{"http.trusted_proxies", " 127.0.0.1, ::1 "}, {"throttle.source_account.free_failures", "3"},
                        {"throttle.base_delay_seconds", "2"}, {"throttle.max_delay_seconds", "60"}});
  CHECK(c.trusted_proxies == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(c.throttle.per_source_account.free_failures == 3);
  CHECK(c.throttle.per_source.base_delay == std::chrono::seconds(2));
  CHECK(c.throttle.per_account.max_delay == std::chrono::seconds(60));

  CHECK_THROWS_WITH(parse({{"http.trusted_proxies", "127.0.0.1, nginx.local"}}),
                    Catch::Contains("http.trusted_proxies") && Catch::Contains("nginx.local"));
  CHECK_THROWS_WITH(parse({{"throttle.source.free_failures", "0"}}), Catch::Contains("throttle.source.free_failures"));
  CHECK_THROWS_WITH(parse({{"throttle.base_delay_seconds", "100"}, {"throttle.max_delay_seconds", "10"}}),
                    Catch::Contains("throttle.max_delay_seconds"));
  CHECK_THROWS_WITH(parse({{"throttle.max_delay_seconds", "7200"}}), Catch::Contains("throttle.forget_after_seconds"));
}
