// The callback dispatcher against receivers on 127.0.0.1: refusal before any
// connection, isolation between applications, retries that survive a
// restart, redirects not followed, https with a pinned CA. Every receiver is
// on loopback; refused destinations are refused by the policy before the
// dispatcher ever sees them connect (the policy test proves it first).
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <atomic>
#include <csignal>
#include <catch2/catch.hpp>
#include <thread>
#include <zhaoyin/http/callback_dispatcher.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>

#include "callback_receiver.h"
#include "host_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using Mode = CallbackReceiver::Mode;

namespace {

struct Row {
  std::string status, last_error;
  int attempts = 0;
};

// A store with two applications, and dispatchers started on it as the test says.
class Bench {
 public:
  explicit Bench(const http::CallbackSettings& s) : host_({}, settings(s)) {
    host_.add_app("app-a", "secret-a");
    host_.add_app("app-b", "secret-b");
  }

  std::unique_ptr<http::CallbackDispatcher> start() {
    return std::make_unique<http::CallbackDispatcher>(host_.ctx, "test", nullptr);
  }

  std::vector<Row> rows(const std::string& client_id) {
    using namespace Poco::Data::Keywords;
    auto s = host_.ctx->db->session();
    std::string client = client_id;
    Poco::Data::Statement select(s);
    select << "SELECT status, attempts, COALESCE(last_error, '') FROM callback_deliveries WHERE client_id = ?"
              " ORDER BY created_at",
        use(client);
    select.execute();
    Poco::Data::RecordSet rs(select);
    std::vector<Row> out;
    for (std::size_t i = 0; i < rs.rowCount(); ++i)
      out.push_back({rs.value(0, i).convert<std::string>(), rs.value(2, i).convert<std::string>(),
                     rs.value(1, i).convert<int>()});
    return out;
  }

  // Polls the store until `done` holds (generous; never a timing assertion).
  bool wait_rows(const std::string& client_id, const std::function<bool(const std::vector<Row>&)>& done) {
    for (int i = 0; i < 2400; ++i) {
      if (done(rows(client_id))) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::string metrics() { return host_.ctx->metrics->render(); }

  bool wait_given_up(const std::string& client_id) {
    return wait_rows(client_id, [](const auto& r) { return r.size() == 1 && r[0].status == "failed"; });
  }

 private:
  static http::HostSettings settings(const http::CallbackSettings& s) {
    http::HostSettings h;
    h.callbacks = s;
    return h;
  }
  TestHost host_;
};

http::CallbackSettings loopback_allowed() {
  http::CallbackSettings s;
  s.allow_http = true;
  s.set_allow_list("127.0.0.1/32");
  s.retry_base = std::chrono::seconds(1);
  s.retry_max = std::chrono::seconds(1);
  return s;
}

std::string expected_signature(const std::string& secret, const ReceivedCall& c) {
  const auto key = trust::hmac_sha256(trust::to_bytes(secret), trust::to_bytes("zhaoyin callback signing key"));
  return "sha256=" + trust::hex_encode(trust::hmac_sha256(key, trust::to_bytes(c.timestamp + "." + c.body)));
}

// A test CA, a second unrelated CA, a server certificate for 127.0.0.1 and
// localhost issued by the first, and one for wrong.example only, made with
// the openssl command line.
class TestPki {
 public:
  TestPki() {
    const auto key = [](const std::string& k) {
      return "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + k;
    };
    const auto ca = [&](const std::string& name, const std::string& cn) {
      return key(dir_ / (name + ".key")) + " && openssl req -x509 -new -key " + dir_ / (name + ".key") +
             " -out " + dir_ / (name + ".pem") + " -days 2 -subj '/CN=" + cn + "'" +
             " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign";
    };
    write_file(dir_ / "server.ext",
               "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
    write_file(dir_ / "wrong.ext",
               "subjectAltName=DNS:wrong.example\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
    const std::string cmd = ca("ca", "Zhaoyin test callback CA") + " && " + ca("other", "Zhaoyin unrelated CA") +
                            " && " + key(dir_ / "server.key") + " && openssl req -new -key " + dir_ / "server.key" +
                            " -out " + dir_ / "server.csr" + " -subj /CN=localhost" + " && openssl x509 -req -in " +
                            dir_ / "server.csr" + " -CA " + dir_ / "ca.pem" + " -CAkey " + dir_ / "ca.key" +
                            " -CAcreateserial -out " + dir_ / "server.pem" + " -days 2 -extfile " +
                            dir_ / "server.ext" + " && " + key(dir_ / "wrong.key") + " && openssl req -new -key " +
                            dir_ / "wrong.key" + " -out " + dir_ / "wrong.csr" + " -subj /CN=wrong.example" +
                            " && openssl x509 -req -in " + dir_ / "wrong.csr" + " -CA " + dir_ / "ca.pem" + " -CAkey " +
                            dir_ / "ca.key" + " -CAcreateserial -out " + dir_ / "wrong.pem" + " -days 2 -extfile " +
                            dir_ / "wrong.ext";
    const auto r = run_command(cmd);
    if (r.exit_code != 0) throw std::runtime_error("openssl failed: " + r.output);
  }
  std::string path(const std::string& name) const { return dir_ / name; }

 private:
  TempDir dir_{"zhaoyin-callback-pki"};
};

// A receiver that answers a status line and then one header byte at a time,
// each well inside the read timeout, for as long as it runs: every single read
// succeeds, only a bound on the whole attempt ends it.
class DrippingReceiver {
 public:
  DrippingReceiver() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    std::signal(SIGPIPE, SIG_IGN);  // writing to a connection the host has cut
    thread_ = std::thread([this] {
      try {
        Poco::Net::StreamSocket peer = socket_.acceptConnection();
        ++accepted_;
        char buffer[4096];
        peer.setReceiveTimeout(Poco::Timespan(1, 0));
        try {
          peer.receiveBytes(buffer, sizeof buffer);  // the request (enough of it)
        } catch (const Poco::Exception&) {
        }
        peer.sendBytes("HTTP/1.1 200 OK\r\nX-Slow: ", 26);
        while (!stop_) {
          if (peer.sendBytes("a", 1) != 1) break;
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
      } catch (const Poco::Exception&) {
        // the host hung up: what the test waits for
      }
    });
  }
  ~DrippingReceiver() {
    stop_ = true;
    if (accepted_ == 0) {  // unblock accept() when the host never came
      try {
        Poco::Net::StreamSocket wake(socket_.address());
      } catch (const Poco::Exception&) {
      }
    }
    thread_.join();
    socket_.close();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + "/slow"; }
  int accepted() const { return accepted_; }

 private:
  Poco::Net::ServerSocket socket_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

}  // namespace

TEST_CASE("callback delivery: allow-listed loopback receives the signed body") {
  Bench bench(loopback_allowed());
  CallbackReceiver receiver;
  auto dispatcher = bench.start();
  dispatcher->enqueue("app-a", receiver.url("/hooks/a?x=1"), R"({"event":"test.status","n":1})");
  REQUIRE(receiver.wait_accepted(1));
  const auto c = receiver.accepted()[0];
  CHECK(c.path == "/hooks/a?x=1");
  CHECK(c.body == R"({"event":"test.status","n":1})");
  CHECK(c.signature == expected_signature("secret-a", c));
  CHECK(c.signature != expected_signature("secret-b", c));
  CHECK(bench.wait_rows("app-a", [](const auto& r) { return r.empty(); }));  // delivered rows leave the store
}

TEST_CASE("callback delivery: forbidden destinations are refused before any connection") {
  http::CallbackSettings s;
  s.allow_http = true;  // only the destination is at issue here
  // The policy itself refuses each one without resolving or connecting; only
  // then are they handed to a dispatcher (so a policy bug fails here, before
  // anything could be sent off this machine).
  const std::vector<std::string> urls = {
      "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/hook", "http://[::1]:9/hook",
      "http://[::ffff:127.0.0.1]:9/hook",        "http://[::ffff:169.254.169.254]/", "http://100.64.0.1/",
      "http://192.168.0.1/",                     "http://[fd00::1]/",                "http://2130706433/"};
  for (const auto& url : urls) {
    INFO(url);
    REQUIRE_THROWS_AS(http::check_callback_url(url, s), http::CallbackRefused);
  }
  Bench bench(s);
  CallbackReceiver receiver;  // on 127.0.0.1, but 127.0.0.1 is not allow-listed
  auto dispatcher = bench.start();
  dispatcher->enqueue("app-a", receiver.url(), "{}");
  REQUIRE(bench.wait_given_up("app-a"));
  const auto row = bench.rows("app-a")[0];
  CHECK(row.attempts == 1);  // given up at once: retrying cannot change the verdict
  CHECK(row.last_error.find("callback_destination_refused") != std::string::npos);
  for (const auto& url : urls) dispatcher->enqueue("app-b", url, "{}");
  REQUIRE(bench.wait_rows("app-b", [&](const auto& r) {
    return r.size() == urls.size() &&
           std::all_of(r.begin(), r.end(), [](const Row& x) { return x.status == "failed"; });
  }));
  for (const auto& row_b : bench.rows("app-b")) {
    INFO(row_b.last_error);
    CHECK(row_b.last_error.find("callback_destination_refused") != std::string::npos);
  }
  CHECK(receiver.arrived() == 0);
}

TEST_CASE("callback delivery: plain http is refused unless allowed") {
  auto s = loopback_allowed();
  s.allow_http = false;
  Bench bench(s);
  CallbackReceiver receiver;
  auto dispatcher = bench.start();
  dispatcher->enqueue("app-a", receiver.url(), "{}");
  REQUIRE(bench.wait_given_up("app-a"));
  CHECK(bench.rows("app-a")[0].last_error.find("callback_scheme_refused") != std::string::npos);
  CHECK(receiver.arrived() == 0);
}

TEST_CASE("callback delivery: a slow receiver of one application does not delay another") {
  auto s = loopback_allowed();
  s.read_timeout = std::chrono::seconds(300);  // A's receiver is held until the end of the test
  Bench bench(s);
  CallbackReceiver slow(Mode::Hold), fast;
  auto dispatcher = bench.start();
  dispatcher->enqueue("app-a", slow.url(), R"({"n":1})");
  REQUIRE(slow.wait_arrived(1));  // A's first delivery is now stuck in its receiver
  dispatcher->enqueue("app-a", slow.url(), R"({"n":2})");
  dispatcher->enqueue("app-b", fast.url(), R"({"n":3})");
  REQUIRE(fast.wait_accepted(1));
  // B was delivered while A's receiver still held A's first callback, and A's
  // second one waits behind A's first instead of taking another worker.
  CHECK(slow.accepted().empty());
  CHECK(slow.arrived() == 1);
  slow.release();
  REQUIRE(slow.wait_accepted(2));
  const auto a = slow.accepted();
  CHECK(a[0].body == R"({"n":1})");  // one application's callbacks arrive in order
  CHECK(a[1].body == R"({"n":2})");
}

TEST_CASE("callback delivery: a failed delivery is retried after the dispatcher restarts") {
  Bench bench(loopback_allowed());
  CallbackReceiver receiver(Mode::Fail);
  {
    auto first = bench.start();
    first->enqueue("app-a", receiver.url(), R"({"event":"persisted"})");
    REQUIRE(receiver.wait_arrived(1));
  }  // stopped: an attempt still in flight is cut short and left pending
  const auto rows = bench.rows("app-a");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == "pending");
  CHECK(receiver.accepted().empty());

  receiver.set_mode(Mode::Ok);
  auto second = bench.start();  // a new dispatcher knows the delivery only from the store
  REQUIRE(receiver.wait_accepted(1));
  const auto c = receiver.accepted()[0];
  CHECK(c.body == R"({"event":"persisted"})");
  CHECK(c.signature == expected_signature("secret-a", c));
  CHECK(bench.wait_rows("app-a", [](const auto& r) { return r.empty(); }));
}

TEST_CASE("callback delivery: stopping does not wait for a held receiver, and the next start sends again") {
  auto s = loopback_allowed();
  s.read_timeout = std::chrono::seconds(300);
  Bench bench(s);
  CallbackReceiver held(Mode::Hold);
  {
    auto first = bench.start();
    first->enqueue("app-a", held.url(), R"({"n":1})");
    REQUIRE(held.wait_arrived(1));
  }  // returns while the receiver still holds the request
  CHECK(held.accepted().empty());
  const auto rows = bench.rows("app-a");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].status == "pending");
  CHECK(rows[0].attempts == 0);  // an interrupted attempt is not counted against the application
  held.set_mode(Mode::Ok);
  auto second = bench.start();
  REQUIRE(bench.wait_rows("app-a", [](const auto& r) { return r.empty(); }));
  held.release();
}

TEST_CASE("callback delivery: gives up after the configured attempts") {
  auto s = loopback_allowed();
  s.max_attempts = 2;
  Bench bench(s);
  CallbackReceiver receiver(Mode::Fail);
  auto dispatcher = bench.start();
  dispatcher->enqueue("app-a", receiver.url(), "{}");
  REQUIRE(bench.wait_given_up("app-a"));
  CHECK(bench.rows("app-a")[0].attempts == 2);
  CHECK(receiver.arrived() == 2);
  const std::string metrics = bench.metrics();
  CHECK(metrics.find(R"(zhaoyin_callback_attempts_total{flow="test",outcome="retry"} 1)") != std::string::npos);
  CHECK(metrics.find(R"(zhaoyin_callback_attempts_total{flow="test",outcome="given_up"} 1)") != std::string::npos);
  CHECK(http::CallbackDispatcher::backoff(s, 1) == std::chrono::seconds(1));
  http::CallbackSettings defaults;
  CHECK(http::CallbackDispatcher::backoff(defaults, 1) == std::chrono::seconds(2));
  CHECK(http::CallbackDispatcher::backoff(defaults, 3) == std::chrono::seconds(8));
  CHECK(http::CallbackDispatcher::backoff(defaults, 40) == std::chrono::seconds(3600));
}

TEST_CASE("callback delivery: redirects are not followed") {
  Bench bench(loopback_allowed());
  CallbackReceiver target, redirecting;
  redirecting.redirect_to(target.url("/elsewhere"));
  auto dispatcher = bench.start();
  dispatcher->enqueue("app-a", redirecting.url(), "{}");
  REQUIRE(bench.wait_given_up("app-a"));
  CHECK(redirecting.arrived() == 1);
  CHECK(target.arrived() == 0);
  CHECK(bench.rows("app-a")[0].last_error.find("redirect not followed: 302") != std::string::npos);
}

TEST_CASE("callback delivery: https to a receiver under the application's pinned CA") {
  const TestPki pki;
  TempDir pins("zhaoyin-callback-pins");
  // app-a pins the receiver's CA; app-b pins an unrelated CA.
  std::filesystem::copy_file(pki.path("ca.pem"), pins / "app-a.pem");
  std::filesystem::copy_file(pki.path("other.pem"), pins / "app-b.pem");
  auto s = loopback_allowed();
  s.allow_http = false;
  s.set_allow_list("127.0.0.1/32 localhost");
  s.pinned_ca_dir = pins.path().string();
  Bench bench(s);
  CallbackReceiver receiver(Mode::Ok, pki.path("server.pem"), pki.path("server.key"));
  auto dispatcher = bench.start();

  SECTION("the pinned CA is trusted, by address and by name") {
    dispatcher->enqueue("app-a", receiver.url("/tls"), R"({"tls":1})");
    dispatcher->enqueue("app-a", "https://localhost:" + std::to_string(receiver.port()) + "/tls", R"({"tls":2})");
    if (!receiver.wait_accepted(2)) {
      for (const auto& row : bench.rows("app-a")) UNSCOPED_INFO(row.last_error);
      FAIL("the pinned receiver did not get both callbacks");
    }
    const auto calls = receiver.accepted();
    CHECK(calls[0].body == R"({"tls":1})");
    CHECK(calls[0].signature == expected_signature("secret-a", calls[0]));
    CHECK(calls[1].host.rfind("localhost", 0) == 0);
  }
  SECTION("a receiver under another CA is refused") {
    dispatcher->enqueue("app-b", receiver.url("/tls"), "{}");
    REQUIRE(bench.wait_rows("app-b", [](const auto& r) { return r.size() == 1 && r[0].attempts >= 1; }));
    const auto row = bench.rows("app-b")[0];
    // A TLS failure is retried like any network error (unless every attempt is already spent).
    CHECK((row.status == "pending" || row.attempts == s.max_attempts));
    INFO(row.last_error);
    CHECK(row.last_error.find("certificate verify failed") != std::string::npos);
    CHECK(receiver.arrived() == 0);
  }
}

TEST_CASE("callback delivery: https refuses a certificate that does not name the URL's host") {
  const TestPki pki;
  TempDir pins("zhaoyin-callback-pins");
  std::filesystem::copy_file(pki.path("ca.pem"), pins / "app-a.pem");
  auto s = loopback_allowed();
  s.allow_http = false;
  s.pinned_ca_dir = pins.path().string();
  Bench bench(s);
  CallbackReceiver receiver(Mode::Ok, pki.path("wrong.pem"), pki.path("wrong.key"));  // trusted CA, wrong name
  auto dispatcher = bench.start();
  dispatcher->enqueue("app-a", receiver.url(), "{}");
  REQUIRE(bench.wait_rows("app-a", [](const auto& r) { return r.size() == 1 && r[0].attempts >= 1; }));
  const auto error = bench.rows("app-a")[0].last_error;
  INFO(error);
  CHECK(error.find("does not name 127.0.0.1") != std::string::npos);
  CHECK(receiver.accepted().empty());
}

TEST_CASE("callback delivery: without a pin, https trusts only the system CA store") {
  const TestPki pki;
  auto s = loopback_allowed();
  s.allow_http = false;
  Bench bench(s);
  CallbackReceiver receiver(Mode::Ok, pki.path("server.pem"), pki.path("server.key"));
  auto dispatcher = bench.start();
  dispatcher->enqueue("app-a", receiver.url(), "{}");
  REQUIRE(bench.wait_rows("app-a", [](const auto& r) { return r.size() == 1 && r[0].attempts >= 1; }));
  CHECK(receiver.arrived() == 0);
  const auto error = bench.rows("app-a")[0].last_error;
  INFO(error);
  CHECK(error.find("certificate verify failed") != std::string::npos);
}

TEST_CASE("callback delivery: a receiver that drips its answer is cut off") {
  auto s = loopback_allowed();
  s.read_timeout = std::chrono::seconds(1);  // each byte comes sooner than this; the attempt as a whole may take 3 s
  s.max_attempts = 1;
  Bench bench(s);
  DrippingReceiver receiver;
  auto dispatcher = bench.start();
  dispatcher->enqueue("app-a", receiver.url(), "{}");
  REQUIRE(bench.wait_given_up("app-a"));
  const auto error = bench.rows("app-a")[0].last_error;
  INFO(error);
  CHECK(error.find("took longer than 3 s") != std::string::npos);
  CHECK(receiver.accepted() == 1);
}
