#pragma once
// Starts a real zhaoyin-host process on a free loopback port for integration
// tests, waits for its "ready" log line, and stops it (SIGTERM) when the object
// dies. The host's log goes to a file in the test's folder for post-mortems.
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "test_support.h"

namespace zhaoyin::test {

// Asks the kernel for a free port on 127.0.0.1.
inline int free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

class HostProcess {
 public:
  // args are appended after --config <config> --port N (default config:
  // <source>/config/zhaoyin.properties).
  HostProcess(const fs::path& workdir, std::vector<std::string> args, const fs::path& config = {})
      : port_(free_loopback_port()) {
    log_path_ = workdir / ("host-" + std::to_string(port_) + ".log");
    const std::string config_file = config.empty() ? source_dir() + "/config/zhaoyin.properties" : config.string();
    std::vector<std::string> argv_s = {bin("zhaoyin-host"), "--config", config_file, "--port", std::to_string(port_)};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<char*> argv;
      for (auto& s : argv_s) argv.push_back(s.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    // Wait for the ready line, or for the process to die. Bounded by count,
    // not asserted on time: a slow machine only makes this loop longer.
    for (int i = 0; i < 600; ++i) {
      if (read_file(log_path_).find("\"msg\":\"ready\"") != std::string::npos) { ready_ = true; return; }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        check_no_sanitizer_report("zhaoyin-host (" + log_path_.string() + ")", log());
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~HostProcess() { stop(); }
  HostProcess(const HostProcess&) = delete;
  HostProcess& operator=(const HostProcess&) = delete;

  bool ready() const { return ready_; }
  int port() const { return port_; }
  int pid() const { return pid_; }  // -1 once stopped
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string log() const { return read_file(log_path_); }

  // SIGTERM and wait; returns the exit status (or -1 if it was not running).
  int stop(int sig = SIGTERM) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    // The host's sanitizer reports (leaks are reported at exit) go to its log.
    check_no_sanitizer_report("zhaoyin-host (" + log_path_.string() + ")", log());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  int port_;
  pid_t pid_ = -1;
  bool ready_ = false;
  fs::path log_path_;
};

}  // namespace zhaoyin::test
