#pragma once
// Whole-file reads and atomic writes for the authority's files: a write goes
// to a temporary sibling, is flushed to disk and renamed over the target, so
// the running service (and a host reading the sandbox) never sees half a file.
#include <filesystem>
#include <string>

namespace zhaoyin::authority_service {

namespace fs = std::filesystem;

enum class FileMode { Public, Secret };  // 0644 | 0600

void write_file_atomically(const fs::path& path, const std::string& content, FileMode mode = FileMode::Public);
std::string read_whole_file(const fs::path& path);  // throws std::runtime_error naming the file

// An exclusive lock on DIR/authority/.operator.lock for the life of the object:
// operator commands run one at a time.
class OperatorLock {
 public:
  explicit OperatorLock(const fs::path& authority_dir);
  ~OperatorLock();
  OperatorLock(const OperatorLock&) = delete;
  OperatorLock& operator=(const OperatorLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace zhaoyin::authority_service
