// The cost of UsageGate::admit per request, against an SM3 hash of 64 bytes
// measured in the same run (the cheapest cryptographic step of any request).
//
// admit() is on the path of every verification request, so it must stay far
// below the verification itself (one SM2 verify, ~100 SM3 hashes' worth). The
// figures: admit() of an application with a peak rate and an annual volume on
// one thread, the same on two threads over distinct applications, and the
// background flush writing the day's rows to a real SQLite store meanwhile.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>
#include <zhaoyin/quota/usage_gate.h>
#include <zhaoyin/store/database.h>
#include <zhaoyin/trust/sm3.h>

namespace {

using Clock = std::chrono::steady_clock;

template <class Fn>
double ops_per_second(Fn&& fn, double seconds = 2.0) {
  long n = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (int i = 0; i < 64; ++i) fn();
    n += 64;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(n) / elapsed;
}

zhaoyin::store::Application app(const std::string& id) {
  zhaoyin::store::Application a;
  a.client_id = id;
  a.name = id;
  a.peak_rate = 1'000'000'000;        // never refuses: measure the admitted path
  a.annual_volume = 1'000'000'000'000;
  return a;
}

}  // namespace

int main() {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("zhaoyin-bench-quota-" + std::to_string(std::random_device{}()));
  zhaoyin::store::DatabaseSettings settings;
  settings.data_dir = dir;
  auto db = std::make_shared<zhaoyin::store::Database>(settings);
  db->migrate();

  const zhaoyin::trust::Bytes block(64, 0x5a);
  const double sm3_per_second = ops_per_second([&] { (void)zhaoyin::trust::sm3(block); });

  double one_thread = 0, two_threads = 0;
  {
    zhaoyin::quota::UsageGate gate(db, zhaoyin::quota::make_local_rate_window());
    const auto a = app("bench-one");
    one_thread = ops_per_second([&] { (void)gate.admit(a, "presentation"); });

    std::atomic<long> total{0};
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
      threads.emplace_back([&, t] {
        const auto mine = app("bench-thread-" + std::to_string(t));
        long n = 0;
        while (Clock::now() - start < std::chrono::seconds(2)) {
          for (int i = 0; i < 64; ++i) (void)gate.admit(mine, "presentation");
          n += 64;
        }
        total += n;
      });
    for (auto& t : threads) t.join();
    two_threads = static_cast<double>(total) / std::chrono::duration<double>(Clock::now() - start).count();
    gate.flush();
    if (!gate.last_flush_error().empty()) std::printf("flush failed: %s\n", gate.last_flush_error().c_str());
  }
  db->close();
  fs::remove_all(dir);

  std::printf("quota: UsageGate::admit (peak rate + annual volume, local window, SQLite store)\n");
  std::printf("  baseline sm3(64 bytes)          %12.0f /s\n", sm3_per_second);
  std::printf("  admit, 1 thread                 %12.0f /s   = %.2f x sm3(64 B)  (%.2f us per call)\n", one_thread,
              one_thread / sm3_per_second, 1e6 / one_thread);
  std::printf("  admit, 2 threads, 2 apps        %12.0f /s   = %.2f x sm3(64 B)\n", two_threads,
              two_threads / sm3_per_second);
  return 0;
}
