#include <zhaoyin/scripting/script_engine.h>

#include <regex>
#include <set>

#include "script.h"

namespace zhaoyin::scripting {

namespace {

const char* hook_for(flow::FlowPoint point) {
  switch (point) {
    case flow::FlowPoint::login_confirmed: return "on_login_confirmed";
    case flow::FlowPoint::presentation_verified: return "on_presentation_verified";
    case flow::FlowPoint::form_prefill: return nullptr;  // on_prefill runs through Extension::on_prefill
    case flow::FlowPoint::sign_task_created: return "on_sign_task_created";
    case flow::FlowPoint::signature_made: return "on_signature_made";
  }
  return nullptr;
}

// One bound script as the flows see it.
class ScriptExtension final : public flow::Extension {
 public:
  ScriptExtension(std::shared_ptr<Script> script, std::shared_ptr<http::JsonLog> log)
      : script_(std::move(script)), log_(std::move(log)) {}

  std::string source() const override { return "script:" + script_->path(); }

  flow::Decision on_flow(const flow::FlowEvent& event) override {
    const char* hook = hook_for(event.point);
    if (!hook || forms_prefill_depth > 0) return flow::Decision::allow();
    CallContext ctx;
    ctx.event = &event;
    return run(hook, event, ctx);
  }

  // The catalogue's contributions: the script's --@matter lines.
  nlohmann::json matters() const override {
    script_->refresh();
    return script_->declared_matters();
  }

  flow::Decision on_prefill(const flow::FlowEvent& event, flow::FormFill& fill) override {
    if (forms_prefill_depth > 0) return flow::Decision::allow();
    CallContext ctx;
    ctx.event = &event;
    ctx.fill = &fill;
    return run("on_prefill", event, ctx);
  }

 private:
  flow::Decision run(const char* hook, const flow::FlowEvent& event, CallContext& ctx) {
    script_->refresh();
    const CallResult r = script_->call(hook, ctx);
    switch (r.status) {
      case CallStatus::Allowed: {
        auto d = flow::Decision::allow();
        d.requirements = r.requirements;
        return d;
      }
      case CallStatus::Refused: return flow::Decision::refuse(source(), r.code, r.message, 403);
      case CallStatus::Failed:
        if (log_)
          log_->warn("script failed", {{"script", script_->path()},
                                       {"client_id", event.client_id},
                                       {"point", std::string(flow::to_string(event.point))},
                                       {"hook", hook},
                                       {"error", r.message}});
        return flow::Decision::refuse(source(), r.code.empty() ? "script_failed" : r.code, r.message, 422);
    }
    return flow::Decision::allow();
  }

  std::shared_ptr<Script> script_;
  std::shared_ptr<http::JsonLog> log_;
};

// A binding whose path is not a valid script path: refuses its flows.
class InvalidBinding final : public flow::Extension {
 public:
  explicit InvalidBinding(std::string path) : path_(std::move(path)) {}
  std::string source() const override { return "script:" + path_; }
  flow::Decision on_flow(const flow::FlowEvent& event) override {
    if (!hook_for(event.point) || forms_prefill_depth > 0) return flow::Decision::allow();
    return refusal();
  }
  flow::Decision on_prefill(const flow::FlowEvent&, flow::FormFill&) override {
    if (forms_prefill_depth > 0) return flow::Decision::allow();
    return refusal();
  }

 private:
  flow::Decision refusal() const {
    return flow::Decision::refuse(source(), "script_unavailable",
                                  "'" + path_ + "' is not a script path (department/file.lua under scripts.dir)", 422);
  }
  std::string path_;
};

}  // namespace

bool valid_script_path(const std::string& path) {
  static const std::regex kPath(R"(([A-Za-z0-9_][A-Za-z0-9_.\-]*/)+[A-Za-z0-9_][A-Za-z0-9_.\-]*\.lua)");
  if (path.size() > 255 || !std::regex_match(path, kPath)) return false;
  for (const auto& segment : std::filesystem::path(path))
    if (segment == "." || segment == "..") return false;
  return true;
}

namespace {

// True when `inner` is `root` or below it (both already canonical).
bool lies_within(const std::filesystem::path& inner, const std::filesystem::path& root) {
  auto r = root.begin();
  for (auto i = inner.begin(); r != root.end(); ++i, ++r)
    if (i == inner.end() || *i != *r) return false;
  return true;
}

}  // namespace

std::filesystem::path resolve_script_file(const std::filesystem::path& scripts_dir, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path root = fs::canonical(scripts_dir, ec);
  if (ec) throw ScriptPathError("script_not_found", "scripts.dir " + scripts_dir.string() + " does not exist");
  const fs::path file = fs::canonical(root / path, ec);
  if (ec) throw ScriptPathError("script_not_found", path + " does not exist under " + scripts_dir.string());
  if (!lies_within(file, root))
    throw ScriptPathError("script_outside_scripts_dir",
                          path + " leads outside scripts.dir through a symbolic link (refused: scripts are read "
                                 "from scripts.dir only)");
  if (!fs::is_regular_file(file, ec))
    throw ScriptPathError("script_not_found", path + " is not a file under " + scripts_dir.string());
  return file;
}

ScriptEngine::ScriptEngine(std::filesystem::path scripts_dir, ScriptBindings bindings, EngineLimits limits,
                           std::shared_ptr<http::JsonLog> log, std::weak_ptr<flow::Extensions> extensions)
    : scripts_dir_(std::move(scripts_dir)),
      bindings_(std::move(bindings)),
      limits_(limits),
      log_(std::move(log)),
      extensions_(std::move(extensions)) {}

ScriptEngine::~ScriptEngine() = default;

std::shared_ptr<Script> ScriptEngine::script(const std::string& path) {
  if (!valid_script_path(path)) return nullptr;
  std::lock_guard lock(mutex_);
  auto& s = scripts_[path];
  if (!s) {
    Limits limits;
    limits.instructions_per_call = limits_.instructions_per_call;
    limits.time_per_call = std::chrono::milliseconds(limits_.time_per_call_ms);
    limits.memory_bytes = limits_.memory_bytes;
    limits.string_bytes = limits_.string_bytes;
    limits.states_per_application = std::max<std::size_t>(1, limits_.states_per_application);
    s = std::make_shared<Script>(path, scripts_dir_, limits, HostServices{log_, extensions_});
  }
  return s;
}

std::vector<std::shared_ptr<flow::Extension>> ScriptEngine::active_for(const std::string& client_id) {
  std::vector<std::shared_ptr<flow::Extension>> active;
  if (forms_prefill_depth > 0) return active;  // inside a script's forms.prefill: scripts stand aside
  for (const auto& path : bindings_.scripts_of(client_id)) {
    if (auto s = script(path)) active.push_back(std::make_shared<ScriptExtension>(std::move(s), log_));
    else active.push_back(std::make_shared<InvalidBinding>(path));
  }
  return active;
}

std::vector<std::shared_ptr<flow::Extension>> ScriptEngine::all() {
  // Every bound script, also one no call has used yet: the matters catalogue
  // reads their declarations (--@matter) through here.
  if (bindings_.all)
    for (const auto& [client, path] : bindings_.all()) script(path);
  std::vector<std::shared_ptr<flow::Extension>> out;
  std::lock_guard lock(mutex_);
  for (const auto& [path, s] : scripts_) out.push_back(std::make_shared<ScriptExtension>(s, log_));
  return out;
}

nlohmann::json ScriptEngine::reload_all() {
  std::set<std::string> paths;
  if (bindings_.all)
    for (const auto& [client, path] : bindings_.all()) paths.insert(path);
  {
    std::lock_guard lock(mutex_);
    for (const auto& [path, s] : scripts_) paths.insert(path);
  }
  for (const auto& path : paths)
    if (auto s = script(path)) s->refresh(true);
  return status();
}

nlohmann::json ScriptEngine::status() {
  std::map<std::string, std::vector<std::string>> apps_of;
  if (bindings_.all)
    for (const auto& [client, path] : bindings_.all()) apps_of[path].push_back(client);
  for (const auto& [path, apps] : apps_of)
    if (auto s = script(path)) s->refresh();  // show what the next call would run
  nlohmann::json scripts = nlohmann::json::array();
  std::map<std::string, std::shared_ptr<Script>> known;
  {
    std::lock_guard lock(mutex_);
    known = scripts_;
  }
  for (const auto& [path, apps] : apps_of)
    if (!known.count(path)) scripts.push_back({{"path", path}, {"loaded", false}, {"applications", apps},
                                               {"last_error", {{"message", "not a valid script path"}}}});
  for (const auto& [path, s] : known) {
    auto j = s->status();
    j["applications"] = apps_of.count(path) ? apps_of[path] : std::vector<std::string>{};
    scripts.push_back(std::move(j));
  }
  return {{"scripts_dir", scripts_dir_.string()},
          {"limits", {{"instructions_per_call", limits_.instructions_per_call},
                      {"time_per_call_ms", limits_.time_per_call_ms},
                      {"memory_bytes", limits_.memory_bytes},
                      {"string_bytes", limits_.string_bytes},
                      {"states_per_application", limits_.states_per_application}}},
          {"scripts", scripts}};
}

}  // namespace zhaoyin::scripting
