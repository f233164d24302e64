#pragma once
// Two (or more) real zhaoyin-host processes on one store, one private Redis,
// and nginx in front (round-robin) — what docs/DEPLOY.md sets up, on loopback.
//
// The store is a parameter: a shared SQLite data folder (WAL works across
// processes on one machine) or a private PostgreSQL (tests/support/
// postgres_server.h). Hosts can be killed (SIGKILL) and started again on the
// same store; Redis can be stopped and started on the same port.
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "host_process.h"
#include "login_env.h"  // http(), Reply, bearer()
#include "nginx_server.h"
#include "postgres_server.h"
#include "redis_server.h"
#include "sandbox_fixture.h"

namespace zhaoyin::test {

enum class SharedStore { Sqlite, Postgresql };

// Where wallets and browsers reach the hosts. Direct: each host announces its
// own URL (tests pick the host a wallet answers through). Nginx: every host
// announces nginx's URL as http.public_url — the deployment in DEPLOY.md; a
// wallet then refuses a request fetched from a host directly (its answer URL
// is not on the scanned host).
enum class Front { Direct, Nginx };

inline const char* to_string(SharedStore s) { return s == SharedStore::Sqlite ? "sqlite" : "postgresql"; }

struct ClusterOptions {
  SharedStore store = SharedStore::Sqlite;
  int hosts = 2;
  Front front = Front::Direct;
  fs::path sandbox;  // empty: the shared sandbox of the test run
  std::vector<std::string> host_args;  // more arguments for every host (e.g. --set key=value)
};

class ClusterEnv {
 public:
  // `hosts` hosts started one after the other (the first one migrates the store).
  explicit ClusterEnv(const ClusterOptions& options = {})
      : store_(options.store),
        front_(options.front),
        sandbox_(options.sandbox.empty() ? shared_sandbox() : options.sandbox),
        sandbox_json_(read_json(sandbox_ / "sandbox.json")),
        extra_args_(options.host_args) {
    if (store_ == SharedStore::Postgresql) pg_ = std::make_unique<PostgresServer>();
    for (int i = 0; i < options.hosts; ++i) hosts_.push_back(start_host());
    nginx_.start(ports());
  }

  HostProcess& host(std::size_t i) { return *hosts_.at(i); }
  std::size_t size() const { return hosts_.size(); }
  RedisServer& redis() { return redis_; }
  NginxServer& nginx() { return nginx_; }
  PostgresServer* postgres() { return pg_.get(); }
  const fs::path& sandbox() const { return sandbox_; }
  const fs::path& workdir() const { return dir_.path(); }

  // SIGKILL: no shutdown path runs (no flush, no close) — a crash.
  void kill(std::size_t i) { hosts_.at(i)->stop(SIGKILL); }
  // Starts host i again on the same store (a new port; nginx is told).
  void restart(std::size_t i) {
    hosts_.at(i).reset();
    hosts_.at(i) = start_host();
    nginx_.stop();
    nginx_.start(ports());
  }

  std::vector<int> ports() const {
    std::vector<int> p;
    for (const auto& h : hosts_) p.push_back(h->port());
    return p;
  }

  // A URL of one host rewritten to another host (or to nginx): QR texts and
  // answer URLs carry the origin of the host that made them.
  static std::string rebase(const std::string& url, const std::string& origin) {
    static const std::regex scheme_host_port("^https?://[^/]+");
    return std::regex_replace(url, scheme_host_port, origin, std::regex_constants::format_first_only);
  }

  // An application's access token, issued by whichever host `base` reaches (the store is shared).
  std::string token(const std::string& department, const std::string& base) {
    const auto& a = app(department);
    const auto r = http("POST", base + "/oauth/token",
                        "grant_type=client_credentials&client_id=" + a["client_id"].get<std::string>() +
                            "&client_secret=" + a["client_secret"].get<std::string>(),
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
    if (r.status != 200) throw std::runtime_error("token: " + r.body);
    return r.as_json()["access_token"].get<std::string>();
  }

  const json& app(const std::string& department) const {
    for (const auto& a : sandbox_json_["applications"])
      if (a["department"] == department) return a;
    throw std::runtime_error("no sandbox application " + department);
  }

  const json& wallet_entry(const std::string& holder) const {
    for (const auto& w : sandbox_json_["wallets"])
      if (w["holder"] == holder) return w;
    throw std::runtime_error("no sandbox wallet of " + holder);
  }

  // The holder's wallet, loaded and unlocked (for answers made in the test with the wallet core).
  wallet::Wallet wallet(const std::string& holder) const { return sandbox_wallet(sandbox_, wallet_entry(holder)); }

  // Runs the real zhaoyin-wallet as `holder`.
  CommandResult wallet_cli(const std::string& holder, const std::string& verb_args) const {
    const auto& w = wallet_entry(holder);
    return run_command(quote(bin("zhaoyin-wallet")) + " --wallet " +
                       quote((sandbox_ / w["path"].get<std::string>()).string()) + " --password " +
                       quote(w["password"].get<std::string>()) + " " + verb_args);
  }

  // A login of `department` created through `base` and confirmed by `holder`'s
  // zhaoyin-wallet scanning its QR text as given (through nginx when `base` is nginx).
  std::string confirmed_login(const std::string& department, const std::string& holder, const std::string& base) {
    const auto r = http("POST", base + "/api/v1/login-sessions", "{}", bearer(token(department, base)));
    if (r.status != 201) throw std::runtime_error("login: " + std::to_string(r.status) + " " + r.body);
    const auto s = r.as_json();
    const auto scan = wallet_cli(holder, "scan " + quote(s["qr_text"].get<std::string>()) + " --approve");
    if (scan.exit_code != 0) throw std::runtime_error("wallet: " + scan.output);
    return s["id"];
  }

  // A fresh presentation code from `zhaoyin-wallet present`.
  std::string presentation_code(const std::string& holder) const {
    const auto r = wallet_cli(holder, "present");
    if (r.exit_code != 0) throw std::runtime_error("present: " + r.output);
    return r.output.substr(0, r.output.find('\n'));
  }

  std::vector<std::string> host_args() const {
    std::vector<std::string> a = {"--sandbox", sandbox_.string(),
                                  "--set", "redis.host=127.0.0.1",
                                  "--set", "redis.port=" + std::to_string(redis_.port()),
                                  "--set", "redis.timeout_ms=500",
                                  "--set", "redis.prefix=zhaoyin-test:"};
    // nginx's port is chosen before any host starts, so hosts can announce it.
    // Behind nginx every connection comes from 127.0.0.1: the per-address cap
    // must cover nginx's upstream connections (config/deploy does the same).
    if (front_ == Front::Nginx)
      a.insert(a.end(), {"--set", "http.public_url=" + nginx_.url(), "--set", "http.max_connections_per_peer=1024"});
    a.insert(a.end(), extra_args_.begin(), extra_args_.end());
    if (store_ == SharedStore::Sqlite) {
      a.insert(a.end(), {"--data", (dir_.path() / "data").string()});
    } else {
      a.insert(a.end(), {"--data", (dir_.path() / ("data-" + std::to_string(started_))).string(), "--set",
                         "store.driver=postgresql", "--set", "store.postgresql=" + pg_->connection_string()});
    }
    return a;
  }

 private:
  std::unique_ptr<HostProcess> start_host() {
    auto h = std::make_unique<HostProcess>(dir_.path(), host_args());
    ++started_;
    if (!h->ready()) throw std::runtime_error(std::string("zhaoyin-host (") + to_string(store_) + ") did not start:\n" + h->log());
    return h;
  }

  TempDir dir_{"zhaoyin-cluster"};
  SharedStore store_;
  Front front_;
  fs::path sandbox_;
  json sandbox_json_;
  std::vector<std::string> extra_args_;
  std::unique_ptr<PostgresServer> pg_;
  RedisServer redis_;
  NginxServer nginx_;
  std::vector<std::unique_ptr<HostProcess>> hosts_;
  int started_ = 0;
};

}  // namespace zhaoyin::test
