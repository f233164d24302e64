// ./run.sh as a user runs it (without its package check and build, which the
// test's build already did): it makes a sandbox, starts the sandbox authority's
// service and the TSA beside the host, waits for the authority's /healthz, runs
// the host on the http driver against it with the sandbox demo on, and stops
// all three on SIGTERM.
#include <catch2/catch.hpp>
#include <csignal>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "host_process.h"
#include "test_support.h"

using nlohmann::json;
using namespace zhaoyin::test;

namespace {

// The status curl gets from `url`, 0 when nothing answers (connection refused).
int status_of(const std::string& url) {
  const auto r = run_command("curl -s -o /dev/null -w '%{http_code}' --max-time 10 " + quote(url));
  return std::atoi(r.output.c_str());
}

class RunScript {
 public:
  RunScript(const fs::path& work, int port, int authority_port, int tsa_port)
      : log_path_(work / "run.log") {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::setenv("ZHAOYIN_SKIP_BUILD", "1", 1);
      ::setenv("ZHAOYIN_BIN", ZHAOYIN_BIN, 1);
      ::setenv("ZHAOYIN_SANDBOX", (work / "sandbox").c_str(), 1);
      ::setenv("ZHAOYIN_DATA", (work / "data").c_str(), 1);
      ::setenv("ZHAOYIN_PORT", std::to_string(port).c_str(), 1);
      ::setenv("ZHAOYIN_AUTHORITY_PORT", std::to_string(authority_port).c_str(), 1);
      ::setenv("ZHAOYIN_TSA_PORT", std::to_string(tsa_port).c_str(), 1);
      ::unsetenv("ZHAOYIN_AUTHORITY");
      const std::string script = source_dir() + "/run.sh";
      ::execl("/bin/bash", "bash", script.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Until the host's ready line, or the script has ended (bounded by count).
    for (int i = 0; i < 1200 && !ready_; ++i) {
      // The host's ready line (the authority service logs one of its own first).
      if (log().find("\"msg\":\"ready\",\"authority\"") != std::string::npos) ready_ = true;
      else if (exited()) return;
      else std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~RunScript() { stop(); }
  RunScript(const RunScript&) = delete;
  RunScript& operator=(const RunScript&) = delete;

  bool ready() const { return ready_; }
  std::string log() const { return read_file(log_path_); }

  // SIGTERM as systemd or a terminal's kill would send; the script's exit status.
  int stop() {
    if (pid_ <= 0) return exit_status_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_status_;
  }

 private:
  bool exited() {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return false;
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
  }

  fs::path log_path_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
  bool ready_ = false;
};

}  // namespace

TEST_CASE("run.sh starts the authority service and the TSA beside the host on the http driver and stops them all") {
  TempDir work("zhaoyin-run-script");
  const int port = free_loopback_port(), authority_port = free_loopback_port(), tsa_port = free_loopback_port();
  RunScript run(work.path(), port, authority_port, tsa_port);
  INFO(run.log());
  REQUIRE(run.ready());
  const std::string host = "http://127.0.0.1:" + std::to_string(port);
  const std::string authority = "http://127.0.0.1:" + std::to_string(authority_port);

  const auto health = run_command("curl -s " + quote(host + "/healthz"));
  const auto h = json::parse(health.output, nullptr, false);
  REQUIRE(h.is_object());
  CHECK(h["status"] == "ok");
  CHECK(h["authority"] == "http");
  CHECK(status_of(authority + "/healthz") == 200);
  CHECK(status_of("http://127.0.0.1:" + std::to_string(tsa_port) + "/") != 0);  // the TSA listens
  // The sandbox was made for this service: its URL is the one the certificates name.
  const auto manifest = json::parse(read_file(work.path() / "sandbox" / "sandbox.json"));
  CHECK(manifest["authority"]["url"] == authority);
  // The sandbox demo runs over the http driver (its wallets, the service's answers).
  CHECK(status_of(host + "/demo/login") == 303);
  CHECK(status_of(host + "/demo/sign") == 303);
  // The host asked the service, and the service logged it.
  CHECK(run.log().find("\"target\":\"/v1/ca-certificates\"") != std::string::npos);

  CHECK(run.stop() == 0);
  CHECK(status_of(host + "/healthz") == 0);
  CHECK(status_of(authority + "/healthz") == 0);
  CHECK(status_of("http://127.0.0.1:" + std::to_string(tsa_port) + "/") == 0);
}
