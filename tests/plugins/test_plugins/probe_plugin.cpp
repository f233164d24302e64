// "probe": a test plugin whose behaviour the test picks through its
// configuration, to show how the host contains every way a plugin can go
// wrong. Built twice (PROBE_VERSION "1" and "2") for the hot-reload test.
//   mode: allow | refuse | throw | garbage | unknown_decision | no_decision | bad_requirements
//   fill: ok | throw | garbage | not_text
//   delay_ms: on_flow sleeps this long first (logging "on_flow started")
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <zhaoyin/plugin.hpp>

#ifndef PROBE_VERSION
#define PROBE_VERSION "1"
#endif

using zhaoyin::sdk::json;

namespace {

// Replies that do not come from a Decision: the raw text a broken plugin returns.
thread_local const char* raw_reply = nullptr;

class Probe final : public zhaoyin::sdk::Plugin {
 public:
  zhaoyin::sdk::Info info() const override { return {"probe", "探针", PROBE_VERSION, "测试"}; }
  json forms() const override {
    return json::array({{{"id", "probe.form"},
                         {"title", "探针表"},
                         {"fields", json::array({{{"key", "name"}, {"label", "名称"}}})}}});
  }
  json config_schema() const override {
    return json::array({{{"key", "mode"}, {"label", "行为"}, {"type", "string"}, {"default", "allow"}},
                        {{"key", "fill"}, {"label", "填表"}, {"type", "string"}, {"default", "ok"}},
                        {{"key", "delay_ms"}, {"label", "延迟"}, {"type", "integer"}, {"default", 0}}});
  }
  void configure(const json& c) override {
    if (c.value("mode", "allow") == "reject_config") throw std::invalid_argument("probe does not accept this mode");
    config_ = c;
  }
  zhaoyin::sdk::Decision on_flow(const json& event) override {
    const std::string point = event.value("point", "");
    if (point == "form_prefill" && config_.value("fill", "ok") != "ok") return zhaoyin::sdk::Decision::allow();
    if (const auto delay = config_.value("delay_ms", 0); delay > 0) {
      host().info("on_flow started");
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    }
    const std::string mode = config_.value("mode", "allow");
    if (mode == "refuse") return zhaoyin::sdk::Decision::refuse("探针 v" PROBE_VERSION " 拒绝");
    if (mode == "throw") throw std::runtime_error("probe exploded");
    if (mode == "bad_requirements") {
      auto d = zhaoyin::sdk::Decision::allow();
      d.requirements = {{"seal_types", "company"}};
      return d;
    }
    if (mode == "garbage") raw_reply = "this is {not json";
    if (mode == "unknown_decision") raw_reply = R"({"decision":"maybe"})";
    if (mode == "no_decision") raw_reply = R"([1,2,3])";
    return zhaoyin::sdk::Decision::allow();
  }
  std::optional<zhaoyin::sdk::Fill> fill_form(const std::string& form_id, const json& event) override {
    if (form_id != "probe.form") return std::nullopt;
    const std::string fill = config_.value("fill", "ok");
    if (fill == "throw") throw std::runtime_error("probe cannot fill");
    if (fill == "garbage") raw_reply = "<<garbage>>";
    if (fill == "not_text") raw_reply = R"({"values":{"name":{"nested":true}}})";
    zhaoyin::sdk::Fill f;
    f.values["name"] = event["subject"]["face_info"].value("name", "");
    return f;
  }

 private:
  json config_ = json::object();
};

}  // namespace

// The wrapper's entry points, with the broken replies swapped in afterwards.
namespace {
zhaoyin_status (*wrapped_flow)(void*, const char*, char**) = nullptr;
zhaoyin_status (*wrapped_fill)(void*, const char*, const char*, char**) = nullptr;
void (*wrapped_free)(void*, char*) = nullptr;

void replace(char** out) {
  if (!raw_reply) return;
  if (*out) wrapped_free(nullptr, *out);
  *out = static_cast<char*>(std::malloc(std::strlen(raw_reply) + 1));
  std::strcpy(*out, raw_reply);
  raw_reply = nullptr;
}
zhaoyin_status probe_flow(void* instance, const char* event, char** out) {
  raw_reply = nullptr;
  const zhaoyin_status s = wrapped_flow(instance, event, out);
  replace(out);
  return s;
}
zhaoyin_status probe_fill(void* instance, const char* form, const char* event, char** out) {
  raw_reply = nullptr;
  const zhaoyin_status s = wrapped_fill(instance, form, event, out);
  replace(out);
  return s;
}
}  // namespace

extern "C" ZHAOYIN_PLUGIN_EXPORT uint32_t zhaoyin_plugin_abi_version(void) { return ZHAOYIN_PLUGIN_ABI_VERSION; }
extern "C" ZHAOYIN_PLUGIN_EXPORT zhaoyin_status zhaoyin_plugin_init(const zhaoyin_host_api* host, size_t host_size,
                                                                     zhaoyin_plugin_def* def, size_t def_size) {
  const zhaoyin_status s = zhaoyin::sdk::Adapter<Probe>::init(host, host_size, def, def_size);
  if (s != ZHAOYIN_STATUS_OK) return s;
  wrapped_flow = def->on_flow;
  wrapped_fill = def->on_fill_form;
  wrapped_free = def->free_result;
  def->on_flow = &probe_flow;
  def->on_fill_form = &probe_fill;
  return s;
}
