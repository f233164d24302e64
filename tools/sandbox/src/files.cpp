#include "files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <zhaoyin/sandbox/error.h>

namespace zhaoyin::sandbox {

namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw SandboxError("cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

void write_file(const fs::path& path, const std::string& content, FileMode mode) {
  fs::create_directories(path.parent_path());
  const fs::path temporary = path.string() + ".tmp";
  // The mode is set at creation, so a secret is never readable by others,
  // not even for the moment before a chmod.
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                        mode == FileMode::Secret ? 0600 : 0644);
  if (fd < 0) fail(temporary, "create");
  if (::fchmod(fd, mode == FileMode::Secret ? 0600 : 0644) != 0) {  // the umask may have narrowed it
    ::close(fd);
    fail(temporary, "set the mode of");
  }
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      fail(temporary, "write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) fail(temporary, "close");
  if (::rename(temporary.c_str(), path.c_str()) != 0) fail(path, "rename onto");
}

void write_file(const fs::path& path, const trust::Bytes& content, FileMode mode) {
  write_file(path, std::string(content.begin(), content.end()), mode);
}

void write_json(const fs::path& path, const nlohmann::json& value, FileMode mode) {
  write_file(path, value.dump(2, ' ', false) + "\n", mode);
}

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SandboxError("cannot read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace zhaoyin::sandbox
