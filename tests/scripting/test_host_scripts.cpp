// The demo applications run through their scripts on a real zhaoyin-host
// (--set scripts.dir=<a copy of scripts/>, no department plugins so that the
// scripts' own decisions are what the caller sees): prefill mapped onto the
// e-tax hall's names, presentations refused by script rules, a script error
// as a 4xx naming script and line while the host keeps serving, hot reload,
// and the admin API.
#include <catch2/catch.hpp>
#include <atomic>
#include <thread>
#include <host_fixture.h>
#include <host_process.h>
#include <sandbox_fixture.h>

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

nlohmann::json sandbox_app(const fs::path& sandbox, const std::string& department) {
  const auto doc = read_json(sandbox / "sandbox.json");
  for (const auto& a : doc["applications"])
    if (a["department"] == department) return a;
  throw std::runtime_error("no sandbox application " + department);
}

std::string error_code(const HttpResult& r) {
  try {
    return r.json()["error"]["code"].get<std::string>();
  } catch (const std::exception&) {
    return "<no error code in: " + r.body + ">";
  }
}

std::string error_message(const HttpResult& r) {
  try {
    return r.json()["error"]["message"].get<std::string>();
  } catch (const std::exception&) {
    return r.body;
  }
}

class ScriptedHost {
 public:
  // `extra`: more command-line arguments (e.g. --set scripts.*=...).
  explicit ScriptedHost(const std::vector<std::string>& extra = {}) : sandbox_(shared_sandbox()) {
    fs::copy(source_dir() + "/scripts", scripts(), fs::copy_options::recursive);
    fs::create_directories(dir_.path() / "no-plugins");
    std::vector<std::string> args{"--data", (dir_.path() / "data").string(), "--sandbox", sandbox_.string(),
                                  "--set", "scripts.dir=" + scripts().string(), "--set",
                                  "plugins.dir=" + (dir_.path() / "no-plugins").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    host_ = std::make_unique<HostProcess>(dir_.path(), args);
    if (!host_->ready()) throw std::runtime_error("zhaoyin-host did not start:\n" + host_->log());
    operator_token_ = read_file(sandbox_ / "admin" / "operator-token");
    while (!operator_token_.empty() && std::isspace(static_cast<unsigned char>(operator_token_.back())))
      operator_token_.pop_back();
  }

  fs::path scripts() const { return dir_.path() / "scripts"; }
  const fs::path& sandbox() const { return sandbox_; }
  std::string log() const { return host_->log(); }
  // SIGTERM, then waits for the host to exit; its exit status.
  int stop() { return host_->stop(); }

  std::string token(const std::string& department) {
    if (auto it = tokens_.find(department); it != tokens_.end()) return it->second;
    const auto app = sandbox_app(sandbox_, department);
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

  HttpResult api(const std::string& method, const std::string& path, const std::string& bearer,
                 const std::string& body = "") {
    HttpCall call;
    call.method = method;
    call.path = path;
    if (!bearer.empty()) call.headers = {{"Authorization", "Bearer " + bearer}};
    if (!body.empty()) {
      call.content_type = "application/json";
      call.body = body;
    }
    return http_call(port(), call);
  }

  // A one-time code from `zhaoyin-wallet present` for a sandbox wallet.
  std::string code_of(const std::string& stem) {
    const auto doc = read_json(sandbox_ / "sandbox.json");
    for (const auto& w : doc["wallets"]) {
      if (w["path"] != "wallets/" + stem + ".wallet.json") continue;
      const auto r = run_command(quote(bin("zhaoyin-wallet")) + " --wallet " +
                                 quote((sandbox_ / w["path"].get<std::string>()).string()) + " --password " +
                                 quote(w["password"].get<std::string>()) + " present 2>/dev/null");
      if (r.exit_code != 0) throw std::runtime_error("zhaoyin-wallet present failed: " + r.output);
      std::string code = r.output;
      while (!code.empty() && std::isspace(static_cast<unsigned char>(code.back()))) code.pop_back();
      return code.substr(code.rfind('\n') + 1);
    }
    throw std::runtime_error("no sandbox wallet " + stem);
  }

  HttpResult present(const std::string& department, const std::string& stem) {
    return api("POST", "/api/v1/presentations", token(department), nlohmann::json{{"code", code_of(stem)}}.dump());
  }

  HttpResult admin(const std::string& method, const std::string& path, const std::string& body = "") {
    return api(method, path, operator_token_, body);
  }

  HttpResult healthz() {
    HttpCall call;
    call.path = "/healthz";
    return http_call(port(), call);
  }

 private:
  std::uint16_t port() const { return static_cast<std::uint16_t>(host_->port()); }
  TempDir dir_{"zhaoyin-scripting-host"};
  fs::path sandbox_;
  std::unique_ptr<HostProcess> host_;
  std::string operator_token_;
  std::map<std::string, std::string> tokens_;
};

ScriptedHost& shared_host() {
  static ScriptedHost host;
  return host;
}

nlohmann::json field(const nlohmann::json& prefill, const std::string& key) {
  for (const auto& f : prefill["fields"])
    if (f["key"] == key) return f;
  return nullptr;
}

}  // namespace

TEST_CASE("the tax script maps the generic form onto the e-tax hall's own field names") {
  auto& host = shared_host();
  const auto presented = host.present("tax", "91420100YULA38GUXF-1");
  INFO(presented.body);
  REQUIRE(presented.status == 201);
  const std::string archive = presented.json()["archive_id"];

  const auto r = host.api("POST", "/api/v1/forms/generic/prefill", host.token("tax"),
                          nlohmann::json{{"subject_ref", archive}}.dump());
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto j = r.json();
  CHECK(j["values"]["nsrsbh"] == "91420100YULA38GUXF");
  CHECK(j["values"]["nsrmc"] == j["values"]["name"]);
  CHECK(j["values"]["fddbrxm"] == j["values"]["legal_representative"]);
  CHECK(j["values"]["sfyzfs"] == "电子营业执照（archive）");
  CHECK(field(j, "nsrsbh")["label"] == "纳税人识别号");
  CHECK(field(j, "fddbrxm")["label"] == "法定代表人姓名");
  CHECK(field(j, "sfyzfs")["label"] == "身份验证方式");
  CHECK(j["filled_by"] == nlohmann::json{"builtin", "script:tax/etax_hall.lua"});
}

TEST_CASE("the banking script refuses a branch (refused_by_script) and an agent without the matter") {
  auto& host = shared_host();
  auto r = host.present("banking", "914401009B874JH84T-1");
  INFO(r.body);
  CHECK(r.status == 403);
  CHECK(error_code(r) == "refused_by_script");
  CHECK(error_message(r).find("script:banking/corporate_banking.lua") != std::string::npos);
  CHECK(error_message(r).find("分支机构") != std::string::npos);

  r = host.present("banking", "91420100YULA38GUXF-3");  // 办事人，精准授权（发票申领、参保登记）
  INFO(r.body);
  CHECK(r.status == 403);
  CHECK(error_code(r) == "matter_not_covered");
  CHECK(error_message(r).find("电子商务/银行/对公开户") != std::string::npos);

  r = host.present("banking", "91420100YULA38GUXF-1");  // the legal representative
  INFO(r.body);
  CHECK(r.status == 201);
}

TEST_CASE("admin API: listing, operator token, bindings") {
  auto& host = shared_host();
  auto r = host.api("GET", "/api/v1/admin/scripts", "");
  CHECK(r.status == 401);
  CHECK(error_code(r) == "invalid_token");
  r = host.api("GET", "/api/v1/admin/scripts", "not-the-token");
  CHECK(r.status == 401);

  r = host.admin("GET", "/api/v1/admin/scripts");
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto j = r.json();
  CHECK(j["enabled"] == true);
  const auto tax_client = sandbox_app(host.sandbox(), "tax")["client_id"];
  bool found = false;
  for (const auto& s : j["scripts"]) {
    if (s["path"] != "tax/etax_hall.lua") continue;
    found = true;
    CHECK(s["loaded"] == true);
    CHECK(s["applications"] == nlohmann::json{tax_client});
    CHECK(s["version"]["loaded_at"].is_string());
  }
  CHECK(found);

  const std::string si = sandbox_app(host.sandbox(), "social_insurance")["client_id"];
  r = host.admin("PUT", "/api/v1/admin/applications/" + si + "/scripts", R"({"scripts":["../../etc/passwd.lua"]})");
  CHECK(r.status == 400);
  CHECK(error_code(r) == "invalid_script_path");
  r = host.admin("PUT", "/api/v1/admin/applications/" + si + "/scripts", R"({"scripts":["tax/nope.lua"]})");
  CHECK(r.status == 422);
  CHECK(error_code(r) == "script_not_found");
  // A symbolic link out of scripts.dir is refused, whatever it points at.
  write_file(host.scripts().parent_path() / "outside.lua", "function on_presentation_verified(e) end\n");
  fs::create_symlink(host.scripts().parent_path() / "outside.lua", host.scripts() / "tax" / "escape.lua");
  r = host.admin("PUT", "/api/v1/admin/applications/" + si + "/scripts", R"({"scripts":["tax/escape.lua"]})");
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(error_code(r) == "script_outside_scripts_dir");
  CHECK(error_message(r).find("tax/escape.lua leads outside scripts.dir") != std::string::npos);
  r = host.admin("PUT", "/api/v1/admin/applications/sbx-nobody/scripts", R"({"scripts":["tax/etax_hall.lua"]})");
  CHECK(r.status == 404);
  CHECK(error_code(r) == "unknown_application");
  r = host.api("PUT", "/api/v1/admin/applications/" + si + "/scripts", host.token("tax"), R"({"scripts":[]})");
  CHECK(r.status == 401);  // an application's token is not the operator's
}

TEST_CASE("a runaway script and a script error refuse one flow with a 4xx naming script and line, the host keeps serving") {
  auto& host = shared_host();
  const std::string si = sandbox_app(host.sandbox(), "social_insurance")["client_id"];
  fs::create_directories(host.scripts() / "social_insurance");
  write_file(host.scripts() / "social_insurance" / "runaway.lua",
             "function on_presentation_verified(e)\n  while true do end\nend\n");
  auto r = host.admin("PUT", "/api/v1/admin/applications/" + si + "/scripts",
                      R"({"scripts":["social_insurance/runaway.lua"]})");
  INFO(r.body);
  REQUIRE(r.status == 200);

  r = host.present("social_insurance", "91410100QED6JLT722-1");
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(error_code(r) == "script_failed");
  CHECK(error_message(r).find("social_insurance/runaway.lua:2: instruction budget exceeded") != std::string::npos);
  CHECK(host.healthz().status == 200);

  write_file(host.scripts() / "social_insurance" / "runaway.lua",
             "function on_presentation_verified(e)\n  local s = ('x'):rep(1 << 20) while true do s = s .. s end\nend\n");
  r = host.present("social_insurance", "91410100QED6JLT722-1");
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(error_message(r).find("social_insurance/runaway.lua:2: memory limit exceeded") != std::string::npos);

  write_file(host.scripts() / "social_insurance" / "runaway.lua",
             "function on_presentation_verified(e)\n  local x = e.detail.nothing\n  return x.field\nend\n");
  r = host.present("social_insurance", "91410100QED6JLT722-1");
  CHECK(r.status == 422);
  CHECK(error_message(r).find("social_insurance/runaway.lua:3: attempt to index a nil value") != std::string::npos);
  CHECK(host.log().find("\"msg\":\"script failed\"") != std::string::npos);

  // Back to the demo script.
  r = host.admin("PUT", "/api/v1/admin/applications/" + si + "/scripts",
                 R"({"scripts":["social_insurance/online_service.lua"]})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  r = host.present("social_insurance", "91410100QED6JLT722-1");
  INFO(r.body);
  CHECK(r.status == 201);
}

TEST_CASE("hot reload on the running host: an edit applies at once, a broken edit keeps the old version") {
  auto& host = shared_host();
  const auto file = host.scripts() / "real_estate" / "registration_hall.lua";
  const std::string original = read_file(file);
  auto r = host.present("real_estate", "914401009B874JH84T-1");  // 广东 branch, 长期
  INFO(r.body);
  REQUIRE(r.status == 201);

  write_file(file, original + "\nfunction on_presentation_verified(e)\n  zhaoyin.refuse('今日暂停受理 (closed today)')\nend\n");
  r = host.present("real_estate", "914401009B874JH84T-1");
  CHECK(r.status == 403);
  CHECK(error_code(r) == "refused_by_script");
  CHECK(error_message(r).find("今日暂停受理") != std::string::npos);

  write_file(file, original + "\nfunction on_presentation_verified(e)\n  zhaoyin.refuse('x'\nend\n");  // does not compile
  r = host.present("real_estate", "914401009B874JH84T-1");
  CHECK(r.status == 403);
  CHECK(error_message(r).find("今日暂停受理") != std::string::npos);  // the previous version still runs

  r = host.admin("GET", "/api/v1/admin/scripts");
  REQUIRE(r.status == 200);
  bool reported = false;
  const auto listing = r.json();
  for (const auto& s : listing["scripts"])
    if (s["path"] == "real_estate/registration_hall.lua" && s["last_error"].is_object())
      reported = s["last_error"]["message"].get<std::string>().find("real_estate/registration_hall.lua:") != std::string::npos;
  CHECK(reported);
  CHECK(host.log().find("\"msg\":\"script not loaded\"") != std::string::npos);

  r = host.admin("POST", "/api/v1/admin/scripts/reload");
  CHECK(r.status == 200);

  write_file(file, original);
  r = host.present("real_estate", "914401009B874JH84T-1");
  INFO(r.body);
  CHECK(r.status == 201);
}

TEST_CASE("SIGTERM stops the host while a script is inside a pattern that would run for hours") {
  // Neither the budget nor the deadline can stop this script first: only the shutdown can.
  ScriptedHost host({"--set", "scripts.instructions_per_call=1000000000000", "--set", "scripts.time_per_call_ms=3600000"});
  const std::string si = sandbox_app(host.sandbox(), "social_insurance")["client_id"];
  write_file(host.scripts() / "social_insurance" / "stuck.lua",
             "function on_presentation_verified(e)\n"
             "  local s = string.rep('a', 1e5)\n"
             "  print('pattern started')\n"
             "  return s:find('.-.-.-.-.-.-.-.-b') == nil\n"
             "end\n");
  auto r = host.admin("PUT", "/api/v1/admin/applications/" + si + "/scripts", R"({"scripts":["social_insurance/stuck.lua"]})");
  INFO(r.body);
  REQUIRE(r.status == 200);
  r = host.admin("GET", "/api/v1/admin/scripts");
  REQUIRE(r.status == 200);
  CHECK(r.json()["limits"]["instructions_per_call"] == 1'000'000'000'000);  // the scripts.* keys are in force
  CHECK(r.json()["limits"]["time_per_call_ms"] == 3'600'000);
  CHECK(r.json()["limits"]["string_bytes"] == 4 * 1024 * 1024);

  HttpResult presented;
  std::string failure;
  std::atomic<bool> answered{false};
  std::thread request([&] {
    try {
      presented = host.present("social_insurance", "91410100QED6JLT722-1");
    } catch (const std::exception& e) {
      failure = e.what();
    }
    answered = true;
  });
  while (!answered && host.log().find("script: pattern started") == std::string::npos)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const bool started = !answered || host.log().find("script: pattern started") != std::string::npos;
  const int status = host.stop();
  request.join();
  INFO(host.log());
  REQUIRE(started);
  CHECK(status == 0);
  INFO(failure << presented.body);
  CHECK(presented.status == 422);
  CHECK(error_code(presented) == "script_failed");
  CHECK(error_message(presented).find("social_insurance/stuck.lua:4: stopped: the host is shutting down") !=
        std::string::npos);
}
