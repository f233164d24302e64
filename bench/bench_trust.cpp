// Trust-core throughput against OpenSSL's own figures measured in the same run.
//
// Our SM2 goes through EVP with the distinguishing ID set on every call and DER
// signatures, so some overhead over `openssl speed sm2` (raw EVP_PKEY sign on a
// pre-hashed input) is expected; the ratio shows how much.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/sm3.h>

#include "openssl_baseline.h"

namespace {

using Clock = std::chrono::steady_clock;
using zhaoyin::trust::Bytes;

// Runs fn repeatedly for about `seconds` and returns operations per second.
template <class Fn>
double ops_per_second(Fn&& fn, double seconds = 2.0) {
  long n = 0;
  auto start = Clock::now();
  double elapsed = 0;
  do {
    for (int i = 0; i < 16; ++i) fn();
    n += 16;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(n) / elapsed;
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  return out;
}

// "sm3  51983.04k ... 433029.12k" → bytes per second for 8192-byte blocks
bool openssl_sm3_8k(double& bytes_per_second) {
  std::istringstream in(run("openssl speed -seconds 2 -evp sm3 2>/dev/null"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("sm3", 0) != 0) continue;
    std::istringstream f(line);
    std::vector<std::string> words;
    for (std::string w; f >> w;) words.push_back(w);
    if (words.size() < 6) return false;
    bytes_per_second = std::atof(words[5].c_str()) * 1000.0;  // "425369.60k" = kB/s
    return true;
  }
  return false;
}

}  // namespace

int main() {
  using namespace zhaoyin::trust;
  auto key = Sm2Key::generate();
  Bytes message(256, 0x5a);
  Bytes signature = key.sign(message);

  double our_sign = ops_per_second([&] { signature = key.sign(message); });
  double our_verify = ops_per_second([&] { (void)key.verify(message, signature); });
  Bytes block(8192, 0xa5);
  double our_sm3 = ops_per_second([&] { (void)sm3(block); }) * 8192.0;

  const auto sm2_speed = zhaoyin::bench::openssl_sm2_speed();
  const double ref_sign = sm2_speed.sign_per_second, ref_verify = sm2_speed.verify_per_second;
  const bool have_sm2 = ref_sign > 0 && ref_verify > 0;
  double ref_sm3 = 0;
  bool have_sm3 = openssl_sm3_8k(ref_sm3);

  std::printf("%-34s %14s %14s %8s\n", "operation", "zhaoyin", "openssl speed", "ratio");
  auto row = [](const char* name, double ours, double ref, bool have, const char* unit) {
    if (have)
      std::printf("%-34s %11.0f %s %11.0f %s %7.2fx\n", name, ours, unit, ref, unit, ours / ref);
    else
      std::printf("%-34s %11.0f %s %14s %8s\n", name, ours, unit, "n/a", "n/a");
  };
  row("SM2 sign (SM3, ID, DER), 256 B", our_sign, ref_sign, have_sm2, "/s");
  row("SM2 verify (SM3, ID, DER), 256 B", our_verify, ref_verify, have_sm2, "/s");
  row("SM3, 8 KiB blocks (MB/s)", our_sm3 / 1e6, ref_sm3 / 1e6, have_sm3, "  ");
  return 0;
}
