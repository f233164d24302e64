// Browsers waiting on hosted login pages: how many one host holds, at what
// memory, and how fast a waiting page hears its answer while the others wait
// (issue 20: 10,000 waiting browsers within 512 MB RSS, answer → notification
// p99 ≤ 5 ms).
//
// A login page's script long-polls GET /login/{id}/state?wait=25&last=STATUS
// (docs/api/login.md); this opens N such requests on N connections, spread
// over a few login sessions, and holds them. Then, while they wait, it runs
// rounds of: a new session, one more page waiting on it, the holder's wallet
// fetching the request (pending → scanned) — and times the scan's 200 to the
// waiting page's answer. Printed: how many of the N are still waiting after a
// second, what the others were answered (503 server_busy when every worker is
// taken), the host's RSS and threads, and the wake delays, against the same
// rounds with nothing else waiting (the baseline of this run).
//
// Usage: bench_waiting [N] [ROUNDS] [MAX_THREADS]   (default 10000 100 64)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "login_env.h"

using namespace zhaoyin::test;
using Clock = std::chrono::steady_clock;

namespace {

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const std::string& data) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

std::string state_request(const std::string& id, int port) {
  return "GET /login/" + id + "/state?wait=25&last=pending HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
         "\r\n\r\n";
}

// The status line's code of what arrived on `fd` so far, or 0.
int status_of(int fd) {
  char buf[512];
  const ssize_t n = ::recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
  if (n <= 0) return n == 0 ? -1 : 0;  // -1: closed without an answer
  buf[n] = 0;
  int code = 0;
  std::sscanf(buf, "HTTP/1.%*d %d", &code);
  return code;
}

long status_kb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field));
  return -1;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// One round: a page waits on a new session, the wallet scans; the delay from
// the scan's 200 to the page's answer (ms), or -1 when the page got no 200.
double wake_round(LoginEnv& env, int port) try {
  const auto s = env.create_ok("tax");
  const std::string id = s["id"];
  const int fd = connect_loopback(port);
  if (fd < 0 || !send_all(fd, state_request(id, port))) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the page is waiting (or was refused)
  if (status_of(fd) != 0) {  // answered before anything happened: refused
    ::close(fd);
    return -1;
  }
  env.fetch_request(s["qr_text"]);
  const auto scanned = Clock::now();
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, 30000);
  const auto woke = Clock::now();
  const int code = ready > 0 ? status_of(fd) : 0;
  ::close(fd);
  if (code != 200) return -1;
  return std::chrono::duration<double, std::milli>(woke - scanned).count();
} catch (const std::exception&) {  // the host refused the session or the scan (e.g. 503 server_busy)
  return -1;
}

void print_wakes(const char* label, const std::vector<double>& ms, int rounds) {
  std::vector<double> ok;
  for (double m : ms)
    if (m >= 0) ok.push_back(m);
  std::printf("  %-44s %3zu/%d answered  p50 %7.2f ms  p99 %7.2f ms\n", label, ok.size(), rounds, percentile(ok, 0.5),
              percentile(ok, 0.99));
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 10000;
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 100;
  const int threads = argc > 3 ? std::max(1, std::atoi(argv[3])) : 64;

  // Room for N sockets here and in the host (it inherits the limit).
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  const rlim_t want = static_cast<rlim_t>(n) + 1024;
  if (files.rlim_cur < want) {
    files.rlim_cur = std::min(want, files.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  std::printf("bench_waiting: a sandbox host with http.max_threads=%d, %d waiting pages, %d rounds (open files: %lu)\n",
              threads, n, rounds, static_cast<unsigned long>(files.rlim_cur));
  const std::string cap = std::to_string(n + 256);
  LoginEnv env(shared_sandbox(), {"--set", "http.max_threads=" + std::to_string(threads), "--set",
                                  "http.max_connections=" + cap, "--set", "http.max_connections_per_peer=" + cap});
  const int port = env.host().port();
  const pid_t host = env.host().pid();

  std::vector<double> alone;
  for (int i = 0; i < rounds; ++i) alone.push_back(wake_round(env, port));
  const long rss_idle = status_kb(host, "VmRSS:");

  // N waiting pages over 20 sessions.
  std::vector<std::string> sessions;
  for (int i = 0; i < 20; ++i) sessions.push_back(env.create_ok("tax")["id"]);
  std::vector<int> fds;
  fds.reserve(static_cast<std::size_t>(n));
  int failed = 0;
  const auto opening = Clock::now();
  for (int i = 0; i < n; ++i) {
    const int fd = connect_loopback(port);
    if (fd < 0 || !send_all(fd, state_request(sessions[static_cast<std::size_t>(i) % sessions.size()], port))) {
      if (fd >= 0) ::close(fd);
      ++failed;
      continue;
    }
    fds.push_back(fd);
  }
  const double open_s = std::chrono::duration<double>(Clock::now() - opening).count();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::map<int, int> answered;  // status -> count (-1: closed without an answer)
  int waiting = 0;
  for (int fd : fds) {
    const int code = status_of(fd);
    if (code == 0) ++waiting;
    else ++answered[code];
  }
  const long rss_held = status_kb(host, "VmRSS:");
  const long host_threads = status_kb(host, "Threads:");

  std::vector<double> loaded;
  for (int i = 0; i < rounds; ++i) loaded.push_back(wake_round(env, port));
  const long rss_after = status_kb(host, "VmRSS:");
  for (int fd : fds) ::close(fd);

  std::printf("  opened %d connections in %.1f s (%d could not connect or send)\n", static_cast<int>(fds.size()),
              open_s, failed);
  std::printf("  still waiting after 1 s: %d of %d\n", waiting, n);
  for (const auto& [code, count] : answered)
    std::printf("  answered at once: %d x %s\n", count, code < 0 ? "connection closed" : std::to_string(code).c_str());
  std::printf("  host RSS: %ld MB idle, %ld MB holding them, %ld MB after the rounds; %ld threads\n", rss_idle / 1024,
              rss_held / 1024, rss_after / 1024, host_threads);
  print_wakes("wake delay, nothing else waiting (baseline)", alone, rounds);
  print_wakes("wake delay, while the others wait", loaded, rounds);
  return 0;
}
