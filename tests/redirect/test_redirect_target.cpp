// Redirect targets: what check_absolute / check_relative_path refuse, with
// which reason, and that registered() compares byte for byte. The inputs of
// issue 17 item 6 are here verbatim.
#include <catch2/catch.hpp>
#include <zhaoyin/redirect/redirect_target.h>

using namespace zhaoyin::redirect;

namespace {

std::string absolute_reason(std::string_view uri) {
  const auto r = check_absolute(uri);
  return r ? r->reason : "ok";
}

std::string relative_reason(std::string_view path) {
  const auto r = check_relative_path(path);
  return r ? r->reason : "ok";
}

}  // namespace

TEST_CASE("absolute redirect URIs that are accepted", "[redirect]") {
  for (const char* ok : {"https://good.example/cb", "https://good.example", "https://good.example:8443/cb?x=1&y=%20z",
                         "https://xn--fsqu00a.xn--0zwm56d/cb", "https://etax.hubei.sandbox.invalid/oidc/callback",
                         "http://127.0.0.1:8080/demo/oidc/callback", "http://[::1]:9000/cb", "http://localhost/cb",
                         "https://10.0.0.1/cb", "https://[2001:db8::1]/cb"}) {
    INFO(ok);
    CHECK(absolute_reason(ok) == "ok");
  }
}

TEST_CASE("absolute redirect URIs: the regression inputs of the issue are refused", "[redirect]") {
  CHECK(absolute_reason("/\t/evil.example/") == "control_character");
  CHECK(absolute_reason("https://good.example\\@evil.example/") == "backslash");
  CHECK(absolute_reason("//evil.example") == "not_absolute");
  CHECK(absolute_reason("https://good.example@evil.example/") == "userinfo");
  CHECK(absolute_reason("https://evil.example%2f@good.example") == "userinfo");
  CHECK(absolute_reason("https://evil.example%2fgood.example/") == "percent_encoded_authority");
  CHECK(absolute_reason("https://例子.测试/") == "non_ascii");
  CHECK(absolute_reason("https://good.example./cb") == "trailing_dot_host");
  CHECK(absolute_reason("https://GOOD.example/cb") == "host_not_lowercase");
  CHECK(absolute_reason("javascript:alert(document.domain)") == "scheme_not_allowed");
  CHECK(absolute_reason("JavaScript://good.example/%0aalert(1)") == "scheme_not_allowed");
}

TEST_CASE("absolute redirect URIs: every other refusal", "[redirect]") {
  CHECK(absolute_reason("") == "empty");
  CHECK(absolute_reason("https://good.example/" + std::string(2000, 'a')) == "too_long");
  CHECK(absolute_reason("https://good.example/\r\nSet-Cookie:x") == "control_character");
  CHECK(absolute_reason("https://good.example/\x7f") == "control_character");
  CHECK(absolute_reason("https://good.example/a b") == "whitespace");
  CHECK(absolute_reason("https://good.example/cb#frag") == "fragment");
  CHECK(absolute_reason("/cb") == "not_absolute");
  CHECK(absolute_reason("https:evil.example") == "not_absolute");
  CHECK(absolute_reason("https:/evil.example") == "not_absolute");
  CHECK(absolute_reason("HTTPS://good.example/cb") == "scheme_not_allowed");
  CHECK(absolute_reason("data:text/html,<script>alert(1)</script>") == "scheme_not_allowed");
  CHECK(absolute_reason("ftp://good.example/") == "scheme_not_allowed");
  CHECK(absolute_reason("http://good.example/cb") == "http_not_loopback");
  CHECK(absolute_reason("http://127.0.0.2/cb") == "http_not_loopback");
  CHECK(absolute_reason("https:///cb") == "invalid_host");
  CHECK(absolute_reason("https://good_example/cb") == "invalid_host");
  CHECK(absolute_reason("https://-good.example/cb") == "invalid_host");
  CHECK(absolute_reason("https://good..example/cb") == "invalid_host");
  CHECK(absolute_reason("https://2130706433/cb") == "invalid_host");
  CHECK(absolute_reason("https://0x7f.1/cb") == "invalid_host");
  CHECK(absolute_reason("https://010.0.0.1/cb") == "invalid_host");
  CHECK(absolute_reason("https://[2001:DB8::1]/cb") == "host_not_lowercase");
  CHECK(absolute_reason("https://[::1/cb") == "invalid_host");
  CHECK(absolute_reason("https://good.example:/cb") == "invalid_port");
  CHECK(absolute_reason("https://good.example:0443/cb") == "invalid_port");
  CHECK(absolute_reason("https://good.example:65536/cb") == "invalid_port");
  CHECK(absolute_reason("https://good.example:44x/cb") == "invalid_port");
  CHECK(absolute_reason("https://good.example/%zz") == "malformed_percent_encoding");
  CHECK(absolute_reason("https://good.example/%4") == "malformed_percent_encoding");
}

TEST_CASE("host-relative paths that are accepted", "[redirect]") {
  for (const char* ok : {"/", "/oidc/continue/AbC_-x", "/demo/login/abc/result", "/admin/", "/admin/applications?page=2",
                         "/admin/x?next=https://a.example/", "/admin/x?back=%2Fadmin%2Faudit", "/a/%E4%BE%8B", "/a@b:c", "/admin#top"}) {
    INFO(ok);
    CHECK(relative_reason(ok) == "ok");
  }
}

TEST_CASE("host-relative paths: the regression inputs and every refusal", "[redirect]") {
  CHECK(relative_reason("/\t/evil.example/") == "control_character");
  CHECK(relative_reason("/\n/evil.example/") == "control_character");
  CHECK(relative_reason("/\\evil.example") == "backslash");
  CHECK(relative_reason("//evil.example") == "scheme_relative");
  CHECK(relative_reason("https://good.example@evil.example/") == "not_a_path");
  CHECK(relative_reason("https://good.example\\@evil.example/") == "backslash");
  CHECK(relative_reason("javascript:alert(1)") == "not_a_path");
  CHECK(relative_reason("evil.example") == "not_a_path");
  CHECK(relative_reason("") == "empty");
  CHECK(relative_reason("/ evil") == "whitespace");
  CHECK(relative_reason("/例子") == "non_ascii");
  CHECK(relative_reason("/admin//evil.example") == "scheme_relative");
  CHECK(relative_reason("/admin/..//evil.example") == "scheme_relative");
  CHECK(relative_reason("/admin/../x") == "dot_segment");
  CHECK(relative_reason("/admin/./x") == "dot_segment");
  CHECK(relative_reason("/%2f/evil.example") == "encoded_separator");
  CHECK(relative_reason("/%2F%2Fevil.example") == "encoded_separator");
  CHECK(relative_reason("/%5cevil.example") == "encoded_separator");
  CHECK(relative_reason("/%09/evil.example") == "encoded_separator");
  CHECK(relative_reason("/%252f/evil.example") == "encoded_separator");
  CHECK(relative_reason("/admin/%2e%2e/x") == "encoded_separator");
  CHECK(relative_reason("/admin/%2E./x") == "encoded_separator");
  CHECK(relative_reason("/%g0") == "malformed_percent_encoding");
  CHECK(relative_reason("/admin?x=%g0") == "malformed_percent_encoding");
}

TEST_CASE("registered() is an exact, byte-for-byte comparison", "[redirect]") {
  const std::vector<std::string> apps = {"https://good.example/cb", "http://127.0.0.1:8080/demo/oidc/callback"};
  CHECK(registered(apps, "https://good.example/cb"));
  CHECK(registered(apps, "http://127.0.0.1:8080/demo/oidc/callback"));
  CHECK_FALSE(registered(apps, "https://GOOD.example/cb"));     // upper-case host vs registered lower-case
  CHECK_FALSE(registered(apps, "https://good.example./cb"));    // trailing dot
  CHECK_FALSE(registered(apps, "https://good.example/cb/"));    // trailing slash
  CHECK_FALSE(registered(apps, "https://good.example/CB"));     // path case
  CHECK_FALSE(registered(apps, "https://good.example:443/cb"));  // default port spelled out
  CHECK_FALSE(registered(apps, "https://good.example/cb?x=1"));  // extra query
  CHECK_FALSE(registered(apps, "https://good.example/%63b"));   // percent-encoded 'c'
  CHECK_FALSE(registered(apps, "https://good.example@evil.example/cb"));
  CHECK_FALSE(registered(apps, "https://good.example/cb\t"));
  CHECK_FALSE(registered(apps, ""));
}
