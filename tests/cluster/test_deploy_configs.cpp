// The files of config/deploy/ as docs/DEPLOY.md uses them: Redis started from
// redis.conf, two hosts from host-a.properties and host-b.properties on a
// PostgreSQL store, nginx from nginx.conf — with only what must differ on a
// test machine replaced (ports, data folders, the authority folder, the
// public URL, nginx's pid/log/temp paths). A login made through nginx and
// answered by the wallet through nginx shows the set-up works; if a shipped
// file stops parsing or loses a line the test relies on, this test fails.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <future>
#include <thread>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include "cluster_env.h"

using namespace zhaoyin::test;
using namespace std::chrono_literals;

namespace {

fs::path deploy_file(const std::string& name) { return fs::path(source_dir()) / "config" / "deploy" / name; }

// Replaces the one occurrence of `from` in `text`; a file that changed shape fails the test.
void replace_once(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  INFO("config/deploy/nginx.conf no longer contains: " << from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  text.replace(at, from.size(), to);
}

// nginx.conf with its ports and file paths moved into the test's nginx prefix.
std::string adapt_nginx_conf(const NginxServer& nginx, int port_a, int port_b) {
  std::string c = read_file(deploy_file("nginx.conf"));
  const std::string p = nginx.prefix().string();
  replace_once(c, "listen 127.0.0.1:8080;", "listen 127.0.0.1:" + std::to_string(nginx.port()) + ";");
  replace_once(c, "server 127.0.0.1:8081 ", "server 127.0.0.1:" + std::to_string(port_a) + " ");
  replace_once(c, "server 127.0.0.1:8082 ", "server 127.0.0.1:" + std::to_string(port_b) + " ");
  replace_once(c, "pid /run/zhaoyin-nginx.pid;", "pid " + p + "/nginx.pid;");
  replace_once(c, "error_log /var/log/nginx/zhaoyin-error.log", "error_log " + p + "/logs/error.log");
  replace_once(c, "access_log /var/log/nginx/zhaoyin-access.log;", "access_log " + p + "/logs/access.log;");
  std::string temp;
  for (const char* kind : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
    temp += "  " + std::string(kind) + "_temp_path " + p + "/temp/" + kind + ";\n";
  replace_once(c, "http {\n", "http {\n" + temp);
  // In the foreground, as the test's child; as root, workers must reach the prefix.
  return std::string(::geteuid() == 0 ? "user root;\n" : "") + "daemon off;\n" + c;
}

}  // namespace

TEST_CASE("config/deploy as DEPLOY.md runs it: Redis, two hosts on PostgreSQL, nginx — a login through nginx", "[deploy]") {
  PostgresServer pg;
  RedisServer redis(deploy_file("redis.conf"));
  NginxServer nginx;
  TempDir dir("zhaoyin-deploy");
  const auto& sandbox = shared_sandbox();

  auto start_host = [&](const std::string& name) {
    const std::vector<std::string> overrides = {
        "--data", (dir.path() / name).string(), "--sandbox", sandbox.string(),
        "--set", "store.postgresql=" + pg.connection_string(),
        "--set", "redis.port=" + std::to_string(redis.port()),
        "--set", "http.public_url=" + nginx.url()};
    auto h = std::make_unique<HostProcess>(dir.path(), overrides, deploy_file(name + ".properties"));
    INFO(h->log());
    REQUIRE(h->ready());
    return h;
  };
  auto a = start_host("host-a");  // migrates the store
  auto b = start_host("host-b");
  for (const auto* h : {a.get(), b.get()}) {
    const auto health = http("GET", h->url("/healthz")).as_json();
    CHECK(health["status"] == "ok");
    CHECK(health["store"] == "ok");
    for (int i = 0; i < 100 && h->log().find("redis events linked") == std::string::npos; ++i)
      std::this_thread::sleep_for(100ms);
    CHECK(h->log().find("redis events linked") != std::string::npos);
  }
  nginx.start_with(adapt_nginx_conf(nginx, a->port(), b->port()));
  CHECK(http("GET", nginx.url("/healthz")).status == 200);

  // DEPLOY.md's trial: a token, a login and its long-poll through nginx; the wallet answers through nginx.
  const auto doc = read_json(sandbox / "sandbox.json");
  json tax, wallet;
  for (const auto& app : doc["applications"])
    if (app["department"] == "tax") tax = app;
  for (const auto& w : doc["wallets"])
    if (w["holder"] == "张志伟") wallet = w;
  REQUIRE(tax.is_object());
  REQUIRE(wallet.is_object());
  const auto token_reply = http("POST", nginx.url("/oauth/token"),
                                "grant_type=client_credentials&client_id=" + tax["client_id"].get<std::string>() +
                                    "&client_secret=" + tax["client_secret"].get<std::string>(),
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(token_reply.status == 200);
  const std::string token = token_reply.as_json()["access_token"];
  for (int i = 0; i < 2; ++i) {  // twice: round-robin puts the steps on both hosts
    const auto created = http("POST", nginx.url("/api/v1/login-sessions"), "{}", bearer(token));
    REQUIRE(created.status == 201);
    const auto s = created.as_json();
    CHECK(s["qr_text"].get<std::string>().rfind(nginx.url("/wallet/v1/requests/"), 0) == 0);
    auto waiter = std::async(std::launch::async, [&, id = s["id"].get<std::string>()] {
      return http("GET", nginx.url("/api/v1/login-sessions/" + id + "?wait=30&last=pending"), "", bearer(token));
    });
    std::this_thread::sleep_for(300ms);
    const auto scan = run_command(quote(bin("zhaoyin-wallet")) + " --wallet " +
                                  quote((sandbox / wallet["path"].get<std::string>()).string()) + " --password " +
                                  quote(wallet["password"].get<std::string>()) + " scan " +
                                  quote(s["qr_text"].get<std::string>()) + " --approve");
    INFO(scan.output);
    REQUIRE(scan.exit_code == 0);
    const auto woke = waiter.get();
    CHECK(woke.status == 200);
    CHECK(woke.as_json()["status"] != "pending");
    const auto final_state = http("GET", nginx.url("/api/v1/login-sessions/" + s["id"].get<std::string>() +
                                                   "?wait=30&last=scanned"),
                                  "", bearer(token));
    CHECK(final_state.as_json()["status"] == "confirmed");
  }
  CHECK(a->log().find("/api/v1/login-sessions") != std::string::npos);
  CHECK(b->log().find("/api/v1/login-sessions") != std::string::npos);
}

namespace {

// The server_name the shipped nginx.conf declares.
std::string shipped_server_name() {
  const std::string c = read_file(deploy_file("nginx.conf"));
  const auto at = c.find("server_name ");
  REQUIRE(at != std::string::npos);
  const auto end = c.find(';', at);
  REQUIRE(end != std::string::npos);
  return c.substr(at + 12, end - at - 12);
}

// An upstream that records the head of the one request it gets and answers 200.
// While alive, this test's HTTP client records nothing for tests/openapi:
// the answers come from a stand-in upstream, not from a zhaoyin host.
class NoOpenApiCapture {
 public:
  NoOpenApiCapture() {
    if (const char* dir = std::getenv("ZHAOYIN_OPENAPI_CAPTURE")) saved_ = dir;
    ::unsetenv("ZHAOYIN_OPENAPI_CAPTURE");
  }
  ~NoOpenApiCapture() {
    if (!saved_.empty()) ::setenv("ZHAOYIN_OPENAPI_CAPTURE", saved_.c_str(), 1);
  }
  NoOpenApiCapture(const NoOpenApiCapture&) = delete;
  NoOpenApiCapture& operator=(const NoOpenApiCapture&) = delete;

 private:
  std::string saved_;
};

class CapturingUpstream {
 public:
  CapturingUpstream() : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
    thread_ = std::thread([this] {
      Poco::Net::StreamSocket peer = socket_.acceptConnection();
      peer.setReceiveTimeout(Poco::Timespan(120, 0));
      std::string head;
      char buf[1024];
      while (head.find("\r\n\r\n") == std::string::npos) {
        const int n = peer.receiveBytes(buf, sizeof buf);
        if (n <= 0) break;
        head.append(buf, static_cast<std::size_t>(n));
      }
      const std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      peer.sendBytes(reply.data(), static_cast<int>(reply.size()));
      head_.set_value(head);
    });
  }
  ~CapturingUpstream() {
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return socket_.address().port(); }
  std::string head() { return head_.get_future().get(); }

 private:
  Poco::Net::ServerSocket socket_;
  std::promise<std::string> head_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("config/deploy/nginx.conf passes its own server_name as Host, never the client's", "[deploy][nginx]") {
  CapturingUpstream upstream;
  NginxServer nginx;
  nginx.start_with(adapt_nginx_conf(nginx, upstream.port(), upstream.port()));
  const NoOpenApiCapture stand_in_upstream;
  const auto reply = http("GET", nginx.url("/healthz"), "", {{"Host", "evil.example"}});
  CHECK(reply.status == 200);
  const std::string head = upstream.head();
  INFO(head);
  CHECK(head.find("\r\nHost: " + shipped_server_name() + "\r\n") != std::string::npos);
  CHECK(head.find("evil.example") == std::string::npos);
  // Neither $http_host nor $host (the client's value when it sent one) is passed.
  const std::string conf = read_file(deploy_file("nginx.conf"));
  CHECK(conf.find("proxy_set_header Host $http_host") == std::string::npos);
  CHECK(conf.find("proxy_set_header Host $host") == std::string::npos);
  CHECK(conf.find("proxy_set_header Host $server_name;") != std::string::npos);
}

TEST_CASE("a forged Host header changes no URL the host hands out, directly or through nginx", "[deploy][nginx]") {
  const std::string public_url = "https://zhaoyin.example.gov.cn";
  LoginEnv env(shared_sandbox(), {"--set", "http.public_url=" + public_url});
  NginxServer nginx;
  nginx.start_with(adapt_nginx_conf(nginx, env.host().port(), env.host().port()));
  const std::string token = env.token("tax");
  for (const std::string& origin : {env.url(), nginx.url()}) {
    INFO(origin);
    const std::map<std::string, std::string> forged = {{"Host", "evil.example:8443"},
                                                       {"Authorization", "Bearer " + token}};
    const auto created = http("POST", origin + "/api/v1/login-sessions", "{}", forged);
    INFO(created.body);
    REQUIRE(created.status == 201);
    CHECK(created.body.find("evil.example") == std::string::npos);
    CHECK(created.headers.at("Location").rfind("/api/v1/login-sessions/", 0) == 0);
    const auto s = created.as_json();
    for (const char* key : {"qr_text", "page_url", "qr_png_url", "qr_svg_url"}) {
      INFO(key);
      REQUIRE(s.contains(key));
      CHECK(s[key].get<std::string>().rfind(public_url + "/", 0) == 0);
    }
    const auto discovery = http("GET", origin + "/.well-known/openid-configuration", "", {{"Host", "evil.example"}});
    REQUIRE(discovery.status == 200);
    CHECK(discovery.body.find("evil.example") == std::string::npos);
    CHECK(discovery.as_json()["issuer"] == public_url);
    CHECK(discovery.as_json()["authorization_endpoint"].get<std::string>().rfind(public_url + "/", 0) == 0);
  }
}
