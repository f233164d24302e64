// /admin/scripts: which application runs which Lua script, whether each is
// loaded, its last load/reload error, and a reload button.
#include <zhaoyin/admin/staff.h>
#include <zhaoyin/http/api_error.h>

#include "operator_pages.h"

namespace zhaoyin::admin {

namespace {

nlohmann::json page_data(scripting::ScriptEngine& engine) {
  const nlohmann::json status = engine.status();
  nlohmann::json scripts = nlohmann::json::array();
  for (const auto& s : status.value("scripts", nlohmann::json::array())) {
    nlohmann::json item = {{"path", s.value("path", "")},
                           {"loaded", s.value("loaded", false)},
                           {"applications", s.value("applications", nlohmann::json::array())},
                           {"calls", s.value("calls", 0)},
                           {"refusals", s.value("refusals", 0)},
                           {"failures", s.value("failures", 0)}};
    if (s.contains("version") && s["version"].is_object())
      item["version"] = {{"number", s["version"].value("number", 0)}, {"loaded_at", s["version"].value("loaded_at", "")}};
    if (s.contains("last_error") && s["last_error"].is_object())
      item["last_error"] = {{"message", s["last_error"].value("message", "")}, {"at", s["last_error"].value("at", "")}};
    scripts.push_back(std::move(item));
  }
  return {{"scripts_dir", status.value("scripts_dir", engine.scripts_dir().string())}, {"scripts", scripts}};
}

class ScriptsPage final : public http::Handler {
 public:
  ScriptsPage(std::shared_ptr<http::HostContext> ctx, HostExtensionSources sources)
      : ctx_(std::move(ctx)), sources_(std::move(sources)) {}
  void handle(http::Exchange& ex) override {
    const StaffSession staff = require_staff(ex, *ctx_, {Role::Operator});
    nlohmann::json data = sources_.scripts ? page_data(*sources_.scripts)
                                           : nlohmann::json{{"unavailable", true}, {"scripts_dir", ctx_->settings.scripts_dir}};
    if (ex.query("reloaded")) data["reloaded"] = true;
    send_page(ex, *ctx_, staff, "脚本 · 照印管理", "scripts", data);
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
  HostExtensionSources sources_;
};

class ReloadScripts final : public http::Handler {
 public:
  ReloadScripts(std::shared_ptr<http::HostContext> ctx, HostExtensionSources sources)
      : ctx_(std::move(ctx)), sources_(std::move(sources)) {}
  void handle(http::Exchange& ex) override {
    const StaffSession staff = require_staff(ex, *ctx_, {Role::Operator});
    require_csrf(staff, ex.form_body());
    if (!sources_.scripts)
      throw http::ApiError(409, "scripts_disabled", "scripts.dir does not exist on this host: there is nothing to reload");
    const nlohmann::json status = sources_.scripts->reload_all();
    nlohmann::json failed = nlohmann::json::array();
    for (const auto& s : status.value("scripts", nlohmann::json::array()))
      if (s.contains("last_error") && s["last_error"].is_object()) failed.push_back(s.value("path", ""));
    audit(*ctx_, staff.username, "scripts_reloaded", "scripts",
          {{"scripts", status.value("scripts", nlohmann::json::array()).size()}, {"with_errors", failed}});
    redirect(ex, "/admin/scripts?reloaded=1");
  }

 private:
  std::shared_ptr<http::HostContext> ctx_;
  HostExtensionSources sources_;
};

}  // namespace

void register_scripts_page(http::Router& pages, const std::shared_ptr<http::HostContext>& ctx,
                           const HostExtensionSources& sources) {
  pages.add<ScriptsPage>("GET", "/admin/scripts", ctx, sources);
  pages.add<ReloadScripts>("POST", "/admin/scripts/reload", ctx, sources);
}

}  // namespace zhaoyin::admin
