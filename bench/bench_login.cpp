// QR login throughput and wake-up delay over HTTP against a real zhaoyin-host
// (on a fresh sandbox, loopback), printed next to `openssl speed -seconds 2 sm2`
// verify/s from the same run (a login verifies several SM2 signatures: the
// answer, the certificate chain, the CRLs, the grant).
//
//   logins/s : N × (POST /api/v1/login-sessions → GET the wallet request →
//              POST the answer signed in process → GET /api/v1/login-sessions/{id})
//   host CPU : the host process's own CPU time over the logins/s loop, per
//              login, as a multiple of one SM2 verify (bench/host_cpu.h; the
//              issue's goal: 4 ×). Each call here opens its own connection.
//   wake     : a long-poll (?wait=30&last=scanned) waits in a thread; the delay
//              from the answer's 200 to the long-poll's return, p50/p99.
//
// Usage: bench_login [N]   (default 200)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <sstream>
#include <thread>
#include <vector>

#include "host_cpu.h"
#include "openssl_baseline.h"
#include "login_env.h"

using namespace zhaoyin::test;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  std::printf("bench_login: starting a sandbox host...\n");
  auto& env = LoginEnv::get();
  const auto w = env.wallet("张志伟");
  const double sm2_verify = zhaoyin::bench::openssl_sm2_speed().verify_per_second;

  // Throughput: sequential full logins.
  const zhaoyin::bench::CpuMeter host_cpu(env.host().pid());
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    const auto s = env.create_ok("tax");
    const auto request = env.fetch_request(s["qr_text"]);
    const auto r = env.post_answer(request, w.signed_answer(env.answer_for(request, w)));
    if (r.status != 200) {
      std::fprintf(stderr, "login refused: %s\n", r.body.c_str());
      return 1;
    }
    if (env.session("tax", s["id"])["status"] != "confirmed") return 1;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const double host_seconds = host_cpu.seconds();
  const double logins = n / seconds;

  // Wake delay of a waiting long-poll.
  const std::string token = env.token("tax");
  std::vector<double> wake_ms;
  const int rounds = std::min(n, 100);
  for (int i = 0; i < rounds; ++i) {
    const auto s = env.create_ok("tax");
    const std::string id = s["id"];
    const auto request = env.fetch_request(s["qr_text"]);
    auto poll = std::async(std::launch::async, [&] {
      http("GET", env.url("/api/v1/login-sessions/" + id + "?wait=30&last=scanned"), "", bearer(token));
      return Clock::now();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the poll start waiting
    const auto body = w.signed_answer(env.answer_for(request, w));
    env.post_answer(request, body);
    const auto answered = Clock::now();
    const auto returned = poll.get();
    wake_ms.push_back(std::chrono::duration<double, std::milli>(returned - answered).count());
  }

  std::printf("openssl speed sm2 verify/s (baseline):  %10.1f\n", sm2_verify);
  std::printf("full logins/s over HTTP (N=%d):        %10.1f   = %.4f x sm2 verify/s\n", n, logins,
              sm2_verify > 0 ? logins / sm2_verify : 0.0);
  zhaoyin::bench::print_cpu_per_op("host CPU per full login", host_seconds, n, sm2_verify);
  std::printf("long-poll wake after answer 200, ms:    p50 %.2f  p99 %.2f  (negative: the poll returned first)\n",
              zhaoyin::bench::percentile(wake_ms, 0.50), zhaoyin::bench::percentile(wake_ms, 0.99));
  std::printf("  p50 wake as SM2 verifies: %.1f verify-times\n",
              sm2_verify > 0 ? zhaoyin::bench::percentile(wake_ms, 0.50) / 1000.0 * sm2_verify : 0.0);
  return 0;
}
