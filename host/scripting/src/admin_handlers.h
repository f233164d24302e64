#pragma once
// The operator's view of the scripts (Authorization: Bearer <operator token>):
//   GET  /api/v1/admin/scripts                            which application runs which script, loaded
//                                                          version, last reload error, calls
//   POST /api/v1/admin/scripts/reload                     compile every bound script again
//   PUT  /api/v1/admin/applications/{client_id}/scripts   bind scripts to an application, in order
#include <memory>
#include <zhaoyin/http/exchange.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/scripting/script_engine.h>

namespace zhaoyin::scripting {

// What the handlers share: the host and its engine; `enabled` is false when
// scripts.dir does not exist (bound scripts are then not run).
struct ScriptingContext {
  std::shared_ptr<http::HostContext> host;
  std::shared_ptr<ScriptEngine> engine;
  bool enabled = false;
};

class ListScripts final : public http::Handler {
 public:
  explicit ListScripts(std::shared_ptr<ScriptingContext> sc) : sc_(std::move(sc)) {}
  void handle(http::Exchange& ex) override;

 private:
  std::shared_ptr<ScriptingContext> sc_;
};

class ReloadScripts final : public http::Handler {
 public:
  explicit ReloadScripts(std::shared_ptr<ScriptingContext> sc) : sc_(std::move(sc)) {}
  void handle(http::Exchange& ex) override;

 private:
  std::shared_ptr<ScriptingContext> sc_;
};

class BindScripts final : public http::Handler {
 public:
  explicit BindScripts(std::shared_ptr<ScriptingContext> sc) : sc_(std::move(sc)) {}
  void handle(http::Exchange& ex) override;

 private:
  std::shared_ptr<ScriptingContext> sc_;
};

}  // namespace zhaoyin::scripting
