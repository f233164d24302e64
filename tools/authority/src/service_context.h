#pragma once
// What every request handler shares: the current snapshot of the sandbox's
// files (reloaded when authority-state.json changes, or on SIGHUP), the
// request authenticator with its nonce memory, and the access log.
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include "request_authenticator.h"
#include "snapshot.h"

namespace zhaoyin::authority_service {

class ServiceContext {
 public:
  // Loads the snapshot; throws when the sandbox cannot be read.
  ServiceContext(std::filesystem::path dir, std::ostream& log);

  // The snapshot to answer from, reloaded first if an operator command has
  // written authority-state.json since the last load. A reload that fails
  // keeps the previous snapshot and is logged.
  std::shared_ptr<const Snapshot> snapshot();
  // Reloads now (SIGHUP); false (and logged) when the files cannot be read.
  bool reload(const std::string& why);

  RequestAuthenticator& authenticator() { return authenticator_; }
  // One JSON line per event on the log stream.
  void log(const std::string& json_line);

 private:
  struct FileStamp {
    ino_t inode = 0;
    long long mtime_ns = 0;
    off_t size = -1;
    bool operator==(const FileStamp&) const = default;
  };
  FileStamp stamp() const;

  std::filesystem::path dir_;
  std::ostream& log_;
  std::mutex log_mutex_;
  std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_;
  FileStamp loaded_stamp_;
  RequestAuthenticator authenticator_;
};

}  // namespace zhaoyin::authority_service
