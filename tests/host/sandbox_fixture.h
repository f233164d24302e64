#pragma once
// One sandbox made by `zhaoyin sandbox init` for the whole test run (making one
// takes a moment); tests that break files work on their own copy.
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <test_support.h>

namespace zhaoyin::test {

inline const std::filesystem::path& shared_sandbox() {
  static std::unique_ptr<TempDir> dir;
  static std::filesystem::path path;
  if (!dir) {
    const std::string cli = bin("zhaoyin");
    if (!std::filesystem::exists(cli)) throw std::runtime_error(cli + " is not built; build the zhaoyin target");
    dir = std::make_unique<TempDir>("zhaoyin-host-sandbox");
    path = dir->path() / "sandbox";
    const auto r = run_command(quote(cli) + " sandbox init " + quote(path.string()));
    if (r.exit_code != 0) throw std::runtime_error("zhaoyin sandbox init failed: " + r.output);
  }
  return path;
}

// A private copy of the shared sandbox, to break.
inline std::filesystem::path copy_sandbox(const TempDir& into) {
  const auto target = into.path() / "sandbox";
  std::filesystem::copy(shared_sandbox(), target, std::filesystem::copy_options::recursive);
  return target;
}

inline nlohmann::json read_json(const std::filesystem::path& p) { return nlohmann::json::parse(read_file(p)); }
inline void write_json(const std::filesystem::path& p, const nlohmann::json& j) { write_file(p, j.dump(2)); }

// A copy of the shared sandbox whose applications all declare `peak_rate`
// verifications per second (验证峰值). Benchmarks measure what a host can do,
// not the demo applications' declared peaks (150–200/s), which a host
// rightly enforces with 429 rate_limited.
inline std::filesystem::path sandbox_with_peak_rate(const TempDir& into, std::int64_t peak_rate) {
  const auto copy = copy_sandbox(into);
  auto doc = read_json(copy / "sandbox.json");
  for (auto& app : doc["applications"]) app["peak_rate"] = peak_rate;
  write_json(copy / "sandbox.json", doc);
  return copy;
}

}  // namespace zhaoyin::test
