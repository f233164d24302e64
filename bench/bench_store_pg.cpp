// Presentation verifications per second with the store on SQLite and on
// PostgreSQL, measured in the same run against the same sandbox: the ratio
// PostgreSQL / SQLite is the figure (the machine's speed cancels out).
//
// Each host gets the same number of distinct codes, posted by C client threads
// (one HTTP connection per call, through the tests' http_call), so the only
// difference between the two runs is the store: the nonce row and the archive
// written per verification, the token and application reads.
//
// Usage: bench_store_pg [N] [CLIENTS]   (default 600 codes, 4 clients)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "host_cpu.h"
#include "openssl_baseline.h"
#include "postgres_server.h"
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using Clock = std::chrono::steady_clock;

namespace {

struct Figures {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  int refused = 0;
  double host_cpu = 0;   // the host process's CPU seconds over the run
  double store_cpu = 0;  // the PostgreSQL server's (postmaster and backends); 0 for SQLite
};

Figures run(PresentationHost& host, const std::vector<wallet::Wallet>& wallets, int n, int clients,
            int postmaster = 0) {
  const std::string token = host.token("banking");
  std::vector<std::string> codes;
  for (int i = 0; i < n; ++i) codes.push_back(fresh_code(wallets[static_cast<std::size_t>(i) % wallets.size()]));
  std::atomic<int> next{0}, refused{0};
  std::vector<std::vector<double>> ms(static_cast<std::size_t>(clients));
  const bench::CpuMeter host_cpu(host.pid());
  const bench::CpuMeter store_cpu(postmaster, /*tree=*/true);
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t)
    threads.emplace_back([&, t] {
      for (int i = next++; i < n; i = next++) {
        HttpCall call;
        call.method = "POST";
        call.path = "/api/v1/presentations";
        call.headers = {{"Authorization", "Bearer " + token}};
        call.content_type = "application/json";
        call.body = nlohmann::json{{"code", codes[static_cast<std::size_t>(i)]}}.dump();
        const auto t0 = Clock::now();
        const auto r = http_call(host.port(), call);
        ms[static_cast<std::size_t>(t)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (r.status != 201 && refused++ == 0) std::fprintf(stderr, "refused (%d): %s\n", r.status, r.body.c_str());
      }
    });
  for (auto& th : threads) th.join();
  Figures f;
  f.per_second = n / std::chrono::duration<double>(Clock::now() - start).count();
  f.host_cpu = host_cpu.seconds();
  f.store_cpu = postmaster > 0 ? store_cpu.seconds() : 0;
  std::vector<double> all;
  for (const auto& v : ms) all.insert(all.end(), v.begin(), v.end());
  f.p50_ms = bench::percentile(all, 0.50);
  f.p99_ms = bench::percentile(all, 0.99);
  f.refused = refused;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(10, std::atoi(argv[1])) : 600;
  const int clients = argc > 2 ? std::max(1, std::atoi(argv[2])) : 4;
  std::printf("bench_store_pg: starting PostgreSQL and two sandbox hosts...\n");
  PostgresServer pg(/*durable=*/true);  // fsync on, as SQLite's synchronous=FULL
  TempDir work_sqlite("zhaoyin-bench-store-sqlite"), work_pg("zhaoyin-bench-store-pg");
  // Peak rates far above this machine's: the store is measured, not the demo apps' 验证峰值.
  TempDir copy("zhaoyin-bench-store-sandbox");
  const auto sandbox = sandbox_with_peak_rate(copy, 1000000);
  PresentationHost on_sqlite(work_sqlite.path(), sandbox);
  PresentationHost on_pg(work_pg.path(), sandbox,
                         {"--set", "store.driver=postgresql", "--set", "store.postgresql=" + pg.connection_string()});

  // The holders the banking application accepts without a matter.
  std::vector<wallet::Wallet> wallets;
  const auto doc = read_json(shared_sandbox() / "sandbox.json");  // named: a range-for over a temporary's member dangles
  for (const auto& w : doc["wallets"]) {
    const std::string path = w["path"].get<std::string>();
    const std::string stem = path.substr(8, path.size() - 8 - std::string(".wallet.json").size());
    auto wallet = sandbox_wallet(shared_sandbox(), stem);
    if (on_sqlite.present("banking", fresh_code(wallet)).status == 201) wallets.push_back(std::move(wallet));
  }
  if (wallets.empty()) {
    std::fprintf(stderr, "no sandbox wallet is accepted by the banking application\n");
    return 1;
  }
  run(on_pg, wallets, std::min(n, 50), clients);  // warm both pools and caches alike
  run(on_sqlite, wallets, std::min(n, 50), clients);
  // Alternate, twice each, so drift on a noisy machine hits both stores.
  Figures sqlite_a = run(on_sqlite, wallets, n, clients);
  Figures pg_a = run(on_pg, wallets, n, clients, pg.postmaster_pid());
  Figures sqlite_b = run(on_sqlite, wallets, n, clients);
  Figures pg_b = run(on_pg, wallets, n, clients, pg.postmaster_pid());
  const double sm2_verify = bench::openssl_sm2_speed().verify_per_second;
  if (sqlite_a.refused + pg_a.refused + sqlite_b.refused + pg_b.refused > 0) return 1;
  const double sqlite_rate = (sqlite_a.per_second + sqlite_b.per_second) / 2;
  const double pg_rate = (pg_a.per_second + pg_b.per_second) / 2;
  std::printf("presentations/s, SQLite store     (N=%d x2, %d clients): %8.1f   p50 %.2f ms  p99 %.2f ms\n", n, clients,
              sqlite_rate, sqlite_b.p50_ms, sqlite_b.p99_ms);
  std::printf("presentations/s, PostgreSQL store (N=%d x2, %d clients): %8.1f   p50 %.2f ms  p99 %.2f ms\n", n, clients,
              pg_rate, pg_b.p50_ms, pg_b.p99_ms);
  std::printf("PostgreSQL / SQLite:                                     %8.2f x\n",
              sqlite_rate > 0 ? pg_rate / sqlite_rate : 0.0);
  std::printf("openssl speed sm2 verify/s (one core): %.1f\n", sm2_verify);
  bench::print_cpu_per_op("host CPU per code, SQLite store              ", sqlite_a.host_cpu + sqlite_b.host_cpu, 2 * n,
                          sm2_verify);
  bench::print_cpu_per_op("host CPU per code, PostgreSQL store          ", pg_a.host_cpu + pg_b.host_cpu, 2 * n,
                          sm2_verify);
  bench::print_cpu_per_op("  PostgreSQL server CPU per code (its backends)", pg_a.store_cpu + pg_b.store_cpu, 2 * n,
                          sm2_verify);
  std::printf("  (PostgreSQL: a local server with its durable defaults, over TCP on loopback; SQLite: WAL, synchronous=FULL)\n");
  return 0;
}
