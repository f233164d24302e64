// The foundation's "done when", end to end with the real binaries and an
// independent HTTP client (curl): a fresh sandbox, a host trusting it, a token
// for a demo application, and a demo wallet shown.
#include <catch2/catch.hpp>
#include <cctype>
#include <csignal>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "host_process.h"
#include "test_support.h"

using nlohmann::json;
using namespace zhaoyin::test;

namespace {

// One sandbox for the whole executable: creating it signs many certificates and seals.
const fs::path& shared_sandbox() {
  static TempDir dir("zhaoyin-quickstart");
  static bool created = [] {
    auto r = run_command(bin("zhaoyin") + " sandbox init " + quote(dir / "sandbox"));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return true;
  }();
  (void)created;
  static fs::path p = dir.path();
  return p;
}

json sandbox_json() { return json::parse(read_file(shared_sandbox() / "sandbox" / "sandbox.json")); }

struct Http {
  int status = 0;
  std::string body;
};

// curl prints the body, then the status code on the last line.
Http curl(const std::string& args) {
  auto r = run_command("curl -s -w '\\n%{http_code}' " + args);
  Http h;
  auto nl = r.output.rfind('\n');
  h.body = r.output.substr(0, nl == std::string::npos ? 0 : nl);
  h.status = std::atoi(r.output.substr(nl == std::string::npos ? 0 : nl + 1).c_str());
  return h;
}

}  // namespace

TEST_CASE("a host started on a fresh sandbox answers /healthz and issues tokens") {
  auto root = shared_sandbox();
  HostProcess host(root, {"--data", (root / "data").string(), "--sandbox", (root / "sandbox").string()});
  INFO(host.log());
  REQUIRE(host.ready());

  auto health = curl(quote(host.url("/healthz")));
  REQUIRE(health.status == 200);
  CHECK(json::parse(health.body)["status"] == "ok");

  auto apps = sandbox_json()["applications"];
  REQUIRE(apps.size() >= 4);
  for (auto& app : apps) {
    std::string id = app["client_id"], secret = app["client_secret"];
    auto token = curl("-u " + quote(id + ":" + secret) + " -d grant_type=client_credentials " +
                      quote(host.url("/oauth/token")));
    INFO(app.dump());
    REQUIRE(token.status == 200);
    auto body = json::parse(token.body);
    CHECK(body["token_type"] == "Bearer");
    CHECK(body["access_token"].get<std::string>().size() >= 32);
    CHECK(body["expires_in"].get<int>() > 0);
  }

  SECTION("a wrong secret is refused with the SPEC error shape") {
    std::string id = apps[0]["client_id"];
    auto token = curl("-u " + quote(id + ":not-the-secret") + " -d grant_type=client_credentials " +
                      quote(host.url("/oauth/token")));
    CHECK(token.status == 401);
    auto body = json::parse(token.body);
    CHECK(body["error"]["code"] == "invalid_client");
    CHECK_FALSE(body["error"]["message"].get<std::string>().empty());
  }

  SECTION("/metrics counts the requests in Prometheus text format") {
    auto metrics = curl(quote(host.url("/metrics")));
    CHECK(metrics.status == 200);
    CHECK(metrics.body.find("# TYPE zhaoyin_http_requests_total counter") != std::string::npos);
    CHECK(metrics.body.find("route=\"/oauth/token\"") != std::string::npos);
  }

  CHECK(host.stop() == 0);  // graceful shutdown on SIGTERM
}

TEST_CASE("SIGHUP (systemctl reload) re-reads the plugins and the scripts, and the host keeps serving") {
  auto root = shared_sandbox();
  HostProcess host(root, {"--data", (root / "data-reload").string(), "--sandbox", (root / "sandbox").string(),
                          "--set", "scripts.dir=" + source_dir() + "/scripts"});
  INFO(host.log());
  REQUIRE(host.ready());
  REQUIRE(::kill(host.pid(), SIGHUP) == 0);
  // Until the second of the two lines, or the host has exited (a zombie until
  // stop() reaps it; the checks below then fail with its log).
  const auto exited = [&host] {
    const auto stat = read_file("/proc/" + std::to_string(host.pid()) + "/stat");
    const auto paren = stat.rfind(") ");
    return paren == std::string::npos || stat.compare(paren + 2, 1, "Z") == 0;
  };
  while (host.log().find("\"scripts reloaded (SIGHUP)\"") == std::string::npos && !exited())
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const auto log = host.log();
  CHECK(log.find("\"msg\":\"plugins reloaded (SIGHUP)\"") != std::string::npos);
  CHECK(log.find("\"msg\":\"scripts reloaded (SIGHUP)\"") != std::string::npos);
  CHECK(log.find("\"scripts\":4,\"with_errors\":0") != std::string::npos);  // the sandbox binds 4 scripts
  CHECK(curl(quote(host.url("/healthz"))).status == 200);
  CHECK(host.stop() == 0);
}

TEST_CASE("a host restarted on the same data keeps its applications and tokens") {
  auto root = shared_sandbox();
  auto app = sandbox_json()["applications"][0];
  std::string creds = quote(app["client_id"].get<std::string>() + ":" + app["client_secret"].get<std::string>());
  std::string data = (root / "data-restart").string(), sandbox = (root / "sandbox").string();
  {
    HostProcess host(root, {"--data", data, "--sandbox", sandbox});
    REQUIRE(host.ready());
    CHECK(curl("-u " + creds + " -d grant_type=client_credentials " + quote(host.url("/oauth/token"))).status == 200);
  }
  HostProcess again(root, {"--data", data, "--sandbox", sandbox});
  INFO(again.log());
  REQUIRE(again.ready());
  CHECK(curl("-u " + creds + " -d grant_type=client_credentials " + quote(again.url("/oauth/token"))).status == 200);
}

TEST_CASE("every demo wallet opens with its password and shows its license") {
  auto root = shared_sandbox();
  auto sb = sandbox_json();
  REQUIRE(sb["wallets"].size() >= 6);
  for (auto& w : sb["wallets"]) {
    std::string path = (root / "sandbox" / w["path"].get<std::string>()).string();
    auto r = run_command(bin("zhaoyin-wallet") + " --wallet " + quote(path) + " --password " +
                         quote(w["password"].get<std::string>()) + " show 2>/dev/null");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    auto shown = json::parse(r.output);
    CHECK(shown.dump().find(w["uscc"].get<std::string>()) != std::string::npos);
    CHECK(shown.dump().find(w["holder"].get<std::string>()) != std::string::npos);
  }
}

TEST_CASE("a wrong wallet password is refused without revealing the key") {
  auto root = shared_sandbox();
  auto w = sandbox_json()["wallets"][0];
  std::string path = (root / "sandbox" / w["path"].get<std::string>()).string();
  auto r = run_command(bin("zhaoyin-wallet") + " --wallet " + quote(path) + " --password wrong-password show");
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("PRIVATE KEY") == std::string::npos);
  CHECK(r.output.find("password") != std::string::npos);
}

TEST_CASE("the host refuses to start on a sandbox folder that does not exist") {
  TempDir dir;
  HostProcess host(dir.path(), {"--data", dir / "data", "--sandbox", dir / "no-such-sandbox"});
  CHECK_FALSE(host.ready());
  CHECK(host.log().find("sandbox") != std::string::npos);
}

// Issue 23, "metrics, logs and traces that fit existing tooling": one QR login
// through the real binaries with a W3C traceparent, then Prometheus's own
// checker on /metrics and the shipped Grafana dashboard against what the host
// exports.
TEST_CASE("observability: a traced login, /metrics clean under promtool, the dashboard's metrics exported") {
  auto root = shared_sandbox();
  HostProcess host(root, {"--data", (root / "data-observability").string(), "--sandbox", (root / "sandbox").string()});
  INFO(host.log());
  REQUIRE(host.ready());
  const auto sb = sandbox_json();
  json tax, wallet;
  for (const auto& app : sb["applications"])
    if (app["department"] == "tax") tax = app;
  for (const auto& w : sb["wallets"])
    if (w["holder"] == "张志伟") wallet = w;
  REQUIRE(tax.is_object());
  REQUIRE(wallet.is_object());
  const auto token_reply = curl("-u " + quote(tax["client_id"].get<std::string>() + ":" +
                                              tax["client_secret"].get<std::string>()) +
                                " -d grant_type=client_credentials " + quote(host.url("/oauth/token")));
  REQUIRE(token_reply.status == 200);
  const std::string bearer = "-H " + quote("Authorization: Bearer " + json::parse(token_reply.body)["access_token"].get<std::string>());

  const std::string trace_id = "0af7651916cd43dd8448eb211c80319c";
  const auto created = curl(bearer + " -H 'Content-Type: application/json' -H " +
                            quote("traceparent: 00-" + trace_id + "-b7ad6b7169203331-01") + " -d '{}' " +
                            quote(host.url("/api/v1/login-sessions")));
  REQUIRE(created.status == 201);
  const auto session = json::parse(created.body);
  const auto scan = run_command(quote(bin("zhaoyin-wallet")) + " --wallet " +
                                quote((root / "sandbox" / wallet["path"].get<std::string>()).string()) +
                                " --password " + quote(wallet["password"].get<std::string>()) + " scan " +
                                quote(session["qr_text"].get<std::string>()) + " --approve");
  INFO(scan.output);
  REQUIRE(scan.exit_code == 0);
  const auto state = curl(bearer + " " + quote(host.url("/api/v1/login-sessions/" + session["id"].get<std::string>() +
                                                        "?wait=30&last=scanned")));
  REQUIRE(json::parse(state.body)["status"] == "confirmed");

  // An error body names the request id the header and the log lines carry.
  const auto missing = run_command("curl -s -D - " + quote(host.url("/api/v1/no-such-thing")));
  const auto id_at = missing.output.find("X-Request-Id: ");
  REQUIRE(id_at != std::string::npos);
  const std::string request_id = missing.output.substr(id_at + 14, missing.output.find('\r', id_at) - id_at - 14);
  const auto error = json::parse(missing.output.substr(missing.output.find("\r\n\r\n") + 4));
  CHECK(error["error"]["code"] == "not_found");
  CHECK(error["error"]["request_id"] == request_id);

  const auto metrics = curl(quote(host.url("/metrics")));
  REQUIRE(metrics.status == 200);
  TempDir dir;
  write_file(dir / "metrics.txt", metrics.body);
  const auto promtool = run_command("promtool check metrics < " + quote(dir / "metrics.txt"));
  INFO(metrics.body);
  INFO(promtool.output);
  CHECK(promtool.exit_code == 0);
  CHECK(promtool.output.find("error") == std::string::npos);
  CHECK(metrics.body.find("zhaoyin_http_refusals_total{status=\"404\",code=\"not_found\"} 1") != std::string::npos);
  CHECK(metrics.body.find("zhaoyin_login_duration_seconds_count{outcome=\"confirmed\"} 1") != std::string::npos);
  CHECK(metrics.body.find("# TYPE zhaoyin_waiting_clients gauge") != std::string::npos);

  // Every metric the dashboard queries is one the host exports.
  const auto dashboard = json::parse(read_file(fs::path(source_dir()) / "config" / "grafana" / "zhaoyin-dashboard.json"));
  std::set<std::string> queried;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel.value("targets", json::array())) {
      const std::string expr = target["expr"];
      for (std::size_t at = expr.find("zhaoyin_"); at != std::string::npos; at = expr.find("zhaoyin_", at + 1)) {
        std::size_t end = at;
        while (end < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[end])) || expr[end] == '_')) ++end;
        std::string name = expr.substr(at, end - at);
        for (const char* suffix : {"_bucket", "_sum", "_count"}) {
          const std::string s = suffix;
          if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0 &&
              name.find("_total") == std::string::npos)
            name.erase(name.size() - s.size());
        }
        queried.insert(name);
        at = end;
      }
    }
  }
  CHECK(queried.size() >= 8);
  for (const auto& name : queried) {
    INFO(name);
    CHECK(metrics.body.find("# TYPE " + name + " ") != std::string::npos);
  }

  // The relying party's trace is in the log lines of the request it sent.
  CHECK(host.stop() == 0);
  bool traced = false;
  std::istringstream lines(host.log());
  for (std::string line; std::getline(lines, line);) {
    const auto j = json::parse(line, nullptr, false);
    if (j.is_object() && j.value("path", "") == "/api/v1/login-sessions" && j.value("trace_id", "") == trace_id)
      traced = true;
  }
  CHECK(traced);
}
