#include "atomic_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace zhaoyin::authority_service {

namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw std::runtime_error("cannot " + what + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

void write_file_atomically(const fs::path& path, const std::string& content, FileMode mode) {
  const fs::path temporary = path.string() + ".tmp";
  const mode_t bits = mode == FileMode::Secret ? 0600 : 0644;
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, bits);
  if (fd < 0) fail(temporary, "create");
  if (::fchmod(fd, bits) != 0) {
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
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail(temporary, "flush");
  }
  if (::close(fd) != 0) fail(temporary, "close");
  if (::rename(temporary.c_str(), path.c_str()) != 0) fail(path, "rename onto");
}

std::string read_whole_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

OperatorLock::OperatorLock(const fs::path& authority_dir) {
  const fs::path file = authority_dir / ".operator.lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) fail(file, "open");
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno != EINTR) {
      ::close(fd_);
      fail(file, "lock");
    }
  }
}

OperatorLock::~OperatorLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace zhaoyin::authority_service
