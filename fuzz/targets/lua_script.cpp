// Integrators' Lua scripts (scripts/<department>/*.lua), loaded into the
// sandbox (host/scripting lua_sandbox.cpp): the input is the script text.
// LuaSandbox compiles it, runs its top level under the memory cap and the
// instruction budget, and must either stand or throw ScriptError; then every
// hook runs once on a demo event, which must never throw whatever the
// script does (errors, refusals, budget and memory exhaustion become a
// CallResult). Limits are smaller than the host's so one input costs
// milliseconds, not the host's 0.1 s budget.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "lua_sandbox.h"

using namespace zhaoyin;
using namespace zhaoyin::scripting;

namespace {

// require() loads modules from the script's department folder: give it one,
// with a module, so require paths are reachable.
std::filesystem::path department_dir() {
  static const std::filesystem::path dir = [] {
    const auto d = std::filesystem::temp_directory_path() / ("zhaoyin-fuzz-lua-" + std::to_string(getpid())) / "fuzz";
    std::filesystem::create_directories(d);
    std::ofstream(d / "util.lua") << "local M = {}\nfunction M.twice(x) return x * 2 end\nreturn M\n";
    return d;
  }();
  return dir;
}

flow::FlowEvent demo_event(flow::FlowPoint point) {
  flow::FlowEvent e;
  e.point = point;
  e.client_id = "app-fuzz";
  e.application = {{"client_id", "app-fuzz"}, {"name", "模糊测试"}, {"matters", {"电子政务/税务/发票申领"}}};
  e.subject = {{"uscc", "91110108700338416R"},
               {"name", "北京模糊测试有限公司"},
               {"holder", {{"name", "张三"}, {"role", "legal_representative"}}},
               {"authorisation", {{"scope", "full"}, {"matters", nlohmann::json::array()}}}};
  e.detail = {{"subject_ref", "sub-1"}, {"seal_types", {"company"}}};
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)department_dir();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ScriptText script;
  script.path = "fuzz/input.lua";
  script.department = "fuzz";
  script.department_dir = department_dir();
  script.text.assign(reinterpret_cast<const char*>(data), size);

  Limits limits;
  limits.instructions_per_call = 200'000;
  limits.memory_bytes = 4u * 1024 * 1024;

  std::unique_ptr<LuaSandbox> sandbox;
  try {
    sandbox = std::make_unique<LuaSandbox>(script, limits, HostServices{});
  } catch (const ScriptError&) {
    return 0;
  }
  static const std::pair<const char*, flow::FlowPoint> kHooks[] = {
      {"on_login_confirmed", flow::FlowPoint::login_confirmed},
      {"on_presentation_verified", flow::FlowPoint::presentation_verified},
      {"on_prefill", flow::FlowPoint::form_prefill},
      {"on_sign_task_created", flow::FlowPoint::sign_task_created},
      {"on_signature_made", flow::FlowPoint::signature_made},
  };
  for (const auto& [hook, point] : kHooks) {
    if (sandbox->broken()) break;  // the engine discards such a state
    const flow::FlowEvent event = demo_event(point);
    flow::FormFill fill;
    fill.form.id = "generic";
    fill.form.fields.push_back({"uscc", "统一社会信用代码", "text", true, "", {}});
    fill.values = {{"uscc", "91110108700338416R"}};
    CallContext ctx;
    ctx.event = &event;
    if (point == flow::FlowPoint::form_prefill) ctx.fill = &fill;
    (void)sandbox->call(hook, ctx);
  }
  return 0;
}
