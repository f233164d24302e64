// The HTTP building blocks without a server: router, forms, metrics, logs, Basic auth.
#include <catch2/catch.hpp>
#include <limits>
#include <sstream>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/form.h>
#include <zhaoyin/http/log.h>
#include <zhaoyin/http/metrics.h>
#include <zhaoyin/http/router.h>

using namespace zhaoyin::http;

namespace {
class Noop final : public Handler {
 public:
  void handle(Exchange&) override {}
};
}  // namespace

TEST_CASE("router: literal and parameter routes, 404 and 405", "[http][router]") {
  Router r;
  r.add<Noop>("GET", "/healthz");
  r.add<Noop>("GET", "/api/v1/login-sessions/{id}");
  r.add<Noop>("DELETE", "/api/v1/login-sessions/{id}");
  r.add<Noop>("GET", "/api/v1/login-sessions/{id}/qr.png");
  r.add<Noop>("GET", "/api/v1/archives/{id}");
  r.add<Noop>("GET", "/api/v1/archives/{id}.pdf");

  auto m = r.match("GET", "/healthz");
  REQUIRE(m.outcome == Router::Outcome::Found);
  CHECK(m.route->pattern == "/healthz");

  m = r.match("GET", "/api/v1/login-sessions/abc123");
  REQUIRE(m.outcome == Router::Outcome::Found);
  CHECK(m.params.at("id") == "abc123");

  m = r.match("delete", "/api/v1/login-sessions/abc123");
  REQUIRE(m.outcome == Router::Outcome::Found);
  CHECK(m.route->method == "DELETE");

  m = r.match("GET", "/api/v1/login-sessions/abc/qr.png");
  REQUIRE(m.outcome == Router::Outcome::Found);
  CHECK(m.route->pattern == "/api/v1/login-sessions/{id}/qr.png");
  CHECK(m.params.at("id") == "abc");

  // The more literal pattern wins; the parameter excludes the suffix.
  m = r.match("GET", "/api/v1/archives/A1.pdf");
  REQUIRE(m.outcome == Router::Outcome::Found);
  CHECK(m.route->pattern == "/api/v1/archives/{id}.pdf");
  CHECK(m.params.at("id") == "A1");
  m = r.match("GET", "/api/v1/archives/A1");
  REQUIRE(m.outcome == Router::Outcome::Found);
  CHECK(m.route->pattern == "/api/v1/archives/{id}");

  // Percent-decoded parameters; an encoded slash never splits a segment.
  m = r.match("GET", "/api/v1/archives/a%20b");
  REQUIRE(m.outcome == Router::Outcome::Found);
  CHECK(m.params.at("id") == "a b");
  CHECK(r.match("GET", "/api/v1/archives/a%2Fb").outcome == Router::Outcome::NotFound);
  CHECK(r.match("GET", "/api/v1/archives/a%zz").outcome == Router::Outcome::NotFound);

  // Refusals.
  CHECK(r.match("GET", "/nope").outcome == Router::Outcome::NotFound);
  CHECK(r.match("GET", "/healthz/").outcome == Router::Outcome::NotFound);
  CHECK(r.match("GET", "/api/v1/login-sessions/").outcome == Router::Outcome::NotFound);
  CHECK(r.match("GET", "/api/v1/login-sessions//qr.png").outcome == Router::Outcome::NotFound);
  CHECK(r.match("GET", "").outcome == Router::Outcome::NotFound);
  m = r.match("POST", "/api/v1/login-sessions/x");
  CHECK(m.outcome == Router::Outcome::MethodNotAllowed);
  CHECK(m.allowed == std::vector<std::string>{"DELETE", "GET"});
  m = r.match("POST", "/healthz");
  CHECK(m.outcome == Router::Outcome::MethodNotAllowed);
  CHECK(m.allowed == std::vector<std::string>{"GET"});
}

TEST_CASE("router: malformed and duplicate patterns are refused", "[http][router]") {
  Router r;
  r.add<Noop>("GET", "/a/{id}");
  CHECK_THROWS_AS(r.add<Noop>("GET", "/a/{id}"), std::invalid_argument);
  CHECK_THROWS_AS(r.add<Noop>("GET", "no-slash"), std::invalid_argument);
  CHECK_THROWS_AS(r.add<Noop>("GET", "/a/{}"), std::invalid_argument);
  CHECK_THROWS_AS(r.add<Noop>("GET", "/a/{id"), std::invalid_argument);
  CHECK_THROWS_AS(r.add<Noop>("GET", "/a/id}"), std::invalid_argument);
  CHECK_THROWS_AS(r.add("GET", "/b", Router::Factory{}), std::invalid_argument);
}

TEST_CASE("forms: decoding and refusals", "[http][form]") {
  CHECK(form_decode("a+b%20c%2B%3D") == "a b c+=");
  CHECK(form_decode("%E7%85%A7%E5%8D%B0") == "照印");
  CHECK_THROWS_AS(form_decode("%"), std::invalid_argument);
  CHECK_THROWS_AS(form_decode("%4"), std::invalid_argument);
  CHECK_THROWS_AS(form_decode("%zz"), std::invalid_argument);
  const auto f = parse_form("grant_type=client_credentials&scope=login+signature&&empty=&flag");
  REQUIRE(f.size() == 4);
  CHECK(f[0] == std::make_pair(std::string("grant_type"), std::string("client_credentials")));
  CHECK(f[1].second == "login signature");
  CHECK(f[2] == std::make_pair(std::string("empty"), std::string()));
  CHECK(f[3] == std::make_pair(std::string("flag"), std::string()));
  CHECK(parse_form("").empty());
  CHECK(form_decode(form_encode("a b&c=d/照")) == "a b&c=d/照");
}

TEST_CASE("basic auth: RFC 6749 form-encoded credentials", "[http][auth]") {
  // base64("my%20app:p%40ss%3Aword") — id and secret are form-encoded before base64.
  const auto c = parse_basic_authorization("Basic bXklMjBhcHA6cCU0MHNzJTNBd29yZA==");
  REQUIRE(c);
  CHECK(c->client_id == "my app");
  CHECK(c->client_secret == "p@ss:word");
  CHECK_FALSE(parse_basic_authorization("Bearer abc"));
  CHECK_THROWS_AS(parse_basic_authorization("Basic !!!"), ApiError);
  CHECK_THROWS_AS(parse_basic_authorization("Basic bm9jb2xvbg=="), ApiError);  // "nocolon"
  try {
    parse_basic_authorization("Basic !!!");
  } catch (const ApiError& e) {
    CHECK(e.status() == 401);
    CHECK(e.code() == "invalid_client");
  }
}

TEST_CASE("metrics: Prometheus text rendering", "[http][metrics]") {
  Metrics m;
  auto& c = m.counter("zhaoyin_test_total", "Things counted.", {"kind"});
  c.inc({"a"});
  c.inc({"a"}, 2);
  c.inc({"quote\"back\\slash\nnl"});
  CHECK(c.value({"a"}) == 3);
  CHECK_THROWS_AS(c.inc({"a", "b"}), std::invalid_argument);
  CHECK_THROWS_AS(c.inc({"a"}, -1), std::invalid_argument);
  auto& plain = m.counter("zhaoyin_plain_total", "Unlabelled.");
  auto& g = m.gauge("zhaoyin_gauge", "A gauge.", {});
  g.set({}, 2.5);
  auto& h = m.histogram("zhaoyin_latency_seconds", "Latency.", {"route"}, {0.1, 1});
  h.observe({"/x"}, 0.05);
  h.observe({"/x"}, 0.5);
  h.observe({"/x"}, 5);
  CHECK(h.count({"/x"}) == 3);
  // Same name again: the same family; a different type or labels: refused.
  CHECK(&m.counter("zhaoyin_test_total", "Things counted.", {"kind"}) == &c);
  CHECK_THROWS_AS(m.gauge("zhaoyin_test_total", "x", {"kind"}), std::logic_error);
  CHECK_THROWS_AS(m.counter("zhaoyin_test_total", "x", {"other"}), std::logic_error);
  CHECK_THROWS_AS(m.counter("bad name", "x"), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("zhaoyin_h2", "x", {"le"}), std::invalid_argument);
  (void)plain;

  const std::string text = m.render();
  CHECK_THAT(text, Catch::Contains("# HELP zhaoyin_test_total Things counted.\n# TYPE zhaoyin_test_total counter\n"));
  CHECK_THAT(text, Catch::Contains("zhaoyin_test_total{kind=\"a\"} 3\n"));
  CHECK_THAT(text, Catch::Contains("zhaoyin_test_total{kind=\"quote\\\"back\\\\slash\\nnl\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("zhaoyin_plain_total 0\n"));
  CHECK_THAT(text, Catch::Contains("zhaoyin_gauge 2.5\n"));
  CHECK_THAT(text, Catch::Contains("# TYPE zhaoyin_latency_seconds histogram\n"));
  CHECK_THAT(text, Catch::Contains("zhaoyin_latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("zhaoyin_latency_seconds_bucket{route=\"/x\",le=\"1\"} 2\n"));
  CHECK_THAT(text, Catch::Contains("zhaoyin_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"));
  CHECK_THAT(text, Catch::Contains("zhaoyin_latency_seconds_sum{route=\"/x\"} 5.55\n"));
  CHECK_THAT(text, Catch::Contains("zhaoyin_latency_seconds_count{route=\"/x\"} 3\n"));
  CHECK(format_metric_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_metric_value(0.005) == "0.005");
  CHECK(format_metric_value(42) == "42");
}

TEST_CASE("log: one JSON object per line with ts, level, msg and fields", "[http][log]") {
  std::ostringstream out;
  JsonLog log(out, LogLevel::Info);
  log.debug("hidden");
  log.info("hello", {{"n", 1}, {"path", std::string("/bad\xff")}});
  log.set_level(LogLevel::Error);
  log.warn("hidden too");
  log.announce("ready", {{"url", "http://127.0.0.1:1"}});
  std::istringstream lines(out.str());
  std::string line;
  std::vector<nlohmann::json> parsed;
  while (std::getline(lines, line)) parsed.push_back(nlohmann::json::parse(line));
  REQUIRE(parsed.size() == 2);
  CHECK(parsed[0]["msg"] == "hello");
  CHECK(parsed[0]["level"] == "info");
  CHECK(parsed[0]["n"] == 1);
  CHECK(parsed[0]["ts"].get<std::string>().back() == 'Z');
  CHECK(parsed[1]["msg"] == "ready");
  CHECK(out.str().rfind("{\"ts\":", 0) == 0);
  CHECK(log_level_from("warning") == LogLevel::Warn);
  CHECK_FALSE(log_level_from("loud"));
}
