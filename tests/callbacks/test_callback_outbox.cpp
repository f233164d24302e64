// The transactional outbox (http/callback_outbox.h) end to end in one
// process: a host whose login routes run the real dispatcher, a receiver on
// 127.0.0.1, and state changes made through the login flow's own repository.
// "The host stopped between its commit and sending the callback" is a
// transition that nobody announces: the held row must still be delivered,
// rendered from the session's state.
#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>
#include <thread>
#include <nlohmann/json.hpp>
#include <zhaoyin/flow/event_bus.h>
#include <zhaoyin/http/callback_dispatcher.h>
#include <zhaoyin/http/trace_context.h>
#include <zhaoyin/login/login_service.h>
#include <zhaoyin/login/routes.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

#include "callback_receiver.h"
#include "host_fixture.h"
#include "login_repository.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using namespace std::chrono_literals;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

struct OutboxBench {
  OutboxBench()
      : host(
            [](http::Router& r, const std::shared_ptr<http::HostContext>& ctx) {
              ctx->events = flow::make_local_event_bus();  // before the dispatcher's thread starts
              login::register_login_routes(r, ctx);
            },
            loopback_callback_settings()) {
    host.add_app("app-a", "secret-a");
  }

  login::LoginSession open_session(const std::string& id, const std::string& callback_url) {
    login::LoginSession s;
    s.id = id;
    s.client_id = "app-a";
    s.status = "pending";
    s.ticket = "tk-" + id;
    s.nonce = "n-" + id;
    s.request.callback_url = callback_url;
    s.created_at = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    s.expires_at = s.created_at + 600s;
    s.events.push_back({"pending", s.created_at});
    login::LoginRepository(*host.ctx).insert(s);
    return s;
  }

  // body and due time of the deliveries held for `subject`
  std::vector<std::pair<std::string, long long>> held(const std::string& subject) {
    auto s = host.ctx->db->session();
    std::string id = subject;
    std::vector<std::string> bodies;
    std::vector<Poco::Int64> due;
    s << "SELECT body, due_at FROM callback_deliveries WHERE subject_id = ? ORDER BY created_at", into(bodies),
        into(due), use(id), now;
    std::vector<std::pair<std::string, long long>> out;
    for (std::size_t i = 0; i < bodies.size(); ++i) out.emplace_back(bodies[i], due[i]);
    return out;
  }

  void hold_runs_out(const std::string& subject) {
    auto s = host.ctx->db->session();
    std::string id = subject;
    s << "UPDATE callback_deliveries SET due_at = 0 WHERE subject_id = ?", use(id), now;
  }

  bool logged(const std::string& text) { return host.log_text().find(text) != std::string::npos; }

  TestHost host;
};

std::string expected_signature(const std::string& secret, const ReceivedCall& c) {
  const auto key = trust::hmac_sha256(trust::to_bytes(secret), trust::to_bytes("zhaoyin callback signing key"));
  return "sha256=" + trust::hex_encode(trust::hmac_sha256(key, trust::to_bytes(c.timestamp + "." + c.body)));
}

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

TEST_CASE("callback outbox: a change committed by a host that stopped before calling back is still reported") {
  OutboxBench bench;
  CallbackReceiver receiver;
  bench.open_session("ls-crash", receiver.url("/hooks/login"));

  // The commit, then nothing: the announce never runs.
  login::LoginRepository repo(*bench.host.ctx);
  REQUIRE(repo.transition("ls-crash", {"pending", "scanned"}, "cancelled", std::chrono::system_clock::now(),
                          login::Deadline::Ignore));
  REQUIRE(repo.held_callback());
  auto held = bench.held("ls-crash");
  REQUIRE(held.size() == 1);
  CHECK(held[0].first.empty());           // no body yet
  CHECK(held[0].second > now_ms() + 5000);  // and not due until its hold runs out

  bench.hold_runs_out("ls-crash");
  REQUIRE(receiver.wait_accepted(1));
  const auto c = receiver.accepted()[0];
  CHECK(c.path == "/hooks/login");
  CHECK(c.signature == expected_signature("secret-a", c));
  const auto body = nlohmann::json::parse(c.body);
  CHECK(body["event"] == "login_session.status");
  CHECK(body["session"]["id"] == "ls-crash");
  CHECK(body["session"]["status"] == "cancelled");
  CHECK(bench.logged("login held callback rendered after a stop"));
}

TEST_CASE("callback outbox: the normal path sends at once, with the body of the change") {
  OutboxBench bench;
  CallbackReceiver receiver;
  const auto s = bench.open_session("ls-live", receiver.url());
  login::LoginService service(bench.host.ctx);
  service.cancel(s);  // commit + announce: the held row gets its body and is due now
  REQUIRE(receiver.wait_accepted(1));  // long before the 15 s hold
  const auto body = nlohmann::json::parse(receiver.accepted()[0].body);
  CHECK(body["session"]["status"] == "cancelled");
  CHECK_FALSE(bench.logged("held callback rendered"));
  // A refused change holds nothing.
  CHECK_THROWS(service.cancel(s));
  for (int i = 0; i < 200 && !bench.held("ls-live").empty(); ++i) std::this_thread::sleep_for(50ms);
  CHECK(bench.held("ls-live").empty());  // delivered rows leave the store
}

TEST_CASE("callback outbox: a held callback whose subject is gone is dropped, not retried") {
  OutboxBench bench;
  CallbackReceiver receiver;
  bench.open_session("ls-gone", receiver.url());
  login::LoginRepository repo(*bench.host.ctx);
  REQUIRE(repo.transition("ls-gone", {"pending"}, "cancelled", std::chrono::system_clock::now(), login::Deadline::Ignore));
  {
    auto s = bench.host.ctx->db->session();
    std::string id = "ls-gone";
    s << "DELETE FROM login_events WHERE session_id = ?", use(id), now;
    s << "DELETE FROM login_sessions WHERE id = ?", use(id), now;
  }
  bench.hold_runs_out("ls-gone");
  for (int i = 0; i < 600 && !bench.held("ls-gone").empty(); ++i) std::this_thread::sleep_for(50ms);
  CHECK(bench.held("ls-gone").empty());
  CHECK(receiver.arrived() == 0);
  CHECK(bench.logged("login held callback dropped: its subject is gone"));
}

TEST_CASE("callback outbox: a callback continues the trace of the request that caused it, even when held") {
  OutboxBench bench;
  CallbackReceiver receiver;
  const auto caller = http::TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  REQUIRE(caller);
  const http::TraceParent request_span = caller->child();  // what the edge makes of the caller's header

  SECTION("sent at once") {
    const auto s = bench.open_session("ls-traced", receiver.url());
    {
      http::TraceScope scope(request_span);
      login::LoginService(bench.host.ctx).cancel(s);
    }
    REQUIRE(receiver.wait_accepted(1));
  }
  SECTION("rendered by a dispatcher after the hold ran out (the host stopped in between)") {
    bench.open_session("ls-traced", receiver.url());
    {
      http::TraceScope scope(request_span);
      REQUIRE(login::LoginRepository(*bench.host.ctx)
                  .transition("ls-traced", {"pending", "scanned"}, "cancelled", std::chrono::system_clock::now(),
                              login::Deadline::Ignore));
    }
    bench.hold_runs_out("ls-traced");
    REQUIRE(receiver.wait_accepted(1));
  }
  const auto sent = http::TraceParent::parse(receiver.accepted()[0].traceparent);
  REQUIRE(sent);
  CHECK(sent->trace_id == "4bf92f3577b34da6a3ce929d0e0e4736");  // the relying party's trace
  CHECK(sent->parent_id != request_span.parent_id);            // the delivery is a span of its own
  CHECK(sent->parent_id != caller->parent_id);
  CHECK(sent->flags == "01");                                  // the caller's sampling decision kept
}

TEST_CASE("callback outbox: a change made outside any request starts a trace of its own") {
  OutboxBench bench;
  CallbackReceiver receiver;
  const auto s = bench.open_session("ls-untraced", receiver.url());
  login::LoginService(bench.host.ctx).cancel(s);
  REQUIRE(receiver.wait_accepted(1));
  const auto sent = http::TraceParent::parse(receiver.accepted()[0].traceparent);
  REQUIRE(sent);  // always a valid header
  CHECK(sent->flags == "00");
}
