// Callback deliveries on PostgreSQL (a private server for this process):
// migration 14 applies there too, two hosts' dispatchers on one store share
// the queue without sending a delivery twice, and a delivery left pending by
// one host's dispatcher is finished by another.
#include <Poco/Data/Session.h>
#include <catch2/catch.hpp>
#include <thread>
#include <host_process.h>
#include <postgres_server.h>
#include <sstream>
#include <zhaoyin/http/callback_dispatcher.h>
#include <zhaoyin/store/application_repository.h>

#include "callback_receiver.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using Mode = CallbackReceiver::Mode;

namespace {

// One "host": its own context and connection pool on the shared database.
struct PgHost {
  explicit PgHost(const std::string& connection) {
    store::DatabaseSettings db;
    db.driver = "postgresql";
    db.postgresql = connection;
    db.data_dir = dir.path() / "unused";
    ctx = std::make_shared<http::HostContext>();
    ctx->settings.callbacks.allow_http = true;
    ctx->settings.callbacks.set_allow_list("127.0.0.1/32");
    ctx->settings.callbacks.retry_base = std::chrono::seconds(1);
    ctx->settings.callbacks.retry_max = std::chrono::seconds(1);
    ctx->log = std::make_shared<http::JsonLog>(log, http::LogLevel::Off);
    ctx->metrics = std::make_shared<http::Metrics>();
    ctx->db = std::make_shared<store::Database>(db);
    ctx->db->migrate();
  }
  ~PgHost() { ctx->db->close(); }
  std::unique_ptr<http::CallbackDispatcher> start() {
    return std::make_unique<http::CallbackDispatcher>(ctx, "test", nullptr);
  }
  int pending() {
    using namespace Poco::Data::Keywords;
    auto s = ctx->db->session();
    int n = -1;
    s << "SELECT COUNT(*) FROM callback_deliveries", into(n), now;
    return n;
  }
  TempDir dir{"zhaoyin-callback-pg"};
  std::ostringstream log;
  std::shared_ptr<http::HostContext> ctx;
};

bool wait_empty(PgHost& h) {
  for (int i = 0; i < 2400; ++i) {
    if (h.pending() == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace

TEST_CASE("callback store on PostgreSQL: two hosts share the queue, a restart resumes it", "[store_pg]") {
  PostgresServer server;
  const std::string connection = server.create_database("callbacks");
  PgHost a(connection), b(connection);
  CHECK(a.ctx->db->schema_version() == store::Database::latest_version());
  store::Application app;
  app.client_id = "app-a";
  app.name = "Test app";
  app.department = "tax";
  app.scope = "province";
  app.province = "42";
  app.needs = {"login"};
  app.channels = {"pc"};
  app.matters = {"电子政务/税务/发票申领"};
  app.annual_volume = 10000;
  app.peak_rate = 5;
  store::ApplicationRepository(*a.ctx->db).create(app, "secret-a");

  SECTION("each delivery reaches the receiver once, whichever host sends it") {
    CallbackReceiver receiver;
    auto da = a.start();
    auto db = b.start();
    for (int i = 0; i < 6; ++i) (i % 2 ? da : db)->enqueue("app-a", receiver.url(), "{\"n\":" + std::to_string(i) + "}");
    REQUIRE(receiver.wait_accepted(6));
    REQUIRE(wait_empty(a));
    CHECK(receiver.accepted().size() == 6);
  }
  SECTION("a delivery one host failed is finished by the other") {
    CallbackReceiver receiver(Mode::Fail);
    {
      auto da = a.start();
      da->enqueue("app-a", receiver.url(), R"({"from":"a"})");
      REQUIRE(receiver.wait_arrived(1));
    }
    CHECK(a.pending() == 1);
    receiver.set_mode(Mode::Ok);
    auto db = b.start();
    REQUIRE(receiver.wait_accepted(1));
    CHECK(receiver.accepted()[0].body == R"({"from":"a"})");
    CHECK(wait_empty(b));
  }
}
