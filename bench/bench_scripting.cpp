// Cost of a Lua prefill hook per call, and script calls per second on this
// machine. Baseline in the same run: the same field mapping as a C++
// extension (what a compiled plugin would cost), and an empty Lua hook (the
// engine's own overhead: file check, pool, event and form conversion).
// States are reused across calls, as in the host.
//
//   bench_scripting [calls per measurement, default 20000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <zhaoyin/flow/extensions.h>
#include <zhaoyin/scripting/script_engine.h>

using namespace zhaoyin;
namespace fs = std::filesystem;

namespace {

nlohmann::json subject() {
  return {{"face_info",
           {{"uscc", "91420100YULA38GUXF"},
            {"name", "武汉长江云数科技有限公司（沙箱）"},
            {"type", "有限责任公司(自然人投资或控股)"},
            {"kind", "limited_company"},
            {"legal_representative", "张志伟"},
            {"registered_capital", "1000万元人民币"},
            {"established", "2016-03-18"},
            {"term_from", "2016-03-18"},
            {"term_to", ""},
            {"address", "湖北省武汉市东湖新技术开发区光谷大道77号"},
            {"business_scope", "软件开发；信息技术咨询服务"},
            {"registration_authority", "武汉东湖新技术开发区市场监督管理局"},
            {"approval_date", "2023-06-01"},
            {"status", "active"},
            {"labels", {{"legal_representative", "法定代表人"}, {"address", "住所"}}}}},
          {"holder", {{"name", "王强"}, {"role", "agent"}, {"role_label", "办事人"},
                      {"authorisation", {{"scope", "precise"}, {"matters", {"电子政务/税务/发票申领"}}}}}}};
}

flow::FormFill generic_fill(const nlohmann::json& s) {
  flow::FormFill fill;
  fill.form = {"generic", "通用照面信息", "", "builtin", {}};
  for (const char* key : {"uscc", "name", "type", "legal_representative", "registered_capital", "established",
                          "address", "business_scope", "registration_authority", "approval_date"}) {
    fill.form.fields.push_back({key, key, "text", true, "", {}});
    fill.values[key] = s["face_info"][key];
  }
  fill.values["handler_name"] = "王强";
  return fill;
}

const char* kMappingScript = R"(
function on_prefill(event, form)
  if form.id ~= "generic" then return end
  form.values.nsrsbh = form.values.uscc
  form.labels.nsrsbh = "纳税人识别号"
  form.values.nsrmc = form.values.name
  form.labels.nsrmc = "纳税人名称"
  form.values.zcdz = form.values.address
  form.labels.zcdz = "注册地址"
  form.values.fddbrxm = zhaoyin.face("legal_representative")
  form.labels.fddbrxm = zhaoyin.face_label("legal_representative") .. "姓名"
end
)";

// The same mapping compiled in.
class CppMapping final : public flow::Extension {
 public:
  std::string source() const override { return "cpp"; }
  flow::Decision on_prefill(const flow::FlowEvent& e, flow::FormFill& form) override {
    form.values["nsrsbh"] = form.values["uscc"];
    form.labels["nsrsbh"] = "纳税人识别号";
    form.values["nsrmc"] = form.values["name"];
    form.labels["nsrmc"] = "纳税人名称";
    form.values["zcdz"] = form.values["address"];
    form.labels["zcdz"] = "注册地址";
    form.values["fddbrxm"] = e.subject["face_info"]["legal_representative"];
    form.labels["fddbrxm"] = e.subject["face_info"]["labels"]["legal_representative"].get<std::string>() + "姓名";
    return flow::Decision::allow();
  }
};

struct Figure {
  double us_per_call = 0;
  double calls_per_second = 0;
};

template <typename Call>
Figure measure(int calls, int threads, Call&& call) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i = 0; i < calls / threads; ++i) call();
    });
  for (auto& t : pool) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {seconds * 1e6 / calls * threads, calls / seconds};
}

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 20000;
  char tmpl[] = "/tmp/zhaoyin-bench-scripting-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  const fs::path dir = tmpl;
  fs::create_directories(dir / "tax");
  std::ofstream(dir / "tax" / "mapping.lua") << kMappingScript;
  std::ofstream(dir / "tax" / "empty.lua") << "function on_prefill(event, form) end\n";

  scripting::ScriptBindings bindings;
  bindings.scripts_of = [](const std::string& client) {
    return std::vector<std::string>{client == "empty" ? "tax/empty.lua" : "tax/mapping.lua"};
  };
  bindings.all = [] { return std::vector<std::pair<std::string, std::string>>{}; };
  auto engine = std::make_shared<scripting::ScriptEngine>(dir, bindings, scripting::EngineLimits{}, nullptr,
                                                          std::weak_ptr<flow::Extensions>());
  const auto s = subject();
  auto event_for = [&](const std::string& client) {
    flow::FlowEvent e;
    e.point = flow::FlowPoint::form_prefill;
    e.client_id = client;
    e.application = {{"client_id", client}, {"department", "tax"}};
    e.subject = s;
    e.detail = {{"form_id", "generic"}, {"subject_ref", "arc_1"}, {"source", "archive"}};
    return e;
  };
  const auto mapping_event = event_for("mapping");
  const auto empty_event = event_for("empty");
  const auto mapping = engine->active_for("mapping").at(0);
  const auto empty = engine->active_for("empty").at(0);
  CppMapping cpp;
  const auto base_fill = generic_fill(s);

  // Warm up: compile, build the states.
  for (int i = 0; i < 100; ++i) {
    auto f1 = base_fill, f2 = base_fill;
    mapping->on_prefill(mapping_event, f1);
    empty->on_prefill(empty_event, f2);
  }
  {
    auto check = base_fill;
    const auto d = mapping->on_prefill(mapping_event, check);
    if (!d.allowed || check.values.value("nsrsbh", "") != "91420100YULA38GUXF") {
      std::fprintf(stderr, "the mapping script did not run: %s\n", d.reason.c_str());
      return 1;
    }
  }

  const Figure copy_only = measure(calls, 1, [&] { auto f = base_fill; (void)f; });
  const Figure native = measure(calls, 1, [&] { auto f = base_fill; cpp.on_prefill(mapping_event, f); });
  const Figure lua_empty = measure(calls, 1, [&] { auto f = base_fill; empty->on_prefill(empty_event, f); });
  const Figure lua_map = measure(calls, 1, [&] { auto f = base_fill; mapping->on_prefill(mapping_event, f); });
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const Figure lua_map_mt = measure(calls, static_cast<int>(cores), [&] {
    auto f = base_fill;
    mapping->on_prefill(mapping_event, f);
  });

  std::printf("bench_scripting: prefill hook (generic form, 11 values, 4 mapped fields), %d calls each\n", calls);
  std::printf("  %-44s %9.2f us/call  %10.0f calls/s\n", "copy of the form only", copy_only.us_per_call,
              copy_only.calls_per_second);
  std::printf("  %-44s %9.2f us/call  %10.0f calls/s  (baseline)\n", "C++ extension, same mapping", native.us_per_call,
              native.calls_per_second);
  std::printf("  %-44s %9.2f us/call  %10.0f calls/s  %6.1fx baseline\n", "Lua, empty on_prefill",
              lua_empty.us_per_call, lua_empty.calls_per_second, lua_empty.us_per_call / native.us_per_call);
  std::printf("  %-44s %9.2f us/call  %10.0f calls/s  %6.1fx baseline\n", "Lua, mapping on_prefill", lua_map.us_per_call,
              lua_map.calls_per_second, lua_map.us_per_call / native.us_per_call);
  std::printf("  %-44s %9.2f us/call  %10.0f calls/s  (%u threads, one application: pool of 4 states)\n",
              "Lua, mapping on_prefill, concurrent", lua_map_mt.us_per_call, lua_map_mt.calls_per_second, cores);
  std::printf("  the script's own cost over C++: %.2f us per call\n", lua_map.us_per_call - native.us_per_call);
  std::error_code ec;
  fs::remove_all(dir, ec);
  return 0;
}
