// The HTTP edge in a real server on a loopback port: routing errors, JSON
// errors, body limits, request ids, /healthz and /metrics.
#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>
#include <zhaoyin/http/api_error.h>
#include "host_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::http;
using zhaoyin::test::HttpCall;
using zhaoyin::test::TestHost;

namespace {

// Test-only routes: echo a JSON body, fail in various ways.
class EchoJson final : public Handler {
 public:
  void handle(Exchange& ex) override { ex.send_json(200, {{"echo", ex.json_body()}}); }
};
class Boom final : public Handler {
 public:
  void handle(Exchange&) override { throw std::runtime_error("secret internal detail"); }
};
class Silent final : public Handler {
 public:
  void handle(Exchange&) override {}
};
class Teapot final : public Handler {
 public:
  void handle(Exchange& ex) override {
    throw ApiError(418, "teapot", "short and stout for " + ex.param("name"), {{"X-Extra", "yes"}});
  }
};

void test_routes(Router& r, const std::shared_ptr<HostContext>&) {
  r.add<EchoJson>("POST", "/test/echo");
  r.add<Boom>("GET", "/test/boom");
  r.add<Silent>("GET", "/test/silent");
  r.add<Teapot>("GET", "/test/teapot/{name}");
}

HostSettings small_body() {
  HostSettings s;
  s.max_body_bytes = 1024;
  return s;
}

void check_error(const zhaoyin::test::HttpResult& r, int status, const std::string& code) {
  CHECK(r.status == status);
  CHECK_THAT(r.header("Content-Type"), Catch::StartsWith("application/json"));
  const auto j = r.json();
  REQUIRE(j.contains("error"));
  CHECK(j["error"]["code"] == code);
  CHECK(j["error"]["message"].is_string());
  CHECK_FALSE(j["error"]["message"].get<std::string>().empty());
  CHECK(j.size() == 1);
  CHECK_FALSE(r.header("X-Request-Id").empty());
}

}  // namespace

TEST_CASE("server: /healthz really checks the store", "[http][server]") {
  TestHost host;
  const auto r = host.get("/healthz");
  CHECK(r.status == 200);
  const auto j = r.json();
  CHECK(j["status"] == "ok");
  CHECK(j["store"] == "ok");
  CHECK(j["authority"] == "none");
  CHECK(j["schema_version"] == store::Database::latest_version());
  CHECK_FALSE(r.header("X-Request-Id").empty());

  // With the store closed, health says so (503) instead of pretending.
  host.ctx->db->close();
  const auto down = host.get("/healthz");
  CHECK(down.status == 503);
  CHECK(down.json()["store"] == "unavailable");
}

TEST_CASE("server: unknown path is 404 not_found, wrong method 405 with Allow", "[http][server]") {
  TestHost host(test_routes);
  check_error(host.get("/no/such/thing"), 404, "not_found");
  check_error(host.get("/healthz/extra"), 404, "not_found");
  const auto r = host.post("/healthz", "", "application/json");
  check_error(r, 405, "method_not_allowed");
  CHECK(r.header("Allow") == "GET");
  HttpCall del;
  del.method = "DELETE";
  del.path = "/oauth/token";
  const auto d = host.call(del);
  check_error(d, 405, "method_not_allowed");
  CHECK(d.header("Allow") == "POST");
}

TEST_CASE("server: JSON bodies — malformed is 400 invalid_json, wrong type 415", "[http][server]") {
  TestHost host(test_routes);
  const auto ok = host.post("/test/echo", R"({"a":[1,2,"照"]})", "application/json");
  CHECK(ok.status == 200);
  CHECK(ok.json()["echo"]["a"][2] == "照");
  check_error(host.post("/test/echo", R"({"a":)", "application/json"), 400, "invalid_json");
  check_error(host.post("/test/echo", "not json at all", "application/json"), 400, "invalid_json");
  check_error(host.post("/test/echo", "", "application/json"), 400, "invalid_json");
  check_error(host.post("/test/echo", "{}", "text/plain"), 415, "unsupported_media_type");
}

TEST_CASE("server: oversized bodies are 413 payload_too_large", "[http][server]") {
  TestHost host(test_routes, small_body());
  SECTION("announced by Content-Length (refused before reading)") {
    HttpCall c;
    c.method = "POST";
    c.path = "/test/echo";
    c.content_type = "application/json";
    c.content_length = 10'000'000;
    c.send_body = false;
    check_error(host.call(c), 413, "payload_too_large");
  }
  SECTION("a chunked body that grows past the limit") {
    HttpCall c;
    c.method = "POST";
    c.path = "/test/echo";
    c.content_type = "application/json";
    c.chunked = true;
    c.body = "[" + std::string(2000, ' ') + "]";
    check_error(host.call(c), 413, "payload_too_large");
  }
  SECTION("on /oauth/token too") {
    HttpCall c;
    c.method = "POST";
    c.path = "/oauth/token";
    c.content_type = "application/x-www-form-urlencoded";
    c.content_length = 5000;
    c.send_body = false;
    check_error(host.call(c), 413, "payload_too_large");
  }
  SECTION("a body at the limit is accepted") {
    const std::string body = "[\"" + std::string(1020, 'x') + "\"]";
    REQUIRE(body.size() == 1024);
    CHECK(host.post("/test/echo", body, "application/json").status == 200);
  }
}

TEST_CASE("server: unexpected exceptions become 500 internal_error without details, and the server survives",
          "[http][server]") {
  TestHost host(test_routes);
  const auto r = host.get("/test/boom");
  check_error(r, 500, "internal_error");
  CHECK(r.body.find("secret internal detail") == std::string::npos);
  check_error(host.get("/test/silent"), 500, "internal_error");  // a handler that sends nothing is a bug
  CHECK(host.get("/healthz").status == 200);                     // still serving
  const std::string log = host.log_text();
  CHECK_THAT(log, Catch::Contains("secret internal detail"));  // the operator sees it in the log
}

TEST_CASE("server: ApiError status, code, message and headers reach the client", "[http][server]") {
  TestHost host(test_routes);
  const auto r = host.get("/test/teapot/%E7%85%A7");
  check_error(r, 418, "teapot");
  CHECK(r.json()["error"]["message"] == "short and stout for 照");
  CHECK(r.header("X-Extra") == "yes");
}

TEST_CASE("server: X-Request-Id is on every response and a sane incoming id is kept", "[http][server]") {
  TestHost host(test_routes);
  const auto a = host.get("/healthz");
  const auto b = host.get("/healthz");
  CHECK(a.header("X-Request-Id").size() >= 8);
  CHECK(a.header("X-Request-Id") != b.header("X-Request-Id"));
  CHECK(host.get("/healthz", {{"X-Request-Id", "trace-abc.123"}}).header("X-Request-Id") == "trace-abc.123");
  const auto weird = host.get("/healthz", {{"X-Request-Id", "bad id with spaces"}});
  CHECK(weird.header("X-Request-Id") != "bad id with spaces");
  CHECK(host.get("/nope", {{"X-Request-Id", "nf-1"}}).header("X-Request-Id") == "nf-1");

  // One structured log line per request, with the request id.
  const std::string log = host.log_text();
  std::istringstream lines(log);
  std::string line;
  bool seen = false;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    REQUIRE(j.contains("ts"));
    REQUIRE(j.contains("level"));
    REQUIRE(j.contains("msg"));
    if (j["msg"] == "request" && j["request_id"] == "nf-1") {
      seen = true;
      CHECK(j["status"] == 404);
      CHECK(j["method"] == "GET");
      CHECK(j["path"] == "/nope");
      CHECK(j["duration_ms"].is_number());
    }
  }
  CHECK(seen);
}

TEST_CASE("server: /metrics is Prometheus text and counts requests", "[http][server][metrics]") {
  TestHost host(test_routes);
  host.get("/healthz");
  host.get("/healthz");
  host.get("/nope");
  const auto r = host.get("/metrics");
  REQUIRE(r.status == 200);
  CHECK(r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");

  // Every line is a HELP/TYPE comment or `name{labels} value`; every sample's
  // family has HELP and TYPE lines before it.
  const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$)");
  const std::regex help(R"(^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*$)");
  const std::regex type(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  std::set<std::string> helped, typed;
  std::map<std::string, double> values;
  std::istringstream lines(r.body);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      helped.insert(m[1]);
    } else if (std::regex_match(line, m, type)) {
      typed.insert(m[1]);
    } else {
      INFO(line);
      REQUIRE(std::regex_match(line, m, sample));
      std::string family = m[1];
      for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s = suffix;
        if (!typed.count(family) && family.size() > s.size() && family.compare(family.size() - s.size(), s.size(), s) == 0)
          family = family.substr(0, family.size() - s.size());
      }
      CHECK(helped.count(family));
      CHECK(typed.count(family));
      values[line.substr(0, line.rfind(' '))] = std::stod(line.substr(line.rfind(' ') + 1));
      ++samples;
    }
  }
  CHECK(samples > 0);
  CHECK(values["zhaoyin_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}"] == 2);
  CHECK(values["zhaoyin_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}"] == 1);
  CHECK(values["zhaoyin_http_request_duration_seconds_count{method=\"GET\",route=\"/healthz\"}"] == 2);
  CHECK(values["zhaoyin_oauth_tokens_issued_total"] == 0);
  CHECK(values.count("zhaoyin_build_info{version=\"" + build_version() + "\",authority=\"none\"}"));
  CHECK(typed.count("zhaoyin_http_request_duration_seconds"));
}
