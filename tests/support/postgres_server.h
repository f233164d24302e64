#pragma once
// A private PostgreSQL server for tests: its own cluster (initdb) in a TempDir,
// listening on a free port on 127.0.0.1 only, with its unix socket inside the
// data folder, so tests never touch a system-wide server and clean up after
// themselves (the destructor stops the server; the TempDir removes the files).
//
// PostgreSQL refuses to run as root. When the tests run as root, every server
// command runs as the `postgres` system user (runuser) and the data folder is
// made theirs.
//
//   PostgresServer pg;                           // initdb + start + role + database (fsync off)
//   PostgresServer durable(true);                // the same with the server's durable defaults
//   pg.connection_string()                       // "host=127.0.0.1 port=N dbname=zhaoyin user=zhaoyin password=..."
//   pg.create_database("other")                  // returns that database's connection string
//   pg.stop(); pg.start();                       // outage tests (same port, same data)
//   pg.psql("SELECT 1")                          // runs SQL as the cluster's superuser
//
// A machine without PostgreSQL makes the constructor throw a message that says
// so (the test fails with it; it is never skipped silently).
#include <fstream>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "host_process.h"  // free_loopback_port
#include "test_support.h"

namespace zhaoyin::test {

class PostgresServer {
 public:
  static constexpr const char* kRole = "zhaoyin";
  static constexpr const char* kPassword = "zhaoyin-test-secret";
  static constexpr const char* kDatabase = "zhaoyin";
  static constexpr const char* kSuperuser = "pgadmin";

  // durable=false (tests): fsync and synchronous commit off, for speed.
  // durable=true (benchmarks): the server's defaults, so commits reach the disk.
  explicit PostgresServer(bool durable = false) : dir_("zhaoyin-pg"), port_(free_loopback_port()), durable_(durable) {
    bin_dir_ = find_bin_dir();
    fs::path home = dir_.path() / "pg";
    fs::create_directories(home);
    data_ = home / "data";
    log_ = home / "server.log";
    if (::geteuid() == 0) {
      auto chown = run_command("chown postgres: " + quote(home.string()));
      if (chown.exit_code != 0)
        throw std::runtime_error("PostgresServer: running as root needs the `postgres` system user: " +
                                 chown.output);
    }
    // Trust on the private unix socket (only the test's user reaches the
    // folder); a password over TCP, as a deployment would have.
    auto init = as_server_user(tool("initdb") + " -D " + quote(data_.string()) + " -U " + kSuperuser +
                               " --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8"
                               " --no-sync");
    if (init.exit_code != 0) throw std::runtime_error("PostgresServer: initdb failed: " + init.output);
    start();
    psql(std::string("CREATE ROLE ") + kRole + " LOGIN PASSWORD '" + kPassword + "'");
    create_database(kDatabase);
  }

  ~PostgresServer() {
    try {
      if (running_) as_server_user(tool("pg_ctl") + " -D " + quote(data_.string()) + " -m immediate -w stop");
    } catch (...) {
    }
  }
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  const fs::path& data_dir() const { return data_; }
  // The postmaster's pid (first line of postmaster.pid); its backends are its
  // children. 0 when not running. For benchmarks measuring the server's CPU.
  int postmaster_pid() const {
    std::ifstream in(data_ / "postmaster.pid");
    int pid = 0;
    return running_ && (in >> pid) ? pid : 0;
  }
  std::string log() const { return read_file(log_); }

  // libpq keyword/value connection string for the test role.
  std::string connection_string(const std::string& database = kDatabase) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + database + " user=" + kRole +
           " password=" + kPassword;
  }

  // A fresh database owned by the test role; returns its connection string.
  std::string create_database(const std::string& name) {
    psql("CREATE DATABASE " + name + " OWNER " + kRole);
    return connection_string(name);
  }

  // Starts the server (waits until it accepts connections).
  void start() {
    if (running_) return;
    std::string options = "-p " + std::to_string(port_) + " -k " + data_.string() +
                          " -c listen_addresses=127.0.0.1 -c max_connections=200";
    if (!durable_) options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
    auto r = as_server_user(tool("pg_ctl") + " -D " + quote(data_.string()) + " -l " + quote(log_.string()) +
                            " -o " + quote(options) + " -w -t 120 start");
    if (r.exit_code != 0)
      throw std::runtime_error("PostgresServer: pg_ctl start failed: " + r.output + "\n" + log());
    running_ = true;
  }

  // Stops the server. "fast" disconnects clients and shuts down cleanly;
  // "immediate" is a crash-like stop.
  void stop(const std::string& mode = "fast") {
    if (!running_) return;
    auto r = as_server_user(tool("pg_ctl") + " -D " + quote(data_.string()) + " -m " + mode + " -w -t 120 stop");
    if (r.exit_code != 0) throw std::runtime_error("PostgresServer: pg_ctl stop failed: " + r.output);
    running_ = false;
  }
  bool running() const { return running_; }

  // Runs SQL as the cluster superuser over the unix socket; throws on error.
  // Returns psql's unaligned, tuples-only output.
  std::string psql(const std::string& sql, const std::string& database = "postgres") const {
    auto r = as_server_user(tool("psql") + " -X -q -A -t -v ON_ERROR_STOP=1 -h " + quote(data_.string()) +
                            " -p " + std::to_string(port_) + " -U " + kSuperuser + " -d " + quote(database) +
                            " -c " + quote(sql));
    if (r.exit_code != 0) throw std::runtime_error("PostgresServer: psql failed: " + sql + "\n" + r.output);
    return r.output;
  }

 private:
  static fs::path find_bin_dir() {
    for (const char* version : {"17", "16", "15", "14", "13"}) {
      fs::path candidate = fs::path("/usr/lib/postgresql") / version / "bin";
      if (fs::exists(candidate / "initdb") && fs::exists(candidate / "pg_ctl")) return candidate;
    }
    throw std::runtime_error(
        "PostgresServer: PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin "
        "(install the `postgresql` package; tools/install-deps.sh does)");
  }

  std::string tool(const std::string& name) const { return quote((bin_dir_ / name).string()); }

  CommandResult as_server_user(const std::string& command) const {
    // cd to a folder the server user can read: runuser keeps the caller's cwd.
    std::string in_home = "cd " + quote(dir_.path().string()) + " && ";
    if (::geteuid() == 0) return run_command(in_home + "runuser -u postgres -- " + command);
    return run_command(in_home + command);
  }

  TempDir dir_;
  int port_;
  fs::path bin_dir_;
  fs::path data_;
  fs::path log_;
  bool durable_ = false;
  bool running_ = false;
};

}  // namespace zhaoyin::test
