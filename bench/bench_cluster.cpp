// Several hosts: presentation verifications per second with one host and with
// two hosts behind nginx (same machine, same store kind: a shared SQLite data
// folder, Redis for events and rate windows), and the delay of a cross-host
// login notification (a change made on host B → the long-poll waiting on host
// A returns). Printed beside `openssl speed sm2` verify/s measured in the same
// run. On a 2-core machine two hosts share the same cores: the ratio shows
// what the second process and nginx cost or gain, not what a second machine
// would add.
//
// Usage: bench_cluster [N] [CLIENTS] [NOTIFICATIONS]   (default 1500 codes, 4 clients, 100 notifications)
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <atomic>
#include <cstdio>
#include <future>
#include <thread>
#include <unistd.h>

#include "cluster_env.h"
#include "host_cpu.h"
#include "openssl_baseline.h"
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using Clock = std::chrono::steady_clock;

namespace {

const std::string kDepartment = "banking";  // national scope: every 存续 enterprise's holders qualify

class Client {
 public:
  Client(int port, std::string token) : session_("127.0.0.1", static_cast<Poco::UInt16>(port)), token_(std::move(token)) {
    session_.setKeepAlive(true);
  }
  int present(const std::string& code) {
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, "/api/v1/presentations", Poco::Net::HTTPMessage::HTTP_1_1);
    const std::string body = nlohmann::json{{"code", code}}.dump();
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    req.set("Authorization", "Bearer " + token_);
    req.setKeepAlive(true);
    session_.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    Poco::StreamCopier::copyToString(session_.receiveResponse(res), last_reply_);
    return res.getStatus();
  }
  const std::string& last_reply() const { return last_reply_; }

 private:
  Poco::Net::HTTPClientSession session_;
  std::string token_;
  std::string last_reply_;
};

std::vector<wallet::Wallet> accepted_wallets(int port, const std::string& token) {
  std::vector<wallet::Wallet> wallets;
  Client probe(port, token);
  const auto doc = read_json(shared_sandbox() / "sandbox.json");  // named: a range-for over a temporary's member dangles
  for (const auto& w : doc["wallets"]) {
    const std::string path = w["path"].get<std::string>();
    const std::string stem = path.substr(8, path.size() - 8 - std::string(".wallet.json").size());
    auto wallet = sandbox_wallet(shared_sandbox(), stem);
    const int status = probe.present(fresh_code(wallet));
    if (status == 200 || status == 201) wallets.push_back(std::move(wallet));
  }
  if (wallets.empty()) std::fprintf(stderr, "the last refusal: %s\n", probe.last_reply().c_str());
  return wallets;
}

// Presentations/s with `clients` keep-alive connections to `port`; -1 when one is refused.
double presentations_per_second(int port, const std::string& token, const std::vector<std::string>& codes, int clients) {
  std::atomic<std::size_t> next{0};
  std::atomic<int> failed{0};
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t)
    threads.emplace_back([&] {
      Client c(port, token);
      for (std::size_t i = next++; i < codes.size(); i = next++) {
        const int status = c.present(codes[i]);
        if (status != 200 && status != 201) ++failed;
      }
    });
  for (auto& th : threads) th.join();
  if (failed > 0) return -1;
  return static_cast<double>(codes.size()) / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(10, std::atoi(argv[1])) : 1500;
  const int clients = argc > 2 ? std::max(1, std::atoi(argv[2])) : 4;
  const int notifications = argc > 3 ? std::max(5, std::atoi(argv[3])) : 100;
  const long cores = std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));

  std::printf("bench_cluster: starting Redis, two hosts on one store, nginx...\n");
  // Every application declares a peak rate far above what this machine does:
  // the shared rate window (Redis) is still consulted on every request.
  TempDir copy("zhaoyin-bench-cluster");
  ClusterEnv env({.sandbox = sandbox_with_peak_rate(copy, 1000000)});
  const std::string token = env.token(kDepartment, env.host(0).url());
  const auto wallets = accepted_wallets(env.host(0).port(), token);
  if (wallets.empty()) {
    std::fprintf(stderr, "no sandbox wallet is accepted by the %s application\n", kDepartment.c_str());
    return 1;
  }
  const double sm2_verify = bench::openssl_sm2_speed().verify_per_second;

  auto make_codes = [&](int count) {
    std::vector<std::string> codes;
    for (int i = 0; i < count; ++i) codes.push_back(fresh_code(wallets[static_cast<std::size_t>(i) % wallets.size()]));
    return codes;
  };
  const auto codes_one = make_codes(n);
  const auto codes_two = make_codes(n);
  const bench::CpuMeter alone(env.host(0).pid());
  const double one_host = presentations_per_second(env.host(0).port(), token, codes_one, clients);
  const double alone_cpu = alone.seconds();
  const bench::CpuMeter host_a(env.host(0).pid()), host_b(env.host(1).pid());
  const bench::CpuMeter proxy(env.nginx().pid(), /*tree=*/true);
  const double two_hosts = presentations_per_second(env.nginx().port(), token, codes_two, clients);
  const double hosts_cpu = host_a.seconds() + host_b.seconds(), proxy_cpu = proxy.seconds();
  if (one_host < 0 || two_hosts < 0) {
    std::fprintf(stderr, "presentations were refused\n");
    return 1;
  }

  // Cross-host notification: a login created on A, A's long-poll waiting;
  // B fetches the wallet request (the session becomes "scanned" and B
  // publishes); the delay runs from B's reply to A's long-poll reply.
  const std::string tax = env.token("tax", env.host(0).url());
  std::vector<double> delay_ms;
  for (int i = 0; i < notifications; ++i) {
    const auto s = test::http("POST", env.host(0).url("/api/v1/login-sessions"), "{}", bearer(tax)).as_json();
    auto waiter = std::async(std::launch::async, [&, id = s["id"].get<std::string>()] {
      test::http("GET", env.host(0).url("/api/v1/login-sessions/" + id + "?wait=25&last=pending"), "", bearer(tax));
      return Clock::now();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the waiter is subscribed
    const auto fetched = test::http("GET", ClusterEnv::rebase(s["qr_text"], env.host(1).url()));
    const auto answered = Clock::now();
    const auto woke = waiter.get();
    if (fetched.status != 200) {
      std::fprintf(stderr, "fetch on B failed: %s\n", fetched.body.c_str());
      return 1;
    }
    delay_ms.push_back(std::max(0.0, std::chrono::duration<double, std::milli>(woke - answered).count()));
  }

  std::printf("openssl speed sm2 verify/s (one core):             %10.1f\n", sm2_verify);
  std::printf("presentations/s, one host direct (N=%d, %d clients): %10.1f   = %.3f x openssl verify/s x %ld cores\n", n,
              clients, one_host, sm2_verify > 0 ? one_host / (sm2_verify * static_cast<double>(cores)) : 0.0, cores);
  std::printf("presentations/s, two hosts behind nginx:            %10.1f   = %.3f x openssl verify/s x %ld cores\n",
              two_hosts, sm2_verify > 0 ? two_hosts / (sm2_verify * static_cast<double>(cores)) : 0.0, cores);
  std::printf("two hosts / one host:                               %10.2f\n", two_hosts / one_host);
  bench::print_cpu_per_op("host CPU per code, one host direct          ", alone_cpu, n, sm2_verify);
  bench::print_cpu_per_op("host CPU per code, two hosts (both) via nginx", hosts_cpu, n, sm2_verify);
  bench::print_cpu_per_op("  nginx CPU per code (master and workers)  ", proxy_cpu, n, sm2_verify);
  std::printf("cross-host login notification (B answers -> A's long-poll returns), ms: p50 %.2f  p99 %.2f  (%d)\n",
              bench::percentile(delay_ms, 0.50), bench::percentile(delay_ms, 0.99), notifications);
  std::printf("  = p99 %.1f x one openssl SM2 verification (%.3f ms)\n",
              sm2_verify > 0 ? bench::percentile(delay_ms, 0.99) / (1000.0 / sm2_verify) : 0.0,
              sm2_verify > 0 ? 1000.0 / sm2_verify : 0.0);
  return 0;
}
