#pragma once
// A real zhaoyin-host on a sandbox with a chosen plugins folder, with helpers
// for the application API (client tokens) and the admin API (operator token).
// Presentation codes are made as in tests/presentation (presentation_fixture.h).
#include <presentation_fixture.h>

namespace zhaoyin::test {

class PluginHost {
 public:
  // plugins_dir empty: the host's default folder (<bin>/../lib/zhaoyin/plugins).
  PluginHost(const fs::path& workdir, const fs::path& sandbox, const std::string& plugins_dir = "")
      : sandbox_(sandbox), data_(workdir / "data") {
    std::vector<std::string> args = {"--data", data_.string(), "--sandbox", sandbox_.string()};
    if (!plugins_dir.empty()) args.push_back("--set=plugins.dir=" + plugins_dir);
    host_ = std::make_unique<HostProcess>(workdir, args);
    if (!host_->ready()) throw std::runtime_error("zhaoyin-host did not start:\n" + host_->log());
    operator_token_ = read_file(sandbox_ / "admin" / "operator-token");
    while (!operator_token_.empty() && (operator_token_.back() == '\n' || operator_token_.back() == '\r'))
      operator_token_.pop_back();
  }

  std::uint16_t port() const { return static_cast<std::uint16_t>(host_->port()); }
  std::string log() const { return host_->log(); }
  const fs::path& sandbox() const { return sandbox_; }

  std::string client_id(const std::string& department) const {
    return sandbox_application(sandbox_, department)["client_id"];
  }

  std::string token(const std::string& department) {
    if (auto it = tokens_.find(department); it != tokens_.end()) return it->second;
    const auto app = sandbox_application(sandbox_, department);
    HttpCall call;
    call.method = "POST";
    call.path = "/oauth/token";
    call.content_type = "application/x-www-form-urlencoded";
    call.body = "grant_type=client_credentials&client_id=" + app["client_id"].get<std::string>() +
                "&client_secret=" + app["client_secret"].get<std::string>();
    const auto r = http_call(port(), call);
    if (r.status != 200) throw std::runtime_error("token request failed: " + r.body);
    return tokens_[department] = r.json()["access_token"].get<std::string>();
  }

  HttpResult api(const std::string& method, const std::string& path, const std::string& department,
                 const nlohmann::json& body = nullptr) {
    return call(method, path, "Bearer " + token(department), body);
  }

  HttpResult admin(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) {
    return call(method, path, "Bearer " + operator_token_, body);
  }

  HttpResult call(const std::string& method, const std::string& path, const std::string& authorization,
                  const nlohmann::json& body = nullptr) {
    HttpCall c;
    c.method = method;
    c.path = path;
    if (!authorization.empty()) c.headers = {{"Authorization", authorization}};
    if (!body.is_null()) {
      c.content_type = "application/json";
      c.body = body.dump();
    }
    return http_call(port(), c);
  }

  // A presentation of the wallet `stem` to the department's application.
  HttpResult present(const std::string& department, const std::string& stem,
                     const std::optional<std::string>& matter = std::nullopt) {
    nlohmann::json body = {{"code", fresh_code(sandbox_wallet(sandbox_, stem))}};
    if (matter) body["matter"] = *matter;
    return api("POST", "/api/v1/presentations", department, body);
  }

  // Presents, then prefills `form_id` from the archive.
  HttpResult prefill(const std::string& department, const std::string& stem, const std::string& form_id) {
    const auto p = present(department, stem);
    if (p.status != 201) throw std::runtime_error("presentation refused: " + p.body);
    return api("POST", "/api/v1/forms/" + form_id + "/prefill", department,
               {{"subject_ref", p.json()["archive_id"].get<std::string>()}});
  }

  // Which plugins the department's application runs (admin API).
  void bind(const std::string& department, const std::vector<std::string>& plugin_ids) {
    const auto r = admin("PUT", "/api/v1/admin/applications/" + client_id(department) + "/plugins",
                         {{"plugins", plugin_ids}});
    if (r.status != 200) throw std::runtime_error("binding plugins failed: " + r.body);
  }

  void configure(const std::string& plugin_id, const nlohmann::json& values) {
    const auto r = admin("PUT", "/api/v1/admin/plugins/" + plugin_id + "/config", values);
    if (r.status != 200) throw std::runtime_error("configuring " + plugin_id + " failed: " + r.body);
  }

 private:
  fs::path sandbox_;
  fs::path data_;
  std::unique_ptr<HostProcess> host_;
  std::string operator_token_;
  std::map<std::string, std::string> tokens_;
};

// The values of a prefill answer, key -> value.
inline nlohmann::json values_of(const HttpResult& r) { return r.json()["values"]; }

}  // namespace zhaoyin::test
