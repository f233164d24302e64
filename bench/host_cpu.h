#pragma once
// Host CPU per accepted operation: a figure the load generator cannot hide.
// Throughput on a 2-core machine shared with the client says little about the
// host alone; the CPU time the host process itself spent (user + system, all
// its threads, from /proc/<pid>/stat) over the measured phase, divided by the
// operations it accepted, does not depend on who else runs. It is printed as a
// multiple of the CPU time of one `openssl speed sm2` verification measured in
// the same run (1 / verify/s; `openssl speed` counts user CPU time, one core).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

namespace zhaoyin::bench {

// Seconds of CPU (utime + stime, every thread, living or exited) that process
// `pid` has used so far; -1 when it cannot be read. Resolution: one clock tick
// (usually 10 ms), so measure phases of seconds, not single requests.
inline double process_cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!pid || !std::getline(in, stat)) return -1;
  // "pid (comm) state ppid ..." — comm may hold spaces, so read after the last ')'.
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15 of proc(5)
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU of process `pid` and of every process below it (nginx's workers under
// its master, PostgreSQL's backends under the postmaster), from /proc.
inline double process_tree_cpu_seconds(pid_t pid) {
  double total = process_cpu_seconds(pid);
  if (total < 0) return -1;
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  pid_t child = 0;
  while (children >> child) {
    const double c = process_tree_cpu_seconds(child);
    if (c > 0) total += c;
  }
  return total;
}

// This process's own CPU (the load generator's), user + system.
inline double self_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// CPU a process spends over a phase: started at construction, read with seconds().
// With `tree`, its descendants' too (children that exit during the phase are
// not counted: measure long-lived workers only).
class CpuMeter {
 public:
  explicit CpuMeter(pid_t pid, bool tree = false) : pid_(pid), tree_(tree), start_(read()) {}
  double seconds() const { return read() - start_; }

 private:
  double read() const { return tree_ ? process_tree_cpu_seconds(pid_) : process_cpu_seconds(pid_); }
  pid_t pid_;
  bool tree_;
  double start_;
};

// Prints "<label>: X x one SM2 verify (Y ms)" — CPU seconds per operation as a
// multiple of one `openssl speed sm2` verification.
inline void print_cpu_per_op(const char* label, double cpu_seconds, int operations, double sm2_verify_per_second) {
  if (operations <= 0 || cpu_seconds < 0) {
    std::printf("%s: not measured\n", label);
    return;
  }
  const double per_op = cpu_seconds / operations;
  std::printf("%s: %6.2f x one SM2 verify  (%.3f ms CPU per op, %d ops)\n", label, per_op * sm2_verify_per_second,
              per_op * 1000.0, operations);
}

}  // namespace zhaoyin::bench
