// The example plugin of docs/PLUGINS.md: everything a department plugin can
// declare, in the smallest useful form. Built in-tree with the four department
// plugins, and out of tree by tests/plugins against the installed ZhaoyinSDK.
#include <optional>
#include <string>

#include <zhaoyin/plugin.hpp>

#ifndef EXAMPLE_PLUGIN_VERSION
#define EXAMPLE_PLUGIN_VERSION "1.0.0"
#endif

using zhaoyin::sdk::json;

class ExamplePlugin final : public zhaoyin::sdk::Plugin {
 public:
  zhaoyin::sdk::Info info() const override { return {"example", "示例插件", EXAMPLE_PLUGIN_VERSION, "示例部门"}; }

  json matters() const override {
    return json::array({{{"path", "电子政务/示例/示例事项"}, {"name", "示例事项"}}});
  }

  json forms() const override {
    return json::array({{{"id", "example.contact"},
                         {"title", "示例联系表"},
                         {"fields", json::array({{{"key", "name"}, {"label", "单位名称"}, {"required", true}},
                                                 {{"key", "contact"}, {"label", "联系人"}, {"required", true}}})}}});
  }

  json config_schema() const override {
    return json::array({{{"key", "blocked_uscc"}, {"label", "拒绝的统一社会信用代码"}, {"type", "string_list"},
                         {"default", json::array()}}});
  }

  void configure(const json& config) override { blocked_ = config.value("blocked_uscc", json::array()); }

  // Refuses the enterprises the operator listed in blocked_uscc.
  zhaoyin::sdk::Decision on_flow(const json& event) override {
    const std::string uscc =
        zhaoyin::sdk::text_at(zhaoyin::sdk::object_at(zhaoyin::sdk::object_at(event, "subject"), "face_info"), "uscc");
    for (const auto& b : blocked_)
      if (b == uscc) return zhaoyin::sdk::Decision::refuse("示例插件拒绝 " + uscc);
    return zhaoyin::sdk::Decision::allow();
  }

  std::optional<zhaoyin::sdk::Fill> fill_form(const std::string& form_id, const json& event) override {
    if (form_id != "example.contact") return std::nullopt;
    const auto& subject = zhaoyin::sdk::object_at(event, "subject");
    zhaoyin::sdk::Fill fill;
    fill.values = {{"name", zhaoyin::sdk::text_at(zhaoyin::sdk::object_at(subject, "face_info"), "name")},
                   {"contact", zhaoyin::sdk::text_at(zhaoyin::sdk::object_at(subject, "holder"), "name")},
                   {"plugin_version", EXAMPLE_PLUGIN_VERSION}};
    return fill;
  }

 private:
  json blocked_ = json::array();
};

ZHAOYIN_PLUGIN(ExamplePlugin)
