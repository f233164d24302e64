// Hostile clients against a real zhaoyin-host (docs/security/connections.md):
// slowloris connections beyond the worker count, the per-address cap, the
// head and body deadlines, and malformed heads answered in the JSON shape.
// Slow clients come from other loopback addresses (127.0.0.2 and up); the
// well-behaved client stays on 127.0.0.1.
#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "host_process.h"
#include "login_env.h"
#include "raw_client.h"
#include "sandbox_fixture.h"
#include "test_support.h"

using nlohmann::json;
using namespace zhaoyin::test;

namespace {

// The start of a request head that is never finished (until the test says so).
const std::string partial_head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Dribble: ";

std::string error_code(const std::string& raw) {
  const auto j = json::parse(body_of(raw), nullptr, false);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return "";
  return j["error"].value("code", "");
}

bool error_shape(const std::string& raw) {
  const auto j = json::parse(body_of(raw), nullptr, false);
  return j.is_object() && j.contains("error") && j["error"].is_object() && j["error"]["code"].is_string() &&
         !j["error"]["message"].get<std::string>().empty() &&
         raw.find("Content-Type: application/json") != std::string::npos;
}

// A host without an authority (enough for the edge), with these settings.
std::unique_ptr<HostProcess> edge_host(const TempDir& dir, const std::vector<std::string>& settings) {
  std::vector<std::string> args = {"--data", dir / "data"};
  for (const auto& s : settings) {
    args.push_back("--set");
    args.push_back(s);
  }
  auto host = std::make_unique<HostProcess>(dir.path(), args);
  if (!host->ready()) throw std::runtime_error("zhaoyin-host did not start:\n" + host->log());
  return host;
}

// Sends `request` from 127.0.0.2 and reads the answer until the host closes.
std::string exchange_raw(int port, const std::string& request) {
  RawClient c(port, "127.0.0.2");
  c.send(request);
  return c.read_until_closed();
}

}  // namespace

TEST_CASE("hundreds of slow clients hold connections but the host still answers others", "[edge][slowloris]") {
  // 2 workers; 10 addresses x 20 dribbling connections, far more than the workers.
  LoginEnv env(shared_sandbox(), {"--set", "http.max_threads=2", "--set", "http.max_connections_per_peer=20", "--set",
                                  "http.header_timeout_seconds=300", "--set", "log.level=warn"});
  const int port = env.host().port();

  std::vector<std::unique_ptr<RawClient>> slow;
  for (int a = 10; a < 20; ++a) {
    for (int i = 0; i < 20; ++i) {
      slow.push_back(std::make_unique<RawClient>(port, "127.0.0." + std::to_string(a)));
      REQUIRE(slow.back()->send(partial_head));
    }
  }
  // They keep dribbling header bytes while the others are served.
  for (auto& c : slow) REQUIRE(c->send("a"));

  const auto health = http("GET", env.url("/healthz"));
  CHECK(health.status == 200);
  for (auto& c : slow) REQUIRE(c->send("b"));

  const auto login = env.create("tax");
  INFO(login.body);
  CHECK(login.status == 201);
  CHECK_FALSE(login.as_json()["id"].get<std::string>().empty());
  for (auto& c : slow) REQUIRE(c->send("c"));

  // The slow connections were held open all along: finishing one is served.
  REQUIRE(slow.front()->send("\r\n\r\n"));
  const auto late = slow.front()->read_responses(1);
  CHECK(status_of(late) == 200);
}

TEST_CASE("one address gets at most http.max_connections_per_peer connections", "[edge][peer_cap]") {
  TempDir dir("zhaoyin-edge");
  auto host = edge_host(dir, {"http.max_threads=2", "http.max_connections_per_peer=4",
                              "http.header_timeout_seconds=300"});

  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawClient>(host->port(), "127.0.0.2"));
    REQUIRE(held.back()->send(partial_head));
  }
  // The fifth and sixth are answered 429 too_many_connections and closed.
  for (int i = 0; i < 2; ++i) {
    RawClient extra(host->port(), "127.0.0.2");
    const auto raw = extra.read_until_closed();
    CHECK(extra.closed());
    CHECK(status_of(raw) == 429);
    CHECK(error_code(raw) == "too_many_connections");
    CHECK(error_shape(raw));
  }
  // Another address is not affected.
  RawClient other(host->port(), "127.0.0.3");
  REQUIRE(other.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  CHECK(status_of(other.read_responses(1)) == 200);

  // A closed connection frees its slot.
  held.pop_back();
  bool admitted = false;
  for (int attempt = 0; attempt < 100 && !admitted; ++attempt) {  // the host notices the close asynchronously
    RawClient again(host->port(), "127.0.0.2");
    REQUIRE(again.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    admitted = status_of(again.read_until_closed()) == 200;
    if (!admitted) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(admitted);
}

TEST_CASE("the host holds at most http.max_connections connections in all", "[edge][total_cap]") {
  TempDir dir("zhaoyin-edge");
  auto host = edge_host(dir, {"http.max_connections=3", "http.max_connections_per_peer=10",
                              "http.header_timeout_seconds=300"});
  std::vector<std::unique_ptr<RawClient>> held;
  for (int a = 2; a < 5; ++a) {
    held.push_back(std::make_unique<RawClient>(host->port(), "127.0.0." + std::to_string(a)));
    REQUIRE(held.back()->send(partial_head));
  }
  RawClient extra(host->port(), "127.0.0.5");
  const auto raw = extra.read_until_closed();
  CHECK(extra.closed());
  CHECK(status_of(raw) == 503);
  CHECK(error_code(raw) == "server_busy");
  CHECK(error_shape(raw));
}

TEST_CASE("complete requests beyond the workers and the queue are answered 503 server_busy", "[edge][queue]") {
  TempDir dir("zhaoyin-edge");
  // One worker, one queue slot; bodies larger than the pre-read keep the worker
  // reading (until their clients leave at the end of the test).
  auto host = edge_host(dir, {"http.max_threads=1", "http.max_queued=1", "http.preread_body_bytes=16",
                              "http.body_timeout_seconds=300"});
  const std::string slow_body = "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\na";
  const std::string health = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::vector<std::unique_ptr<RawClient>> clients;
  for (const auto* request : {&slow_body, &slow_body, &health, &health}) {
    clients.push_back(std::make_unique<RawClient>(host->port(), "127.0.0.2"));
    REQUIRE(clients.back()->send(*request));
  }
  // Whatever the interleaving, the worker and the queue slot are taken by
  // then, so the last request is refused at once rather than left waiting.
  RawClient last(host->port(), "127.0.0.2");
  REQUIRE(last.send(health));
  const auto raw = last.read_until_closed();
  CHECK(last.closed());
  CHECK(status_of(raw) == 503);
  CHECK(error_code(raw) == "server_busy");
  CHECK(error_shape(raw));
  // Once the slow clients leave (the worker's body read ends), the host serves again.
  clients.clear();
  bool served = false;
  for (int attempt = 0; attempt < 100 && !served; ++attempt) {
    RawClient again(host->port());
    REQUIRE(again.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    served = status_of(again.read_until_closed()) == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(served);
}

TEST_CASE("the head deadline closes a client that dribbles its head", "[edge][deadline]") {
  TempDir dir("zhaoyin-edge");
  auto host = edge_host(dir, {"http.header_timeout_seconds=1", "http.body_timeout_seconds=1"});

  SECTION("a byte now and then does not extend the head deadline") {
    RawClient c(host->port(), "127.0.0.2");
    REQUIRE(c.send(partial_head));
    std::string raw;
    // One byte every 100 ms, far more often than the 1 s deadline: a per-read
    // timeout would never fire. Bounded at 1200 bytes (2 minutes).
    for (int i = 0; i < 1200 && !c.readable(std::chrono::milliseconds(100)); ++i) {
      if (!c.send("x")) break;
    }
    raw = c.read_until_closed();
    CHECK(c.closed());
    CHECK(status_of(raw) == 408);
    CHECK(error_code(raw) == "request_timeout");
    CHECK(error_shape(raw));
  }

  SECTION("a connection that sends nothing is closed with 408") {
    RawClient c(host->port(), "127.0.0.2");
    const auto raw = c.read_until_closed();
    CHECK(c.closed());
    CHECK(status_of(raw) == 408);
  }

  SECTION("a small body that does not arrive is answered 408") {
    RawClient c(host->port(), "127.0.0.2");
    REQUIRE(c.send("POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type="));
    const auto raw = c.read_until_closed();
    CHECK(c.closed());
    CHECK(status_of(raw) == 408);
    CHECK(error_code(raw) == "request_timeout");
  }

  SECTION("a large body read by a worker is bounded by the body deadline too") {
    RawClient c(host->port(), "127.0.0.2");
    REQUIRE(c.send("POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200000\r\n\r\ngrant_type="));
    const auto raw = c.read_until_closed();
    CHECK(c.closed());
    CHECK(status_of(raw) == 408);
    CHECK(error_code(raw) == "request_timeout");
  }

  SECTION("a chunked body that stops arriving is answered 408") {
    RawClient c(host->port(), "127.0.0.2");
    REQUIRE(c.send("POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "b\r\ngrant_type=\r\n"));
    const auto raw = c.read_until_closed();
    CHECK(c.closed());
    CHECK(status_of(raw) == 408);
    CHECK(error_code(raw) == "request_timeout");
  }

  SECTION("a client that leaves halfway through its body never has the truncated body served") {
    RawClient c(host->port(), "127.0.0.2");
    REQUIRE(c.send("POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200000\r\n\r\n"
                   "grant_type=client_credentials"));
    c.finish_sending();
    const auto raw = c.read_until_closed();
    CHECK(c.closed());
    CHECK(status_of(raw) == 400);
    CHECK(error_code(raw) == "incomplete_body");
  }

  SECTION("an idle keep-alive connection is closed, and served requests are not affected") {
    RawClient c(host->port(), "127.0.0.2");
    REQUIRE(c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
    const auto raw = c.read_until_closed();
    CHECK(c.closed());
    CHECK(status_of(raw) == 200);
    CHECK(raw.find("HTTP/1.1 408") == std::string::npos);
  }
}

TEST_CASE("malformed requests are answered in the JSON error shape with a code", "[edge][malformed]") {
  TempDir dir("zhaoyin-edge");
  auto host = edge_host(dir, {"http.max_header_bytes=9000", "http.max_header_fields=20", "http.max_body_bytes=1024",
                              "http.body_timeout_seconds=300"});
  const int port = host->port();

  struct Case {
    std::string name;
    std::string request;
    int status;
    std::string code;
  };
  const std::string big(10000, 'a');
  std::string many = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (int i = 0; i < 30; ++i) many += "X-Field-" + std::to_string(i) + ": v\r\n";
  many += "\r\n";
  const std::vector<Case> cases = {
      {"header line without a colon", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nthis is not a header\r\n\r\n", 400,
       "bad_header"},
      {"whitespace before the colon", "GET /healthz HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n", 400, "bad_header"},
      {"obsolete line folding", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: one\r\n two\r\n\r\n", 400,
       "bad_header"},
      {"control character in a value", std::string("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\x01z\r\n\r\n"),
       400, "bad_header"},
      {"bad request line", "HELLO\r\n\r\n", 400, "bad_request_line"},
      {"request line with extra parts", "GET / x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400, "bad_request_line"},
      {"not HTTP", "GET / FTP/1.0\r\n\r\n", 400, "bad_request_line"},
      {"HTTP/2 in an HTTP/1 head", "GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505, "http_version_not_supported"},
      {"bare LF line ends", "GET /healthz HTTP/1.1\nHost: 127.0.0.1\n\n", 400, "bad_request"},
      {"missing Host", "GET /healthz HTTP/1.1\r\n\r\n", 400, "bad_header"},
      {"oversized header", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + big + "\r\n\r\n", 431,
       "header_too_large"},
      {"too many header fields", many, 431, "header_too_large"},
      {"oversized target", "GET /" + std::string(8300, 'p') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414,
       "uri_too_long"},
      {"Content-Length and Transfer-Encoding",
       "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc",
       400, "bad_request"},
      {"conflicting Content-Length", "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
       400, "bad_content_length"},
      {"non-numeric Content-Length", "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n", 400,
       "bad_content_length"},
      // Found by fuzz_http_head: accepted here, then Poco's getContentLength64
      // threw and the request was dropped with no answer at all.
      {"Content-Length list", "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3, 3\r\n\r\nabc", 400,
       "bad_content_length"},
      // Found by fuzz_http_head: Poco would have decoded it to CR LF for the handler.
      {"RFC 2047 encoded word in a value",
       "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: =?UTF-8?B?DQpYOiAx?=\r\n\r\n", 400, "bad_header"},
      // Over http.max_body_bytes: refused as soon as the head arrives, not
      // waited for (the body never comes; waiting would end in 408).
      {"announced body over the limit",
       "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
       "Content-Length: 5000\r\n\r\n",
       413, "payload_too_large"},
      {"unknown transfer coding", "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\n",
       400, "unsupported_transfer_encoding"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto raw = exchange_raw(port, c.request);
    INFO(raw.substr(0, 400));
    CHECK(status_of(raw) == c.status);
    CHECK(error_code(raw) == c.code);
    CHECK(error_shape(raw));
  }

  // Operators see the refusals by code.
  const auto metrics = exchange_raw(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  CHECK(status_of(metrics) == 200);
  CHECK(metrics.find("zhaoyin_http_edge_refusals_total{code=\"bad_header\"}") != std::string::npos);
  CHECK(metrics.find("zhaoyin_http_edge_refusals_total{code=\"header_too_large\"}") != std::string::npos);

  // The host still serves well-formed requests, pipelined on one connection.
  RawClient c(port, "127.0.0.2");
  REQUIRE(c.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 "\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 "Content-Length: 29\r\n\r\ngrant_type=client_credentials"));
  const auto raw = c.read_responses(3);
  CHECK(status_of(raw) == 200);
  const auto second = raw.find("HTTP/1.1", 8);
  REQUIRE(second != std::string::npos);
  CHECK(status_of(raw.substr(second)) == 200);
  const auto third = raw.find("HTTP/1.1", second + 8);
  REQUIRE(third != std::string::npos);
  const int refused = status_of(raw.substr(third));  // no client credentials: refused, in JSON
  CHECK(refused >= 400);
  CHECK(refused < 500);
  CHECK(error_shape(raw.substr(third)));
}
