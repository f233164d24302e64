// Every page family of a real zhaoyin-host (sandbox) refuses to be framed
// (X-Frame-Options: DENY and CSP frame-ancestors 'none'), is not sniffed
// (X-Content-Type-Options: nosniff) and sends no referrer to other sites;
// the admin pages' CSP runs scripts only from this host's files.
#include <catch2/catch.hpp>

#include "admin_client.h"
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

PresentationHost& shared_host() {
  static TempDir dir("zhaoyin-security-headers");
  static PresentationHost host(dir.path(), shared_sandbox());
  return host;
}

std::string sandbox_password(const std::string& username) {
  const auto staff = read_json(shared_sandbox() / "admin" / "staff.json");
  for (const auto& a : staff["accounts"])
    if (a["username"] == username) return a["password"];
  throw std::runtime_error("no sandbox account " + username);
}

// The headers every HTML page must carry.
template <class Headers>
void check_unframeable(const std::string& what, const Headers& get) {
  INFO(what);
  const std::string csp = get("Content-Security-Policy");
  CHECK(get("X-Frame-Options") == "DENY");
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(get("X-Content-Type-Options") == "nosniff");
  CHECK(get("Referrer-Policy") == "same-origin");
}

// The directive `name` of a CSP ("" when absent).
std::string directive(const std::string& csp, const std::string& name);

// A public page's scripts run by nonce only: script-src is exactly one
// 'nonce-…' source, and every <script> element carries that nonce.
void check_script_nonce(const std::string& what, const HttpResult& r) {
  INFO(what);
  const std::string csp = r.header("Content-Security-Policy");
  const std::string scripts = directive(csp, "script-src");
  CHECK(scripts.find("unsafe-inline") == std::string::npos);
  CHECK(csp.find("object-src 'none'") != std::string::npos);
  const auto at = scripts.find("'nonce-");
  REQUIRE(at != std::string::npos);
  const std::string nonce = scripts.substr(at + 7, scripts.find('\'', at + 7) - at - 7);
  CHECK(nonce.size() >= 22);
  std::size_t pos = 0, count = 0;
  while ((pos = r.body.find("<script", pos)) != std::string::npos) {
    const std::string tag = "<script nonce=\"" + nonce + "\">";
    CHECK(r.body.compare(pos, tag.size(), tag) == 0);
    ++pos;
    ++count;
  }
  CHECK(count <= 1);
}

void check_page(const std::string& what, const HttpResult& r, int status = 200) {
  INFO(what << ": " << r.body.substr(0, 300));
  CHECK(r.status == status);
  CHECK(r.header("Content-Type").rfind("text/html", 0) == 0);
  check_unframeable(what, [&](const std::string& n) { return r.header(n); });
  check_script_nonce(what, r);
}

void check_page(const std::string& what, const PageReply& r, int status = 200) {
  INFO(what << ": " << r.body.substr(0, 300));
  CHECK(r.status == status);
  CHECK(r.content_type.rfind("text/html", 0) == 0);
  check_unframeable(what, [&](const std::string& n) { return r.headers.get(n, ""); });
}

std::string directive(const std::string& csp, const std::string& name) {
  const auto at = csp.find(name + " ");
  if (at == std::string::npos) return "";
  return csp.substr(at, csp.find(';', at) == std::string::npos ? std::string::npos : csp.find(';', at) - at);
}

std::string path_of(const std::string& url) { return url.substr(url.find("/public/")); }

}  // namespace

TEST_CASE("admin pages: unframeable, and scripts only from this host (no 'unsafe-inline')", "[headers][admin]") {
  auto& host = shared_host();
  AdminClient anonymous(host.port());
  const auto login = anonymous.get("/admin/login");
  check_page("admin sign-in", login);
  const std::string csp = login.headers.get("Content-Security-Policy", "");
  CHECK(directive(csp, "script-src") == "script-src 'self'");
  CHECK(csp.find("object-src 'none'") != std::string::npos);

  AdminClient applicant(host.port());
  REQUIRE(applicant.sign_in("applicant", sandbox_password("applicant")).status == 303);
  const auto form = applicant.get("/admin/applications/new");
  check_page("the application form", form);
  CHECK(directive(form.headers.get("Content-Security-Policy", ""), "script-src") == "script-src 'self'");
  // Its script is a file: no inline <script> (which the CSP would block) is left.
  CHECK(form.body.find("<script src=\"/admin/static/application-form.js\"></script>") != std::string::npos);
  CHECK(form.body.find("<script>") == std::string::npos);
  const auto script = applicant.get("/admin/static/application-form.js");
  CHECK(script.status == 200);
  CHECK(script.content_type.rfind("text/javascript", 0) == 0);
  CHECK(script.body.find("matters-tree") != std::string::npos);
  CHECK(script.headers.get("X-Content-Type-Options", "") == "nosniff");
  CHECK(applicant.get("/admin/static/nothing-here.js").status == 404);

  // Error pages too.
  check_page("an admin error page", applicant.get("/admin/audit"), 403);
}

TEST_CASE("counter, public license, login, signing and OpenID Connect pages are unframeable, scripts by nonce only",
          "[headers]") {
  auto& host = shared_host();
  check_page("the counter page", host.get("/counter"));
  // A fresh nonce per response.
  const auto a = host.get("/counter"), b = host.get("/counter");
  CHECK(a.header("Content-Security-Policy") != b.header("Content-Security-Policy"));

  // The public license page (亮照) of a published archive.
  const auto presented = host.present("banking", fresh_code(sandbox_wallet(shared_sandbox(), "91410100QED6JLT722-1")));
  REQUIRE(presented.status == 201);
  const std::string archive = presented.json()["archive_id"];
  const auto published = host.api("POST", "/api/v1/archives/" + archive + "/publish", "banking");
  REQUIRE(published.status == 201);
  check_page("the public license page", host.get(path_of(published.json()["url"])));

  // The hosted QR login page and the signing page, through the sandbox demos.
  const auto demo_login = host.get("/demo/login");
  REQUIRE(demo_login.status == 303);
  // The Location carries the page token in its fragment, which a browser keeps to itself.
  const std::string page = demo_login.header("Location");
  check_page("the hosted login page", host.get(page.substr(0, page.find('#'))));
  const auto demo_sign = host.get("/demo/sign");
  INFO(demo_sign.body);
  if (demo_sign.status == 303) {
    check_page("the signing page", host.get(demo_sign.header("Location")));
  } else {
    check_page("the signing page", demo_sign);
  }

  // The production signing page of a task (the 128-bit id is its capability).
  const auto task = host.api("POST", "/api/v1/sign-tasks", "tax",
                             R"({"document": {"data": "aGVsbG8="}, "seals": {"types": ["company"]}})");
  REQUIRE(task.status == 201);
  check_page("the hosted signing page", host.get("/sign/" + task.json()["id"].get<std::string>()));

  // An OpenID Connect page: the authorization error page.
  check_page("the OIDC error page", host.get("/oidc/authorize"), 400);

  // JSON answers carry them too (nosniff matters most there).
  const auto api = host.get("/api/v1/nothing");
  CHECK(api.status == 404);
  check_unframeable("a JSON error", [&](const std::string& n) { return api.header(n); });
}
