// The flow engine (host/flow: state_machine.h, flow_repository.h,
// flow_announcer.h, flow_engine.h) on a flow of its own, declared here on
// tables made for the test in a real migrated SQLite store, with the real
// event bus, the real callback dispatcher and a receiver on 127.0.0.1. Login
// and signing are definitions on the same engine; their own tests cover them.
#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>
#include <latch>
#include <nlohmann/json.hpp>
#include <thread>
#include <zhaoyin/flow/event_bus.h>
#include <zhaoyin/flow/flow_engine.h>
#include <zhaoyin/http/callback_dispatcher.h>

#include "callback_receiver.h"
#include "host_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using namespace std::chrono_literals;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace {

// A parcel handed over by QR: scanned by the wallet, then accepted or refused.
const flow::FlowDefinition& parcel_flow() {
  static const flow::FlowDefinition def{
      "parcel",
      "parcel",
      "parcel:",
      "parcel",
      "parcel",
      {"test_parcels", "test_parcel_events", "parcel_id", ""},
      flow::StateMachine("pending", {{{"pending"}, "scanned"},
                                     {{"pending", "scanned"}, "accepted"},
                                     {{"pending", "scanned"}, "refused"},
                                     {{"pending", "scanned"}, "expired"},
                                     {{"pending", "scanned"}, "cancelled"}}),
      {"zhaoyin_test_parcels_total", "Parcel state changes by new status."},
      {"zhaoyin_test_parcel_duration_seconds", "Time from a parcel's creation to its end."}};
  return def;
}

struct Parcel {
  std::string id, client_id, status;
  flow::TimePoint created_at{}, expires_at{};
  std::vector<flow::StatusEvent> events;
};

std::optional<Parcel> read_parcel(store::Database& db, const std::string& id) {
  auto s = db.session();
  std::string key = id;
  std::vector<std::string> clients, statuses;
  std::vector<Poco::Int64> created, expires;
  s << "SELECT client_id, status, created_at, expires_at FROM test_parcels WHERE id = ?", into(clients), into(statuses),
      into(created), into(expires), use(key), now;
  if (clients.empty()) return std::nullopt;
  Parcel p{id, clients[0], statuses[0], flow::TimePoint(std::chrono::seconds(created[0])),
           flow::TimePoint(std::chrono::seconds(expires[0])), {}};
  p.events = flow::FlowRepository(db, parcel_flow()).events(s, id);
  return p;
}

struct ParcelBench {
  ParcelBench()
      : host([](http::Router&, const std::shared_ptr<http::HostContext>& ctx) { ctx->events = flow::make_local_event_bus(); },
             loopback_callback_settings()) {
    host.add_app("app-a", "secret-a");
    auto s = host.ctx->db->session();
    s << "CREATE TABLE test_parcels (id VARCHAR(64) PRIMARY KEY, client_id VARCHAR(64) NOT NULL,"
         " status VARCHAR(32) NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,"
         " updated_at BIGINT NOT NULL, callback_url VARCHAR(2000))",
        now;
    s << "CREATE TABLE test_parcel_events (parcel_id VARCHAR(64) NOT NULL, seq INTEGER NOT NULL,"
         " status VARCHAR(32) NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (parcel_id, seq))",
        now;
    const auto ctx = host.ctx;
    dispatcher = http::CallbackDispatcher::start(
        ctx, "parcel", [this] { engine().expire_overdue(100); },
        [this](const std::string& id) { return engine().render_callback(id); });
  }

  flow::FlowEngine<Parcel> engine() const {
    const auto ctx = host.ctx;
    return flow::FlowEngine<Parcel>(
        ctx, parcel_flow(),
        {[ctx](const std::string& id) { return read_parcel(*ctx->db, id); },
         [](const Parcel& p) { return nlohmann::json{{"event", "parcel.status"}, {"id", p.id}, {"status", p.status}}.dump(); }});
  }

  // A new parcel (pending), created `age` ago and living `ttl` from its creation.
  void add(const std::string& id, std::chrono::seconds ttl = 600s, std::optional<std::string> callback = std::nullopt,
           std::chrono::seconds age = 0s) {
    auto s = host.ctx->db->session();
    std::string key = id, client = "app-a", status = "pending";
    const auto created = flow::now_seconds() - age;
    Poco::Int64 c = std::chrono::duration_cast<std::chrono::seconds>(created.time_since_epoch()).count();
    Poco::Int64 e = c + ttl.count();
    Poco::Nullable<std::string> url = callback ? Poco::Nullable<std::string>(*callback) : Poco::Nullable<std::string>();
    s << "INSERT INTO test_parcels (id, client_id, status, created_at, expires_at, updated_at, callback_url)"
         " VALUES (?, ?, ?, ?, ?, ?, ?)",
        use(key), use(client), use(status), use(c), use(e), use(c), use(url), now;
    flow::FlowRepository(*host.ctx->db, parcel_flow()).append_event(s, id, "pending", created);
  }

  Parcel stored(const std::string& id) const { return *read_parcel(*host.ctx->db, id); }

  // Bodies of the callback deliveries held or queued for `id`.
  std::vector<std::string> deliveries(const std::string& id) const {
    auto s = host.ctx->db->session();
    std::string key = id;
    std::vector<std::string> bodies;
    s << "SELECT body FROM callback_deliveries WHERE subject_id = ? ORDER BY created_at", into(bodies), use(key), now;
    return bodies;
  }

  TestHost host;
  std::shared_ptr<http::CallbackDispatcher> dispatcher;
};

}  // namespace

TEST_CASE("flow engine: a state machine names its sources, open and final states, and refuses undeclared changes") {
  const auto& states = parcel_flow().states;
  CHECK(states.initial() == "pending");
  CHECK(states.sources("scanned") == std::vector<std::string>{"pending"});
  CHECK(states.sources("expired") == std::vector<std::string>{"pending", "scanned"});
  CHECK(states.open_states() == std::vector<std::string>{"pending", "scanned"});
  CHECK(states.is_final("accepted"));
  CHECK_FALSE(states.is_final("scanned"));
  CHECK_FALSE(states.is_final("no such state"));
  CHECK(states.allows("scanned", "refused"));
  CHECK_FALSE(states.allows("accepted", "refused"));
  CHECK_FALSE(states.allows("scanned", "scanned"));
  CHECK_THROWS_AS(states.sources("pending"), std::logic_error);  // nothing leads back
  CHECK_THROWS_AS(flow::StateMachine("pending", {{{}, "done"}}), std::logic_error);
  CHECK_THROWS_AS(flow::StateMachine("done", {{{"pending"}, "done"}}), std::logic_error);  // the start is a dead end
}

TEST_CASE("flow engine: a change from a state that does not declare it is refused and stores nothing") {
  ParcelBench bench;
  auto engine = bench.engine();
  bench.add("p-1");
  REQUIRE(engine.change("p-1", "accepted", flow::now_seconds(), flow::Deadline::BeforeExpiry));
  CHECK_FALSE(engine.change("p-1", "refused", flow::now_seconds(), flow::Deadline::BeforeExpiry));
  CHECK_FALSE(engine.change("p-1", "scanned", flow::now_seconds(), flow::Deadline::Ignore));
  const auto after = bench.stored("p-1");
  CHECK(after.status == "accepted");
  CHECK(after.events.size() == 2);
  // mark_scanned is a no-op in any state but pending; cancel refuses a final item.
  CHECK(engine.mark_scanned(after).status == "accepted");
  try {
    engine.cancel(after);
    FAIL("cancelled a final parcel");
  } catch (const http::ApiError& e) {
    CHECK(e.status() == 409);
    CHECK(e.code() == "already_final");
  }
  CHECK(bench.stored("p-1").events.size() == 2);
  // The wallet's steps apply only while the item lives.
  bench.add("p-late", 10s, std::nullopt, 60s);
  CHECK_FALSE(engine.change("p-late", "accepted", flow::now_seconds(), flow::Deadline::BeforeExpiry));
  CHECK(read_parcel(*bench.host.ctx->db, "p-late")->status == "pending");
}

TEST_CASE("flow engine: of two threads answering at once exactly one change applies") {
  ParcelBench bench;
  auto engine = bench.engine();
  for (int round = 0; round < 20; ++round) {
    const std::string id = "race-" + std::to_string(round);
    bench.add(id);
    std::latch start(2);
    std::atomic<int> applied{0};
    auto answer = [&](const char* to) {
      start.arrive_and_wait();
      if (engine.change(id, to, flow::now_seconds(), flow::Deadline::BeforeExpiry)) ++applied;
    };
    std::thread a(answer, "accepted"), b(answer, "refused");
    a.join();
    b.join();
    CHECK(applied == 1);
    const auto after = bench.stored(id);
    CHECK((after.status == "accepted" || after.status == "refused"));
    REQUIRE(after.events.size() == 2);  // pending, and the one change
    CHECK(after.events[1].status == after.status);
  }
}

TEST_CASE("flow engine: an overdue item is recorded as expired when read, once") {
  ParcelBench bench;
  auto engine = bench.engine();
  bench.add("p-old", 10s, std::nullopt, 60s);
  CHECK(bench.stored("p-old").status == "pending");  // the raw row: nobody recorded it yet
  const auto read = engine.find("p-old");
  REQUIRE(read);
  CHECK(read->status == "expired");
  CHECK(engine.find("p-old")->events.size() == 2);  // a second read adds nothing
  CHECK(bench.stored("p-old").events.back().status == "expired");
  CHECK_FALSE(engine.find_for("app-b", "p-old"));  // another application's item is not found
  CHECK_FALSE(engine.find("p-unknown"));
}

TEST_CASE("flow engine: the sweeper records the expiry of overdue items with a callback and calls back") {
  ParcelBench bench;
  CallbackReceiver receiver;
  bench.add("p-swept", 10s, receiver.url("/hooks/parcel"), 60s);
  REQUIRE(receiver.wait_accepted(1));  // the dispatcher's sweep, with nobody reading
  const auto body = nlohmann::json::parse(receiver.accepted()[0].body);
  CHECK(body["id"] == "p-swept");
  CHECK(body["status"] == "expired");
  CHECK(bench.stored("p-swept").status == "expired");
}

TEST_CASE("flow engine: a waiter is woken by a change published on the event bus") {
  ParcelBench bench;
  auto engine = bench.engine();
  bench.add("p-wait");
  std::optional<Parcel> seen;
  std::thread waiter([&] { seen = engine.wait_for_change("p-wait", "pending", std::chrono::steady_clock::now() + 10min); });
  while (bench.host.ctx->events->waiting() == 0) std::this_thread::yield();  // subscribed (the change may come before its read)
  REQUIRE(engine.change("p-wait", "scanned", flow::now_seconds(), flow::Deadline::BeforeExpiry));
  waiter.join();
  REQUIRE(seen);
  CHECK(seen->status == "scanned");
  // A status other than `last` returns at once.
  CHECK(engine.wait_for_change("p-wait", "pending", std::chrono::steady_clock::now() + 10min)->status == "scanned");
}

TEST_CASE("flow engine: a held callback is released only after its change committed") {
  ParcelBench bench;
  CallbackReceiver receiver;
  auto engine = bench.engine();
  bench.add("p-held", 600s, receiver.url());

  SECTION("a change that rolls back holds nothing") {
    CHECK_THROWS_AS(engine.change("p-held", "accepted", flow::now_seconds(), flow::Deadline::BeforeExpiry,
                                  [](Poco::Data::Session&) { throw std::runtime_error("the flow's own step failed"); }),
                    std::runtime_error);
    CHECK(bench.deliveries("p-held").empty());
    CHECK(bench.stored("p-held").status == "pending");
    CHECK(bench.stored("p-held").events.size() == 1);
    CHECK(receiver.arrived() == 0);
  }
  SECTION("the committed change's delivery waits, bodiless, until it is announced") {
    flow::FlowRepository repo(*bench.host.ctx->db, parcel_flow());
    REQUIRE(repo.transition("p-held", {"pending"}, "accepted", flow::now_seconds(), flow::Deadline::BeforeExpiry));
    REQUIRE(repo.held_callback());
    CHECK(bench.deliveries("p-held") == std::vector<std::string>{""});  // held in the transaction, no body yet
    engine.announce(bench.stored("p-held"), repo.held_callback());
    REQUIRE(receiver.wait_accepted(1));
    const auto body = nlohmann::json::parse(receiver.accepted()[0].body);
    CHECK(body["status"] == "accepted");
  }
}
