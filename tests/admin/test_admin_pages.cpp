// The staff pages on a real zhaoyin-host with the sandbox: sign-in, throttling (no lockout),
// the session cookie, sign-out, access by role, CSRF refusals, the operator's
// plugin configuration form, escaping, and `zhaoyin admin create-user`.
#include <catch2/catch.hpp>
#include <host_process.h>
#include <sandbox_fixture.h>

#include "admin_client.h"

using namespace zhaoyin::test;
using nlohmann::json;

namespace {

const char* kXssName = "<script>alert(1)</script>";

std::string sandbox_password(const std::string& username) {
  const auto staff = read_json(shared_sandbox() / "admin" / "staff.json");
  for (const auto& a : staff["accounts"])
    if (a["username"] == username) return a["password"];
  throw std::runtime_error("no sandbox account " + username);
}

CommandResult create_user(const fs::path& data, const std::string& username, const std::string& role,
                          const std::string& password, const std::string& display_name = "") {
  std::string cmd = quote(bin("zhaoyin")) + " admin create-user --data " + quote(data.string()) + " --username " +
                    quote(username) + " --role " + quote(role) + " --password-stdin";
  if (!display_name.empty()) cmd += " --display-name " + quote(display_name);
  return run_command("printf '%s\\n' " + quote(password) + " | " + cmd);
}

// One host for the file: its store already holds two accounts made with the
// CLI (one for a guesser to work on, one with markup in its display name).
struct AdminHost {
  TempDir dir{"zhaoyin-admin-pages"};
  fs::path data = dir.path() / "data";
  std::unique_ptr<HostProcess> host;
  AdminHost() {
    for (const auto& [user, role, name] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"lockme", "reviewer", "Lock Me"}, {"xss", "applicant", kXssName}}) {
      const auto r = create_user(data, user, role, "correct-horse-" + user, name);
      if (r.exit_code != 0) throw std::runtime_error("create-user failed: " + r.output);
    }
    // A first throttling delay of an hour: no outcome depends on how fast the test runs.
    host = std::make_unique<HostProcess>(dir.path(), std::vector<std::string>{"--data", data.string(), "--sandbox",
                                                                              shared_sandbox().string(), "--set",
                                                                              "throttle.base_delay_seconds=3600",
                                                                              "--set", "throttle.max_delay_seconds=7200",
                                                                              "--set", "throttle.forget_after_seconds=7200"});
    if (!host->ready()) throw std::runtime_error("zhaoyin-host did not start:\n" + host->log());
  }
  AdminClient client() const { return AdminClient(host->port()); }
};

AdminHost& admin_host() {
  static AdminHost host;
  return host;
}

AdminClient signed_in(const std::string& username) {
  auto c = admin_host().client();
  const auto r = c.sign_in(username, sandbox_password(username));
  INFO(r.body);
  REQUIRE(r.status == 303);
  return c;
}

std::string input_value(const std::string& page, const std::string& name) {
  const std::string marker = "name=\"" + name + "\" value=\"";
  const auto at = page.find(marker);
  if (at == std::string::npos) return "<missing>";
  return page.substr(at + marker.size(), page.find('"', at + marker.size()) - at - marker.size());
}

}  // namespace

TEST_CASE("the sandbox's staff accounts sign in and land on their role's home page", "[admin]") {
  auto c = admin_host().client();
  const auto r = c.sign_in("operator", sandbox_password("operator"));
  REQUIRE(r.status == 303);
  CHECK(r.location == "/admin/");
  const auto home = c.get("/admin/");
  REQUIRE(home.status == 200);
  CHECK(home.content_type.find("text/html") == 0);
  CHECK_THAT(home.body, Catch::Contains("照印 · 管理") && Catch::Contains("演示运维管理员") &&
                            Catch::Contains("运维管理员") && Catch::Contains("/admin/plugins") &&
                            Catch::Contains("Sandbox"));
  // An applicant's navigation has no operator pages.
  const auto applicant = signed_in("applicant").get("/admin/");
  REQUIRE(applicant.status == 200);
  CHECK_THAT(applicant.body, Catch::Contains("我的申请") && !Catch::Contains("href=\"/admin/audit\""));
}

TEST_CASE("the session cookie is HttpOnly, SameSite=Strict, scoped to /admin", "[admin]") {
  auto c = admin_host().client();
  const auto r = c.sign_in("reviewer", sandbox_password("reviewer"));
  REQUIRE(r.status == 303);
  REQUIRE(r.set_cookies.size() == 1);
  const std::string& cookie = r.set_cookies[0];
  CHECK(cookie.rfind("zhaoyin_staff=", 0) == 0);
  CHECK_THAT(cookie, Catch::Contains("HttpOnly") && Catch::Contains("SameSite=Strict") &&
                         Catch::Contains("Path=/admin") && !Catch::Contains("Secure"));
  CHECK(c.cookie().size() >= 40);  // 256 random bits
}

TEST_CASE("a wrong password is refused with 401 invalid_credentials on the sign-in page", "[admin]") {
  auto c = admin_host().client();
  const auto wrong = c.sign_in("operator", "not-the-password");
  CHECK(wrong.status == 401);
  CHECK(wrong.error_code() == "invalid_credentials");
  CHECK(wrong.set_cookies.empty());
  const auto unknown = c.sign_in("nobody-here", "whatever-password");
  CHECK(unknown.status == 401);
  CHECK(unknown.error_code() == "invalid_credentials");  // the same answer: no account enumeration
  CHECK(c.get("/admin/").status == 303);
}

TEST_CASE("failures never lock the account: the guesser's address waits (429), the owner signs in from another", "[admin][throttle]") {
  // Defaults: five failures from one address on one account are free.
  auto stranger = admin_host().client();
  for (int i = 1; i <= 5; ++i) {
    const auto r = stranger.sign_in("lockme", "wrong-" + std::to_string(i));
    INFO("attempt " << i);
    CHECK(r.status == 401);
    CHECK(r.error_code() == "invalid_credentials");
  }
  // The sixth is refused before the password is checked — even the right one.
  const auto throttled = stranger.sign_in("lockme", "correct-horse-lockme");
  CHECK(throttled.status == 429);
  CHECK(throttled.error_code() == "too_many_attempts");
  CHECK(std::stoi(throttled.retry_after) >= 1);
  CHECK(throttled.set_cookies.empty());
  // The account's owner, at another address, signs in at once: no lockout.
  AdminClient owner(admin_host().host->port(), "127.0.0.2");
  const auto in = owner.sign_in("lockme", "correct-horse-lockme");
  INFO(in.body);
  CHECK(in.status == 303);
  CHECK(owner.get("/admin/").status == 200);
}

TEST_CASE("sign-out needs the CSRF token and ends the session", "[admin]") {
  auto c = signed_in("reviewer");
  const std::string session = c.cookie();
  const auto no_csrf = c.post("/admin/logout", {});
  CHECK(no_csrf.status == 403);
  CHECK(no_csrf.error_code() == "csrf_failed");
  CHECK(c.get("/admin/").status == 200);  // still signed in

  const auto wrong = c.post("/admin/logout", {{"csrf", "forged-token-forged-token-forged-token-000"}});
  CHECK(wrong.status == 403);
  CHECK(wrong.error_code() == "csrf_failed");

  const auto out = c.post("/admin/logout", {{"csrf", c.csrf()}});
  CHECK(out.status == 303);
  CHECK(out.location == "/admin/login");
  REQUIRE(out.set_cookies.size() == 1);
  CHECK_THAT(out.set_cookies[0], Catch::Contains("Max-Age=0"));
  // The old cookie no longer opens anything.
  auto replay = admin_host().client();
  replay.set_cookie(session);
  const auto r = replay.get("/admin/");
  CHECK(r.status == 303);
  CHECK(r.location.rfind("/admin/login?next=", 0) == 0);
}

TEST_CASE("pages refuse roles they are not for, and send anonymous visitors to sign in", "[admin]") {
  auto anonymous = admin_host().client();
  const auto redirect = anonymous.get("/admin/audit");
  CHECK(redirect.status == 303);
  CHECK(redirect.location == "/admin/login?next=%2Fadmin%2Faudit");

  auto applicant = signed_in("applicant");
  for (const std::string path : {"/admin/audit", "/admin/plugins", "/admin/scripts", "/admin/usage"}) {
    const auto r = applicant.get(path);
    INFO(path);
    CHECK(r.status == 403);
    CHECK(r.error_code() == "role_not_allowed");
    CHECK(r.content_type.find("text/html") == 0);  // a page, not the API's JSON
  }
  auto reviewer = signed_in("reviewer");
  CHECK(reviewer.get("/admin/audit").error_code() == "role_not_allowed");
  const auto post = applicant.post("/admin/plugins/reload", {{"csrf", applicant.csrf()}});
  CHECK(post.status == 403);
  CHECK(post.error_code() == "role_not_allowed");
}

TEST_CASE("sign-in only returns to paths under /admin (no open redirect)", "[admin]") {
  auto c = admin_host().client();
  const auto r = c.sign_in("operator", sandbox_password("operator"), "//evil.example/admin");
  CHECK(r.status == 303);
  CHECK(r.location == "/admin/");
  auto d = admin_host().client();
  const auto back = d.sign_in("operator", sandbox_password("operator"), "/admin/usage");
  CHECK(back.location == "/admin/usage");
}

TEST_CASE("a plugin's configuration form: CSRF refused without change, validation next to the field, saved and audited", "[admin]") {
  auto op = signed_in("operator");
  const auto before = op.get("/admin/plugins");
  REQUIRE(before.status == 200);
  CHECK_THAT(before.body, Catch::Contains("id=\"plugin-tax\"") && Catch::Contains("发票申领"));
  CHECK(input_value(before.body, "cfg.default_quantity") == "25");

  const auto forged = op.post("/admin/plugins/tax/config", {{"cfg.default_quantity", "7"}});
  CHECK(forged.status == 403);
  CHECK(forged.error_code() == "csrf_failed");
  CHECK(input_value(op.get("/admin/plugins").body, "cfg.default_quantity") == "25");

  const std::string csrf = op.csrf("/admin/plugins");
  const auto bad = op.post("/admin/plugins/tax/config", {{"csrf", csrf}, {"cfg.default_quantity", "many"}});
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Catch::Contains("class=\"field-error\""));
  CHECK(input_value(op.get("/admin/plugins").body, "cfg.default_quantity") == "25");

  const auto refused = op.post("/admin/plugins/tax/config", {{"csrf", csrf}, {"cfg.default_quantity", "0"}});
  CHECK(refused.status == 400);
  CHECK_THAT(refused.body, Catch::Contains("default_quantity must be at least 1"));

  const auto saved = op.post("/admin/plugins/tax/config",
                             {{"csrf", csrf}, {"cfg.default_quantity", "30"}, {"cfg.require_invoice_seal", "on"}});
  CHECK(saved.status == 303);
  CHECK(input_value(op.get("/admin/plugins").body, "cfg.default_quantity") == "30");
  const auto audit = op.get("/admin/audit");
  REQUIRE(audit.status == 200);
  CHECK_THAT(audit.body, Catch::Contains("plugin_config_saved") && Catch::Contains("plugin:tax"));

  CHECK(op.post("/admin/plugins/nope/config", {{"csrf", csrf}}).error_code() == "unknown_plugin");
}

TEST_CASE("the operator's scripts, usage and audit pages render — reloads are audited", "[admin]") {
  auto op = signed_in("operator");
  const auto scripts = op.get("/admin/scripts");
  CHECK(scripts.status == 200);
  CHECK_THAT(scripts.body, Catch::Contains("脚本 Scripts"));
  const auto usage = op.get("/admin/usage");
  CHECK(usage.status == 200);
  CHECK_THAT(usage.body, Catch::Contains("<svg class=\"chart\"") && Catch::Contains("年验证量/365"));
  const std::string csrf = op.csrf();
  CHECK(op.post("/admin/plugins/reload", {{"csrf", csrf}}).status == 303);
  const auto reloaded = op.post("/admin/scripts/reload", {{"csrf", csrf}});
  CHECK((reloaded.status == 303 || reloaded.error_code() == "scripts_disabled"));
  const auto audit = op.get("/admin/audit");
  CHECK_THAT(audit.body, Catch::Contains("plugins_reloaded") && Catch::Contains("sign_in"));
  CHECK(op.get("/admin/audit?page=999").status == 200);
  CHECK(op.get("/admin/audit?page=abc").status == 200);
}

TEST_CASE("a display name holding <script> is shown escaped", "[admin]") {
  auto c = admin_host().client();
  REQUIRE(c.sign_in("xss", "correct-horse-xss").status == 303);
  const auto home = c.get("/admin/");
  REQUIRE(home.status == 200);
  CHECK_THAT(home.body, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK_THAT(home.body, !Catch::Contains(kXssName));
}

TEST_CASE("admin pages answer HTML errors, never JSON or 500", "[admin]") {
  auto op = signed_in("operator");
  const auto wrong_type = op.get("/admin/plugins/tax/config");  // only POST exists
  CHECK(wrong_type.status == 405);
  const auto not_form = admin_host().client().post("/admin/login", {});
  CHECK(not_form.status == 400);
  CHECK(not_form.content_type.find("text/html") == 0);
}

TEST_CASE("zhaoyin admin create-user creates an account and refuses a duplicate", "[admin][cli]") {
  TempDir dir("zhaoyin-admin-cli");
  const auto data = dir.path() / "data";
  const auto first = create_user(data, "ops1", "operator", "a-long-password");
  INFO(first.output);
  CHECK(first.exit_code == 0);
  CHECK_THAT(first.output, Catch::Contains("created the operator account 'ops1'"));
  const auto again = create_user(data, "ops1", "operator", "another-password");
  CHECK(again.exit_code == 1);
  CHECK_THAT(again.output, Catch::Contains("already exists"));
  const auto role = create_user(data, "ops2", "superuser", "a-long-password");
  CHECK(role.exit_code == 2);
  CHECK_THAT(role.output, Catch::Contains("--role must be applicant, reviewer or operator"));
  const auto short_password = create_user(data, "ops3", "reviewer", "short");
  CHECK(short_password.exit_code == 1);
  CHECK_THAT(short_password.output, Catch::Contains("at least 8 characters"));
  const auto bad_name = create_user(data, "bad name", "reviewer", "a-long-password");
  CHECK(bad_name.exit_code == 1);
  CHECK_THAT(bad_name.output, Catch::Contains("invalid username"));

  // The account works on a host over the same store.
  HostProcess host(dir.path(), {"--data", data.string()});
  REQUIRE(host.ready());
  AdminClient c(host.port());
  CHECK(c.sign_in("ops1", "a-long-password").status == 303);
  CHECK(c.get("/admin/audit").status == 200);
}
