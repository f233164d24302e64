// The staff sign-in's next= (issue 17 item 6) against a real zhaoyin-host:
// anything but a strict path under /admin sends the browser to /admin/, both
// on signing in (POST) and when already signed in (GET /admin/login?next=).
#include <catch2/catch.hpp>
#include <admin_client.h>
#include <host_process.h>
#include <sandbox_fixture.h>

using namespace zhaoyin::test;

namespace {

std::string operator_password() {
  const auto staff = read_json(shared_sandbox() / "admin" / "staff.json");
  for (const auto& a : staff["accounts"])
    if (a["username"] == "operator") return a["password"];
  throw std::runtime_error("no sandbox operator account");
}

// Each refused for its own reason (redirect::check_relative_path), or for leaving /admin.
const std::vector<std::string> kTricky = {
    "/\t/evil.example/", "/\n/evil.example/", "/\r\n/evil.example/", "//evil.example", "/\\evil.example",
    "\\/evil.example", "https://evil.example/", "https://good.example@evil.example/", "https://good.example\\@evil.example/",
    "https://evil.example%2f@good.example", "javascript:alert(document.domain)", "/%2f/evil.example",
    "/admin/%2f%2fevil.example", "/admin/..//evil.example", "/admin/../../evil", "/admin//evil.example",
    "/admin/\t/evil.example", " /admin/", "/admin/例子", "/adminx", "/healthz",
};

}  // namespace

TEST_CASE("admin next=: tricky targets land on /admin/, strict paths under /admin are followed", "[redirect][admin]") {
  TempDir dir("zhaoyin-redirect-admin");
  HostProcess host(dir.path(), {"--data", (dir.path() / "data").string(), "--sandbox", shared_sandbox().string()});
  REQUIRE(host.ready());

  // Signing in with a tricky next=.
  AdminClient c(host.port());
  const auto signed_in = c.sign_in("operator", operator_password(), "/\t/evil.example/");
  REQUIRE(signed_in.status == 303);
  CHECK(signed_in.location == "/admin/");

  // Already signed in: GET /admin/login?next=... redirects at once.
  for (const auto& next : kTricky) {
    INFO(next);
    const auto r = c.get("/admin/login?next=" + zhaoyin::http::form_encode(next));
    CHECK(r.status == 303);
    CHECK(r.location == "/admin/");
  }
  for (const std::string ok : {"/admin/audit", "/admin/plugins?saved=tax", "/admin"}) {
    INFO(ok);
    CHECK(c.get("/admin/login?next=" + zhaoyin::http::form_encode(ok)).location == ok);
  }
}
