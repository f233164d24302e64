#include "script.h"

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <zhaoyin/http/log.h>
#include <zhaoyin/scripting/script_engine.h>

#include "declared_matters.h"
#include "sandbox_state.h"

namespace zhaoyin::scripting {

namespace fs = std::filesystem;

namespace {

// A script file's modification time and size with one stat(2):
// fs::last_write_time and fs::file_size make two, and this runs before every
// call (a changed file is seen by the next call; docs/PERFORMANCE.md).
std::pair<fs::file_time_type, std::uintmax_t> file_signature(const fs::path& file, std::error_code& ec) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    ec.assign(errno, std::generic_category());
    return {fs::file_time_type{}, 0};
  }
  ec.clear();
  const std::chrono::sys_time<std::chrono::nanoseconds> modified{std::chrono::seconds(st.st_mtim.tv_sec) +
                                                                  std::chrono::nanoseconds(st.st_mtim.tv_nsec)};
  return {std::chrono::time_point_cast<fs::file_time_type::duration>(std::chrono::file_clock::from_sys(modified)),
          static_cast<std::uintmax_t>(st.st_size)};
}

}  // namespace

Script::Script(std::string path, fs::path scripts_dir, Limits limits, HostServices services)
    : path_(std::move(path)),
      scripts_dir_(scripts_dir),
      file_(scripts_dir / path_),
      department_dir_(scripts_dir / fs::path(path_).begin()->string()),
      department_(fs::path(path_).begin()->string()),
      limits_(limits),
      services_(std::move(services)) {}

ScriptText Script::text_of(const Version& v) const { return {path_, department_, department_dir_, v.text}; }

bool Script::changed_on_disk() const {
  std::error_code ec;
  const auto [mtime, size] = file_signature(file_, ec);
  std::lock_guard lock(mutex_);
  if (ec) return !version_ && !failed_signature_;  // missing: nothing to load (reported once)
  const auto signature = std::make_pair(mtime, size);
  if (failed_signature_ && *failed_signature_ == signature) return false;  // this edit is known to be broken
  if (!version_ || version_->mtime != mtime || version_->size != size) return true;
  for (const auto& m : modules_) {
    std::error_code mec;
    const auto mm = fs::last_write_time(m.file, mec);
    const auto ms = mec ? 0 : fs::file_size(m.file, mec);
    if (mec || mm != m.mtime || ms != m.size) return true;
  }
  return false;
}

void Script::record_error(const std::string& message) {
  bool running = false;
  {
    std::lock_guard lock(mutex_);
    last_error_ = message;
    last_error_at_ = http::utc_timestamp_now();
    running = static_cast<bool>(version_);
  }
  if (services_.log)
    services_.log->error("script not loaded",
                         {{"script", path_}, {"error", message},
                          {"still_running", running ? "the previous version" : "nothing (its flows are refused)"}});
}

bool Script::refresh(bool force) {
  if (!force && !changed_on_disk()) return true;
  std::lock_guard reload(reload_mutex_);
  if (!force && !changed_on_disk()) return true;  // another thread reloaded it meanwhile

  // Resolved again on every reload: a link swapped after binding is caught.
  fs::path real;
  try {
    real = resolve_script_file(scripts_dir_, path_);
  } catch (const ScriptPathError& e) {
    std::error_code ec;
    const auto [mtime, size] = file_signature(file_, ec);
    {
      std::lock_guard lock(mutex_);
      failed_signature_ = ec ? std::make_pair(fs::file_time_type{}, std::uintmax_t{0}) : std::make_pair(mtime, size);
    }
    record_error(e.code() == "script_not_found" ? path_ + ": the file " + file_.string() + " does not exist"
                                                : std::string(e.what()));
    return false;
  }
  std::error_code ec;
  const auto [mtime, size] = file_signature(real, ec);
  auto next = std::make_shared<Version>();
  next->mtime = mtime;
  next->size = size;
  std::string error;
  std::set<ModuleFile> modules;
  if (size > limits_.max_script_bytes) {
    error = path_ + ": larger than " + std::to_string(limits_.max_script_bytes) + " bytes";
  } else {
    std::ifstream in(real, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    next->text = buf.str();
    try {
      // Compiling and running the top level in a fresh state is the check.
      LuaSandbox probe(text_of(*next), limits_, services_);
      modules = probe.modules();
    } catch (const ScriptError& e) {
      error = e.what();
    }
  }
  if (!error.empty() && scripts_shutting_down()) return false;  // stopped by the shutdown: not a broken edit
  if (!error.empty()) {
    {
      std::lock_guard lock(mutex_);
      failed_signature_ = std::make_pair(mtime, size);
    }
    record_error(error);
    return false;
  }
  next->loaded_at = http::utc_timestamp_now();
  {
    std::lock_guard lock(mutex_);
    next->number = version_ ? version_->number + 1 : 1;
    version_ = next;
    modules_ = std::move(modules);
    failed_signature_.reset();
    last_error_.clear();
    last_error_at_.clear();
  }
  idle_.notify_all();  // waiters may now build states of the new version
  if (services_.log) services_.log->info("script loaded", {{"script", path_}, {"version", next->number}});
  return true;
}

CallResult Script::call(const char* hook, CallContext& ctx) {
  const std::string client_id = ctx.event ? ctx.event->client_id : std::string();
  std::shared_ptr<const Version> version;
  Pooled taken;
  std::vector<Pooled> stale;  // closed outside the lock
  {
    std::unique_lock lock(mutex_);
    version = version_;
    if (!version) {
      CallResult r;
      r.status = CallStatus::Failed;
      r.code = "script_unavailable";
      r.message = path_ + " is not loaded" + (last_error_.empty() ? std::string() : ": " + last_error_);
      ++failures_;
      return r;
    }
    auto& pool = pools_[client_id];
    for (;;) {
      while (!pool.idle.empty() && pool.idle.back().version != version->number) {
        stale.push_back(std::move(pool.idle.back()));
        pool.idle.pop_back();
        --pool.total;
      }
      if (!pool.idle.empty()) {
        taken = std::move(pool.idle.back());
        pool.idle.pop_back();
        break;
      }
      if (pool.total < limits_.states_per_application) {
        ++pool.total;  // reserve; built below without the lock
        break;
      }
      idle_.wait(lock);
      version = version_;
    }
    ++calls_;
  }
  stale.clear();

  CallResult result;
  if (!taken.sandbox) {
    try {
      taken.sandbox = std::make_unique<LuaSandbox>(text_of(*version), limits_, services_);
      taken.version = version->number;
    } catch (const ScriptError& e) {
      std::lock_guard lock(mutex_);
      --pools_[client_id].total;
      ++failures_;
      idle_.notify_one();
      result.status = CallStatus::Failed;
      result.message = e.what();
      return result;
    }
  }

  result = taken.sandbox->call(hook, ctx);
  const bool discard = taken.sandbox->broken();
  const auto modules = taken.sandbox->modules();
  {
    std::lock_guard lock(mutex_);
    modules_.insert(modules.begin(), modules.end());
    if (result.status == CallStatus::Refused) ++refusals_;
    if (result.status == CallStatus::Failed) ++failures_;
    if (discard) ++stopped_;
    auto& pool = pools_[client_id];
    if (discard || !version_ || taken.version != version_->number) {
      --pool.total;
      stale.push_back(std::move(taken));
    } else {
      pool.idle.push_back(std::move(taken));
    }
  }
  idle_.notify_one();
  return result;  // `stale` closes the discarded state here
}

nlohmann::json Script::declared_matters() const {
  std::shared_ptr<const Version> version;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    version = version_;
  }
  return version ? scripting::declared_matters(version->text) : nlohmann::json::array();
}

nlohmann::json Script::status() const {
  std::lock_guard lock(mutex_);
  nlohmann::json states = nlohmann::json::object();
  for (const auto& [client, pool] : pools_) states[client] = pool.total;
  nlohmann::json j = {{"path", path_},
                      {"loaded", static_cast<bool>(version_)},
                      {"version", nullptr},
                      {"last_error", nullptr},
                      {"states", states},
                      {"calls", calls_},
                      {"refusals", refusals_},
                      {"failures", failures_},
                      {"stopped", stopped_}};
  if (version_)
    j["version"] = {{"number", version_->number}, {"loaded_at", version_->loaded_at}, {"size", version_->size}};
  if (!last_error_.empty()) j["last_error"] = {{"message", last_error_}, {"at", last_error_at_}};
  return j;
}

}  // namespace zhaoyin::scripting
