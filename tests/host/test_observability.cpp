// W3C Trace Context parsing (https://www.w3.org/TR/trace-context/, §3.2), and
// what the edge does with it: every log line of a request carries its
// request_id and trace_id, error bodies carry the request id, refusals are
// counted by code. The callbacks' side is in tests/callbacks/test_callback_outbox.cpp.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <Poco/Net/StreamSocket.h>
#include <sstream>
#include <vector>
#include <zhaoyin/http/trace_context.h>

#include "host_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using http::TraceParent;

namespace {

const std::string kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
const std::string kValid = "00-" + kTrace + "-00f067aa0ba902b7-01";  // the specification's own example

std::vector<nlohmann::json> log_lines(TestHost& host) {
  std::vector<nlohmann::json> out;
  std::istringstream in(host.log_text());
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace

TEST_CASE("traceparent: valid headers as §3.2 defines them") {
  const auto p = TraceParent::parse(kValid);
  REQUIRE(p);
  CHECK(p->trace_id == kTrace);
  CHECK(p->parent_id == "00f067aa0ba902b7");
  CHECK(p->flags == "01");
  CHECK(p->header() == kValid);
  // A later version is read by its first 55 characters when "-" or the end follows (§3.2.2.1 / §4.2).
  CHECK(TraceParent::parse("cc-" + kTrace + "-00f067aa0ba902b7-01"));
  CHECK(TraceParent::parse("cc-" + kTrace + "-00f067aa0ba902b7-01-what-the-future-holds"));
  CHECK(TraceParent::parse("00-" + kTrace + "-00f067aa0ba902b7-00"));  // not sampled
}

TEST_CASE("traceparent: invalid headers are refused (and the host starts its own trace)") {
  const std::vector<std::string> invalid = {
           "",
           "ff-" + kTrace + "-00f067aa0ba902b7-01",                  // version ff is invalid
           "00-" + kTrace + "-00f067aa0ba902b7-01-",                 // version 00 is exactly 55 characters
           "00-" + kTrace + "-00f067aa0ba902b7-1",                   // short flags
           "cc-" + kTrace + "-00f067aa0ba902b7-01x",                 // a later version: "-" must follow
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case is not HEXDIGLC
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace-id
           "00-" + kTrace + "-0000000000000000-01",                  // all-zero parent-id
           "00_" + kTrace + "-00f067aa0ba902b7-01",                  // wrong separator
           "0g-" + kTrace + "-00f067aa0ba902b7-01",                  // not hex
           "00-" + kTrace.substr(0, 31) + "z-00f067aa0ba902b7-01",
  };
  for (const auto& bad : invalid) {
    INFO(bad);
    CHECK_FALSE(TraceParent::parse(bad));
  }
}

TEST_CASE("traceparent: a child keeps the trace and flags, with a new span id — a new trace is valid") {
  const auto parent = *TraceParent::parse(kValid);
  const auto child = parent.child();
  CHECK(child.trace_id == kTrace);
  CHECK(child.flags == "01");
  CHECK(child.parent_id != parent.parent_id);
  CHECK(TraceParent::parse(child.header()));
  const auto fresh = TraceParent::start();
  CHECK(TraceParent::parse(fresh.header()));
  CHECK(fresh.trace_id != TraceParent::start().trace_id);
  CHECK(fresh.flags == "00");
}

TEST_CASE("observability: the caller's trace and the request id are on every log line of its request") {
  TestHost host;
  const auto r = host.get("/no-such-resource", {{"traceparent", kValid}, {"X-Request-Id", "rp-req-42"}});
  CHECK(r.status == 404);
  CHECK(r.header("X-Request-Id") == "rp-req-42");
  CHECK(r.json()["error"]["code"] == "not_found");
  CHECK(r.json()["error"]["request_id"] == "rp-req-42");
  int lines = 0;
  for (const auto& line : log_lines(host)) {
    if (line.value("request_id", "") != "rp-req-42") continue;
    ++lines;
    CHECK(line.value("trace_id", "") == kTrace);
  }
  CHECK(lines >= 1);
}

TEST_CASE("observability: an invalid or repeated traceparent starts a new trace") {
  TestHost host;
  const std::string upper = "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01";
  host.get("/healthz", {{"traceparent", upper}, {"X-Request-Id", "bad-header"}});
  {
    // Two traceparent fields: written by hand, as the test client sets a header once.
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", host.server->port()));
    const std::string head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\ntraceparent: " + kValid +
                             "\r\ntraceparent: " + kValid + "\r\nX-Request-Id: two-headers\r\nConnection: close\r\n\r\n";
    socket.sendBytes(head.data(), static_cast<int>(head.size()));
    char buffer[4096];
    std::string reply;
    for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;) reply.append(buffer, static_cast<std::size_t>(n));
    CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);
  }
  host.get("/healthz", {{"X-Request-Id", "no-header"}});
  std::map<std::string, std::string> trace_of;
  for (const auto& line : log_lines(host)) {
    if (line.contains("request_id") && line.contains("trace_id")) trace_of[line["request_id"]] = line["trace_id"];
  }
  for (const char* id : {"bad-header", "two-headers", "no-header"}) {
    INFO(id);
    REQUIRE(trace_of.count(id));
    CHECK(TraceParent::parse("00-" + trace_of[id] + "-00f067aa0ba902b7-01"));  // a valid trace-id of its own
    CHECK(trace_of[id] != kTrace);
    CHECK(trace_of[id] != "4bf92f3577b34da6a3ce929d0e0e4736");
  }
  CHECK(trace_of["bad-header"] != trace_of["no-header"]);
}

TEST_CASE("observability: refusals are counted by status and code — the waiting gauge is exported") {
  TestHost host;
  host.get("/no-such-resource");
  host.get("/no-such-resource");
  host.post("/oauth/token", "grant_type=client_credentials&client_id=nobody&client_secret=x",
            "application/x-www-form-urlencoded");
  const auto metrics = host.get("/metrics").body;
  INFO(metrics);
  CHECK(metrics.find("zhaoyin_http_refusals_total{status=\"404\",code=\"not_found\"} 2") != std::string::npos);
  CHECK(metrics.find("zhaoyin_http_refusals_total{status=\"401\",code=\"invalid_client\"} 1") != std::string::npos);
  CHECK(metrics.find("zhaoyin_waiting_clients 0") != std::string::npos);
  for (const char* family : {"zhaoyin_usage_refused_total", "zhaoyin_auth_throttled_total",
                             "zhaoyin_callback_attempts_total"})
    CHECK(metrics.find(std::string("# TYPE ") + family + " counter") != std::string::npos);
}
