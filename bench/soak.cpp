// Soak: a bounded mixed run against one real zhaoyin-host (docs/SECURITY.md,
// "Soak"). Each round does full QR logins, presentations, a data sign task
// signed by the wallet simulator, hostile input (deep JSON, numbers out of
// range, a quarter-million-field form, malformed request heads) and keeps a
// few hundred slow clients from another loopback address that start request
// heads and never finish them. After
// each round it prints the host's resident memory, open files and threads from
// /proc, which must stay flat once the host has warmed up.
//
// Usage: soak [MINUTES] (default 3; every loop is bounded by count and by the
// stated time). Exits 1 when a request meant to succeed fails, when anything is
// answered 5xx, or when memory, files or threads keep growing.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "login_env.h"

using namespace zhaoyin::test;
using Clock = std::chrono::steady_clock;

namespace {

struct ProcessFigures {
  long rss_kb = 0;
  long threads = 0;
  long open_files = 0;
};

ProcessFigures figures_of(int pid) {
  ProcessFigures f;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) f.rss_kb = std::atol(line.c_str() + 6);
    if (line.rfind("Threads:", 0) == 0) f.threads = std::atol(line.c_str() + 8);
  }
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec); !ec && it != fs::directory_iterator();
       it.increment(ec))
    ++f.open_files;
  return f;
}

// A raw TCP connection from `source` (another loopback address), for slow and
// malformed clients that Poco's client would not let us be.
int connect_from(const char* source, int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  ::inet_pton(AF_INET, source, &local.sin_addr);
  ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Sends a malformed head and reads the status line; "" when nothing came back.
std::string malformed_status(int port, const std::string& head) {
  const int fd = connect_from("127.0.0.1", port);
  if (fd < 0) return "";
  (void)!::write(fd, head.data(), head.size());
  char buf[256] = {};
  const auto n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  return n > 12 ? std::string(buf, 12) : std::string();
}

struct Tally {
  int ok = 0;
  int refused_as_expected = 0;
  int failures = 0;
  int server_errors = 0;
  void expect(bool good, int status, const std::string& what) {
    if (status >= 500) ++server_errors;
    if (good) {
      ++ok;
    } else {
      ++failures;
      std::fprintf(stderr, "soak: unexpected answer to %s: %d\n", what.c_str(), status);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  const double minutes = argc > 1 ? std::max(0.2, std::atof(argv[1])) : 3.0;
  std::printf("soak: starting a sandbox host...\n");
  auto& env = LoginEnv::get();
  const int pid = env.host().pid();
  const int port = env.host().port();
  const auto w = env.wallet("张志伟");
  const std::string token = env.token("tax");
  const auto wallet_entry = env.wallet_entry("张志伟");
  const std::string wallet_args = "--wallet " + quote(env.wallet_path("张志伟")) + " --password " +
                                  quote(wallet_entry["password"].get<std::string>());

  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::string many_fields;
  while (many_fields.size() < 900000) many_fields += "a=&";

  std::printf("%-5s %-7s %-8s %-8s %-6s %-8s %-9s %-9s %-7s %-6s\n", "round", "sec", "logins", "present", "signed",
              "refused", "rss_kb", "open_fds", "threads", "5xx");
  Tally tally;
  struct SlowClient {
    int fd;
    Clock::time_point opened;
  };
  std::deque<SlowClient> slow;
  std::vector<ProcessFigures> history;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(minutes * 60);
  for (int round = 1; round <= 1000 && Clock::now() < end; ++round) {
    // Slow clients: each round 20 more connections from 127.0.0.2 start a
    // request head and never finish it; each is kept 15 s, past the host's
    // head deadline (10 s by default), so the host answers 408 and closes it.
    while (!slow.empty() && Clock::now() - slow.front().opened > std::chrono::seconds(15)) {
      ::close(slow.front().fd);
      slow.pop_front();
    }
    for (int i = 0; i < 20 && slow.size() < 600; ++i) {
      const int fd = connect_from("127.0.0.2", port);
      if (fd >= 0) {
        (void)!::write(fd, "GET /healthz HTTP/1.1\r\n", 23);
        slow.push_back({fd, Clock::now()});
      }
    }
    int logins = 0, presentations = 0, signatures = 0, refused = 0;
    // Full QR logins.
    for (int i = 0; i < 10; ++i) {
      const auto s = env.create_ok("tax");
      const auto request = env.fetch_request(s["qr_text"]);
      const auto r = env.post_answer(request, w.signed_answer(env.answer_for(request, w)));
      tally.expect(r.status == 200, r.status, "a login answer");
      logins += r.status == 200;
    }
    // Presentations: codes made by the wallet simulator, verified once each.
    for (int i = 0; i < 10; ++i) {
      const auto code = run_command(bin("zhaoyin-wallet") + " " + wallet_args + " present 2>/dev/null");
      std::string text = code.output;
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      const auto r = http("POST", env.url("/api/v1/presentations"), json{{"code", text}}.dump(), bearer(token));
      tally.expect(r.status == 201, r.status, "a presentation");
      presentations += r.status == 201;
      const auto again = http("POST", env.url("/api/v1/presentations"), json{{"code", text}}.dump(), bearer(token));
      tally.expect(again.status >= 400 && again.status < 500, again.status, "a replayed presentation");
      refused += again.status >= 400 && again.status < 500;
    }
    // A data sign task, signed with the company seal by the wallet simulator.
    for (int i = 0; i < 2; ++i) {
      const json body = {{"document", {{"json", {{"contract", "soak"}, {"round", round}, {"i", i}}}}},
                         {"seals", {{"types", {"company"}}}}};
      const auto task = http("POST", env.url("/api/v1/sign-tasks"), body.dump(), bearer(token));
      tally.expect(task.status == 201, task.status, "a sign task");
      if (task.status != 201) continue;
      const auto scan = run_command(bin("zhaoyin-wallet") + " " + wallet_args + " scan " +
                                    quote(task.as_json()["qr_text"].get<std::string>()) +
                                    " --approve --seal company >/dev/null 2>&1");
      tally.expect(scan.exit_code == 0, scan.exit_code == 0 ? 200 : 400, "signing by the wallet");
      signatures += scan.exit_code == 0;
    }
    // Hostile input: each must be a 4xx, never a 5xx or a dead host.
    for (int i = 0; i < 5; ++i) {
      for (const std::string& body : {deep, std::string(R"({"ttl":1e400})"), std::string(R"({"a":1,"a":2})")}) {
        const auto r = http("POST", env.url("/api/v1/login-sessions"), body, bearer(token));
        tally.expect(r.status == 400, r.status, "a hostile JSON body");
        refused += r.status == 400;
      }
      auto form = http("POST", env.url("/oauth/token"), many_fields,
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
      tally.expect(form.status == 400, form.status, "a quarter-million-field form");
      refused += form.status == 400;
      for (const std::string& head : {std::string("GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"),
                                      std::string("GET / HTTP/1.1\r\nHost: x\r\nHost : y\r\n\r\n"),
                                      std::string("BAD\r\n\r\n")}) {
        const auto status = malformed_status(port, head);
        const bool refused_4xx = status.size() == 12 && status[9] == '4';
        tally.expect(refused_4xx, refused_4xx ? 400 : 500, "a malformed head");
        refused += refused_4xx;
      }
    }
    tally.refused_as_expected += refused;
    const auto f = figures_of(pid);
    history.push_back(f);
    std::printf("%-5d %-7.0f %-8d %-8d %-6d %-8d %-9ld %-9ld %-7ld %-6d\n", round,
                std::chrono::duration<double>(Clock::now() - start).count(), logins, presentations, signatures, refused,
                f.rss_kb, f.open_files, f.threads, tally.server_errors);
    std::fflush(stdout);
  }

  // Flat: after a warm-up third of the rounds, the last round is within 10% (or
  // a small absolute slack) of the largest figure seen right after warm-up.
  bool flat = true;
  if (history.size() >= 3) {
    const std::size_t warm = history.size() / 3;
    const auto& base = history[warm];
    const auto& last = history.back();
    auto grew = [](long from, long to, long slack) { return to > from + std::max(slack, from / 10); };
    if (grew(base.rss_kb, last.rss_kb, 8192)) flat = false;
    if (grew(base.open_files, last.open_files, 8)) flat = false;
    if (grew(base.threads, last.threads, 4)) flat = false;
    std::printf("soak: after warm-up (round %zu) rss %ld -> %ld kB, open files %ld -> %ld, threads %ld -> %ld: %s\n",
                warm + 1, base.rss_kb, last.rss_kb, base.open_files, last.open_files, base.threads, last.threads,
                flat ? "flat" : "GROWING");
  }
  for (const auto& c : slow) ::close(c.fd);
  std::printf("soak: %d good answers, %d refusals as expected, %d unexpected, %d 5xx\n", tally.ok,
              tally.refused_as_expected, tally.failures, tally.server_errors);
  return (tally.failures == 0 && tally.server_errors == 0 && flat) ? 0 : 1;
}
