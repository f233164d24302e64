#pragma once
// Small helpers shared by the test executables: temporary folders, running
// the project's binaries and independent tools (openssl, zbarimg, qpdf), files.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>

// The benchmarks (bench/) share these helpers without Catch; zhaoyin_add_test
// sets ZHAOYIN_CATCH_TEST for the test executables.
#ifdef ZHAOYIN_CATCH_TEST
#include <catch2/catch.hpp>
#endif

namespace zhaoyin::test {

namespace fs = std::filesystem;

// A fresh folder under the system temp dir, removed when the object dies.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "zhaoyin-test") {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
      auto candidate = fs::temp_directory_path() / (prefix + "-" + std::to_string(rd()));
      if (fs::create_directory(candidate)) { path_ = candidate; return; }
    }
    throw std::runtime_error("cannot create a temporary folder");
  }
  ~TempDir() { std::error_code ec; fs::remove_all(path_, ec); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// A report of AddressSanitizer, LeakSanitizer or UBSan (the "asan" preset) in a
// child's output. A sanitised child that runs into one exits non-zero, but a
// test that expects a refusal (any non-zero exit) or never looks at a host's
// exit status would miss it, so the helpers that run our binaries look for it.
inline bool has_sanitizer_report(const std::string& output) {
  return output.find("ERROR: AddressSanitizer") != std::string::npos ||
         output.find("ERROR: LeakSanitizer") != std::string::npos ||
         output.find(": runtime error: ") != std::string::npos;
}

// Fails the current test case (without stopping it) when output holds a
// sanitizer report, showing the report; a benchmark only prints it.
inline void check_no_sanitizer_report(const std::string& what, const std::string& output) {
  if (!has_sanitizer_report(output)) return;
#ifdef ZHAOYIN_CATCH_TEST
  FAIL_CHECK("sanitizer report from " << what << ":\n" << output);
#else
  std::fprintf(stderr, "sanitizer report from %s:\n%s\n", what.c_str(), output.c_str());
#endif
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command, capturing stdout+stderr. No time limit: a hung tool
// is caught by ctest's own timeout, never by a timed assertion.
inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  std::string full = "(" + command + ") 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) r.output.append(buffer, n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  check_no_sanitizer_report(command, r.output);
  return r;
}

inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) { if (c == '\'') q += "'\\''"; else q += c; }
  return q + "'";
}

// Path of one of the project's binaries in build/bin.
inline std::string bin(const std::string& name) { return std::string(ZHAOYIN_BIN) + "/" + name; }
inline std::string source_dir() { return ZHAOYIN_SOURCE_DIR; }

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

}  // namespace zhaoyin::test
