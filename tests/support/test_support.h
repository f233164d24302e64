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
