#pragma once
// A private redis-server for a test: 127.0.0.1 on a free port, no persistence,
// its files and log in a TempDir. stop()/start() keep the port (outage tests:
// the hosts reconnect to the same address); kill() is SIGKILL. Stopped in the
// destructor.
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "host_process.h"
#include "test_support.h"

namespace zhaoyin::test {

// True when something on 127.0.0.1:port answers "PING" with "+PONG".
inline bool redis_answers(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const char ping[] = "PING\r\n";
    if (::send(fd, ping, sizeof ping - 1, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof ping - 1)) {
      char buf[16] = {};
      ok = ::recv(fd, buf, sizeof buf - 1, 0) > 0 && std::string(buf).rfind("+PONG", 0) == 0;
    }
  }
  ::close(fd);
  return ok;
}

class RedisServer {
 public:
  // config: a redis.conf to start from (its port, dir and log file are overridden).
  explicit RedisServer(fs::path config = {}) : port_(free_loopback_port()), config_(std::move(config)) { start(); }
  ~RedisServer() { stop(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  std::string host() const { return "127.0.0.1"; }
  bool running() const { return pid_ > 0; }
  std::string log() const { return read_file(dir_.path() / "redis.log"); }

  // Starts (again) on the same port and waits until it answers PING.
  void start() {
    if (pid_ > 0) return;
    std::vector<std::string> args = {"/usr/bin/redis-server"};
    if (!config_.empty()) args.push_back(config_.string());
    args.insert(args.end(), {"--bind", "127.0.0.1", "--port",
                                           std::to_string(port_), "--save", "", "--appendonly", "no",
                                           "--daemonize", "no", "--dir", dir_.path().string(),
                                           "--logfile", (dir_.path() / "redis.log").string(),
                                           "--protected-mode", "no"});
    pid_ = ::fork();
    if (pid_ == 0) {
      int devnull = ::open("/dev/null", O_RDWR);
      ::dup2(devnull, 0);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    // Bounded by count, not asserted on time.
    for (int i = 0; i < 600; ++i) {
      if (redis_answers(port_)) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("redis-server did not start:\n" + log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("redis-server does not answer on port " + std::to_string(port_));
  }

  // Stops it (SIGTERM by default, SIGKILL for a crash) and waits for the exit.
  void stop(int sig = SIGTERM) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  void kill() { stop(SIGKILL); }

  // Runs redis-cli against this server (e.g. "PUBLISH chan msg").
  CommandResult cli(const std::string& args) const {
    return run_command("redis-cli -h 127.0.0.1 -p " + std::to_string(port_) + " " + args);
  }

 private:
  TempDir dir_{"zhaoyin-redis"};
  int port_;
  fs::path config_;
  pid_t pid_ = -1;
};

}  // namespace zhaoyin::test
