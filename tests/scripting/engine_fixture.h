#pragma once
// Drives the script engine directly: scripts written into a temporary
// scripts folder, bindings from a map, FlowEvents built here. No host, no
// store: what the flows would pass to flow::Extensions.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <test_support.h>
#include <zhaoyin/flow/extensions.h>
#include <zhaoyin/scripting/script_engine.h>

namespace zhaoyin::test {

// A verified subject as VerifiedSubject::to_json makes it (the fields scripts use).
inline nlohmann::json sample_subject(const std::string& uscc = "91420100YULA38GUXF", const std::string& role = "agent",
                                     nlohmann::json matters = {"电子政务/税务/发票申领"}) {
  const bool legal = role == "legal_representative";
  return {{"license_serial", "54B466C0B96861E81F97A48E6C65FC3B"},
          {"face_info",
           {{"uscc", uscc},
            {"name", "武汉长江云数科技有限公司（沙箱）"},
            {"type", "有限责任公司(自然人投资或控股)"},
            {"kind", "limited_company"},
            {"legal_representative", "张志伟"},
            {"registered_capital", "1000万元人民币"},
            {"established", "2016-03-18"},
            {"term_from", "2016-03-18"},
            {"term_to", ""},
            {"term_to_text", "长期"},
            {"address", "湖北省武汉市东湖新技术开发区光谷大道77号"},
            {"business_scope", "软件开发；信息技术咨询服务"},
            {"registration_authority", "武汉东湖新技术开发区市场监督管理局"},
            {"approval_date", "2023-06-01"},
            {"status", "active"},
            {"status_label", "存续"},
            {"labels", {{"uscc", "统一社会信用代码"}, {"legal_representative", "法定代表人"}, {"address", "住所"}}}}},
          {"holder",
           {{"name", legal ? "张志伟" : "王强"},
            {"role", role},
            {"role_label", legal ? "法定代表人" : "办事人"},
            {"authorisation",
             {{"scope", legal ? "full" : "precise"},
              {"matters", legal ? nlohmann::json::array() : matters},
              {"valid_from", "2026-01-01T00:00:00Z"},
              {"valid_to", "2027-12-31T00:00:00Z"}}}}},
          {"checks", nlohmann::json::array()},
          {"verified_at", "2026-11-23T08:00:00Z"}};
}

inline flow::FlowEvent make_event(flow::FlowPoint point, const std::string& client_id,
                                  nlohmann::json subject = sample_subject(), nlohmann::json detail = nlohmann::json::object()) {
  flow::FlowEvent e;
  e.point = point;
  e.client_id = client_id;
  e.application = {{"client_id", client_id}, {"name", "测试应用 " + client_id}, {"department", "tax"},
                   {"scope", "province"},    {"province", "42"},               {"needs", {"presentation"}},
                   {"channels", {"pc"}},     {"matters", {"电子政务/税务"}}};
  e.subject = std::move(subject);
  e.detail = detail.is_object() ? std::move(detail) : nlohmann::json::object();
  return e;
}

class EngineFixture {
 public:
  explicit EngineFixture(scripting::EngineLimits limits = small_limits(), std::shared_ptr<http::JsonLog> log = nullptr)
      : dir_("zhaoyin-scripting"), extensions_(std::make_shared<flow::Extensions>()) {
    scripting::ScriptBindings b;
    b.scripts_of = [this](const std::string& client) {
      auto it = bindings_.find(client);
      return it == bindings_.end() ? std::vector<std::string>{} : it->second;
    };
    b.all = [this] {
      std::vector<std::pair<std::string, std::string>> out;
      for (const auto& [client, paths] : bindings_)
        for (const auto& p : paths) out.emplace_back(client, p);
      return out;
    };
    engine_ = std::make_shared<scripting::ScriptEngine>(scripts(), b, limits, std::move(log), extensions_);
    extensions_->add_source(engine_);
  }

  static scripting::EngineLimits small_limits() {
    scripting::EngineLimits l;
    l.instructions_per_call = 2'000'000;
    l.time_per_call_ms = 3'600'000;  // tests assert which limit stopped a script, never the clock
    l.memory_bytes = 8u * 1024 * 1024;
    l.states_per_application = 2;
    return l;
  }

  fs::path scripts() const { return dir_.path() / "scripts"; }

  // Writes scripts/<path> and binds it (alone) to `client`.
  void script(const std::string& path, const std::string& text, const std::string& client = "app-a") {
    write(path, text);
    bindings_[client] = {path};
  }
  void write(const std::string& path, const std::string& text) {
    fs::create_directories((scripts() / path).parent_path());
    write_file(scripts() / path, text);
  }
  // Copies the repository's scripts/ (the demo scripts) into the scripts folder.
  void copy_repo_scripts() {
    fs::create_directories(scripts());
    fs::copy(source_dir() + "/scripts", scripts(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  }
  void bind(const std::string& client, std::vector<std::string> paths) { bindings_[client] = std::move(paths); }

  flow::Decision check(const flow::FlowEvent& e) { return extensions_->check(e); }
  flow::Decision present(const std::string& client = "app-a", nlohmann::json subject = sample_subject()) {
    return check(make_event(flow::FlowPoint::presentation_verified, client, std::move(subject), {{"matter", nullptr}}));
  }

  scripting::ScriptEngine& engine() { return *engine_; }
  flow::Extensions& extensions() { return *extensions_; }
  std::shared_ptr<flow::Extensions> extensions_ptr() { return extensions_; }

 private:
  TempDir dir_;
  std::map<std::string, std::vector<std::string>> bindings_;
  std::shared_ptr<flow::Extensions> extensions_;
  std::shared_ptr<scripting::ScriptEngine> engine_;
};

}  // namespace zhaoyin::test
