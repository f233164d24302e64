// E-seal signing benchmarks (not tests), printed as ratios against baselines
// measured in the same run on the same machine:
//
//   tasks/s : N × end to end over HTTP against a real zhaoyin-host on a fresh
//             sandbox (loopback): POST /api/v1/sign-tasks with a small PDF →
//             GET the wallet request → POST prepare → POST sign (the wallet
//             answers in process with the wallet core) → GET the signed PDF;
//             next to `openssl speed -seconds 2 sm2` verify/s (one signature
//             costs the host several SM2 verifications: the answers, the seal,
//             the chains and CRLs).
//   host CPU: the host process's own CPU time over the tasks/s loop, per
//             task, as a multiple of one SM2 verify (bench/host_cpu.h).
//   20 MB   : the host-side cost of stamping a 20 MB PDF in process
//             (pdf::inspect + prepare_signature, which hashes the byte range
//             with SM3, + complete_signature) relative to `openssl dgst -sm3`
//             on the same file, both timed here.
//
// Usage: bench_signing [N]   (default 50)
#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <zhaoyin/pdf/pdf_signing.h>

#include "host_cpu.h"
#include "openssl_baseline.h"
#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A PDF of about `megabytes` MB: pages carrying incompressible images.
trust::Bytes large_pdf(std::size_t megabytes) {
  trust::Bytes out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(append_to_bytes, &out, 595.28, 841.89);
  cairo_t* cr = cairo_create(surface);
  std::mt19937 rng(42);
  while (out.size() < megabytes * 1024 * 1024) {
    cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1024, 1024);
    auto* data = cairo_image_surface_get_data(img);
    const int stride = cairo_image_surface_get_stride(img);
    for (int i = 0; i < stride * 1024; ++i) data[i] = static_cast<unsigned char>(rng());
    cairo_surface_mark_dirty(img);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_paint(cr);
    cairo_surface_destroy(img);
    cairo_show_page(cr);
    cairo_surface_flush(surface);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_surface_destroy(surface);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
  std::printf("bench_signing: starting a sandbox host...\n");
  auto& env = SigningEnv::get();
  const auto w = env.wallet("李娜");
  const auto pdf = sample_pdf(2);
  const double sm2_verify = bench::openssl_sm2_speed().verify_per_second;

  const bench::CpuMeter host_cpu(env.host().pid());
  const auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    const auto t = env.create_ok("tax", {{"document", {{"name", "bench.pdf"}, {"pdf", b64(pdf)}}},
                                         {"seals", {{"types", {"contract"}}}}});
    const auto request = env.fetch_request(t["qr_text"]);
    const auto r = env.sign_as(request, w, "contract");
    if (r.status != 200) {
      std::fprintf(stderr, "bench_signing: signing failed: %s\n", r.body.c_str());
      return 1;
    }
    env.document("tax", t["id"]);
  }
  const double elapsed = seconds_since(start);
  const double host_seconds = host_cpu.seconds();
  const double per_second = n / elapsed;
  std::printf("sign tasks end to end (small PDF, %zu bytes): %d in %.2f s = %.1f tasks/s\n", pdf.size(), n, elapsed,
              per_second);
  std::printf("  baseline openssl sm2 verify: %.0f/s; tasks/s : sm2 verify/s = 1 : %.0f\n", sm2_verify,
              per_second > 0 ? sm2_verify / per_second : 0.0);
  bench::print_cpu_per_op("  host CPU per sign task", host_seconds, n, sm2_verify);

  // Host-side cost of stamping a 20 MB PDF.
  const auto big = large_pdf(20);
  TempDir dir("bench-signing");
  const auto file = dir.path() / "big.pdf";
  write_file(file, trust::to_string(big));
  const auto seal_png = read_file(env.sandbox() / "seals" / (SigningEnv::seal_of(w, "contract").es_id + ".png"));
  const trust::Bytes png(seal_png.begin(), seal_png.end());
  const trust::Bytes fake_signature(3000, 0x5a);
  const int rounds = 3;
  double host = 1e9, sm3 = 1e9;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = Clock::now();
    const auto info = pdf::inspect(big);
    pdf::SignatureMeta meta;
    meta.signer_name = "bench";
    const auto prepared = pdf::prepare_signature(big, pdf::Placement{static_cast<int>(info.pages.size()), 20, 20, 42, 42},
                                                 png, meta, 8192);
    const auto stamped = pdf::complete_signature(prepared, fake_signature);
    host = std::min(host, seconds_since(t0));
    t0 = Clock::now();
    const auto r = run_command("openssl dgst -sm3 " + quote(file.string()));
    sm3 = std::min(sm3, seconds_since(t0));
    if (r.exit_code != 0 || stamped.size() <= big.size()) return 1;
  }
  std::printf("stamping a %.1f MB PDF (inspect + prepare + complete), best of %d: %.3f s\n",
              static_cast<double>(big.size()) / (1024.0 * 1024.0), rounds, host);
  std::printf("  baseline openssl dgst -sm3 on the same file (process included): %.3f s; ratio host : sm3 = %.1f\n", sm3,
              sm3 > 0 ? host / sm3 : 0.0);
  return 0;
}
