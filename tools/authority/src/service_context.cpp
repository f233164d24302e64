#include "service_context.h"

#include <nlohmann/json.hpp>
#include "authority_state.h"

namespace zhaoyin::authority_service {

ServiceContext::ServiceContext(std::filesystem::path dir, std::ostream& log) : dir_(std::move(dir)), log_(log) {
  loaded_stamp_ = stamp();
  snapshot_ = Snapshot::load(dir_);
  if (!snapshot_->status_signer.valid()) throw std::runtime_error("the sandbox has no status signer");
}

ServiceContext::FileStamp ServiceContext::stamp() const {
  // Operator commands replace the file by rename, so its inode changes with
  // every write even within one mtime tick.
  struct stat st {};
  FileStamp s;
  if (::stat(state_file(dir_).c_str(), &st) == 0) {
    s.inode = st.st_ino;
    s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    s.size = st.st_size;
  }
  return s;
}

std::shared_ptr<const Snapshot> ServiceContext::snapshot() {
  {
    std::lock_guard lock(mutex_);
    if (stamp() == loaded_stamp_) return snapshot_;
  }
  reload("authority-state.json changed");
  std::lock_guard lock(mutex_);
  return snapshot_;
}

bool ServiceContext::reload(const std::string& why) {
  std::lock_guard lock(mutex_);
  const FileStamp before = stamp();
  try {
    snapshot_ = Snapshot::load(dir_);
    loaded_stamp_ = before;  // a write during the load is seen by the next request
    log(nlohmann::json{{"msg", "reloaded"}, {"why", why}, {"generation", snapshot_->state.generation}}.dump());
    return true;
  } catch (const std::exception& e) {
    loaded_stamp_ = before;  // do not retry on every request; the next write or SIGHUP does
    log(nlohmann::json{{"msg", "reload failed"}, {"why", why}, {"error", e.what()}}.dump());
    return false;
  }
}

void ServiceContext::log(const std::string& json_line) {
  std::lock_guard lock(log_mutex_);
  log_ << json_line << std::endl;
}

}  // namespace zhaoyin::authority_service
