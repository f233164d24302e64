// The callback destination policy on its own: address classes, CIDRs, the
// allow-list, URL checks and resolution. Nothing here opens a connection.
#include <catch2/catch.hpp>
#include <zhaoyin/http/callback_policy.h>

using namespace zhaoyin::http;

namespace {

IpAddress ip(const std::string& text) {
  const auto a = IpAddress::parse(text);
  REQUIRE(a);
  return *a;
}

std::string refusal_code(const std::string& url, const CallbackSettings& s) {
  try {
    check_callback_url(url, s);
  } catch (const CallbackRefused& e) {
    return e.code();
  }
  return "";
}

}  // namespace

TEST_CASE("callback policy: special-purpose IPv4 and IPv6 addresses are refused") {
  const CallbackSettings none;
  for (const std::string a :
       {"127.0.0.1", "127.255.0.9", "169.254.169.254", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "100.64.0.1", "100.127.255.254", "0.0.0.0", "224.0.0.1", "239.255.255.250", "255.255.255.255", "240.0.0.1",
        "192.0.2.10", "198.18.0.1", "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::", "2001::1", "2001:db8::1"}) {
    INFO(a);
    CHECK(special_purpose(ip(a)));
    CHECK_FALSE(destination_allowed(ip(a), none));
  }
  for (const std::string a : {"8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "169.253.1.1", "2606:4700::1111",
                              "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"}) {
    INFO(a);
    CHECK_FALSE(special_purpose(ip(a)));
    CHECK(destination_allowed(ip(a), none));
  }
  CHECK(*special_purpose(ip("169.254.169.254")) == "link-local");
  CHECK(*special_purpose(ip("::ffff:127.0.0.1")) == "loopback");
  CHECK(*special_purpose(ip("100.64.1.1")) == "cgnat");
}

TEST_CASE("callback policy: the allow-list lets chosen networks and names through") {
  CallbackSettings s;
  s.set_allow_list("127.0.0.1/32, ::1 10.20.0.0/16,hooks.internal");
  CHECK(destination_allowed(ip("127.0.0.1"), s));
  CHECK(destination_allowed(ip("::ffff:127.0.0.1"), s));  // the same address
  CHECK(destination_allowed(ip("::1"), s));
  CHECK(destination_allowed(ip("10.20.5.5"), s));
  CHECK_FALSE(destination_allowed(ip("127.0.0.2"), s));
  CHECK_FALSE(destination_allowed(ip("10.21.0.1"), s));
  CHECK_FALSE(destination_allowed(ip("169.254.169.254"), s));
  REQUIRE(s.allow_hosts == std::vector<std::string>{"hooks.internal"});
  CHECK_THROWS_AS(s.set_allow_list("10.0.0.0/33"), std::invalid_argument);
  CHECK_THROWS_AS(s.set_allow_list("300.1.1.1"), std::invalid_argument);
  CHECK_THROWS_AS(s.set_allow_list("bad/name!"), std::invalid_argument);
  CHECK(Cidr::parse("fd00::/8").contains(ip("fdff::1")));
  CHECK_FALSE(Cidr::parse("fd00::/8").contains(ip("fc00::1")));
}

TEST_CASE("callback policy: URLs are checked before anything is resolved") {
  CallbackSettings s;
  CHECK(refusal_code("ftp://rp.example/x", s) == "invalid_callback_url");
  CHECK(refusal_code("not a url", s) == "invalid_callback_url");
  CHECK(refusal_code("https://user:pw@rp.example/", s) == "invalid_callback_url");
  CHECK(refusal_code("http://rp.example/hook", s) == "callback_scheme_refused");
  CHECK(refusal_code("https://rp.example/hook", s).empty());
  for (const std::string url :
       {"https://127.0.0.1/", "https://169.254.169.254/latest/meta-data/", "https://10.0.0.1:8443/x",
        "https://[::1]/", "https://[::ffff:127.0.0.1]/", "https://[::ffff:a9fe:a9fe]/", "https://100.64.0.1/",
        "https://localhost/", "https://api.localhost/", "https://printer.local/", "https://2130706433/",
        "https://127.1/", "https://0x7f.0.0.1/", "https://[fe80::1]/", "https://0.0.0.0/"}) {
    INFO(url);
    CHECK(refusal_code(url, s) == "callback_destination_refused");
  }
  s.allow_http = true;
  s.set_allow_list("127.0.0.0/8 localhost");
  CHECK(refusal_code("http://127.0.0.1:9/hook", s).empty());
  CHECK(refusal_code("http://localhost:9/hook", s).empty());
  CHECK(refusal_code("http://[::ffff:127.0.0.1]:9/hook", s).empty());
  CHECK(refusal_code("http://10.0.0.1/hook", s) == "callback_destination_refused");
  const auto t = check_callback_url("https://[2606:4700::1111]:8443/a/b?c=d#frag", s);
  CHECK(t.host == "2606:4700::1111");
  CHECK(t.port == 8443);
  CHECK(t.path_and_query == "/a/b?c=d");
  CHECK(t.host_is_address);
}

TEST_CASE("callback policy: a name is judged by every address it resolves to") {
  CallbackSettings s;
  s.allow_http = true;
  // "localhost" resolves (from /etc/hosts) to loopback: refused unless listed.
  CallbackTarget t;
  t.scheme = "http";
  t.host = "localhost";
  t.port = 9;
  t.path_and_query = "/";
  CHECK_THROWS_AS(resolve_callback_destination(t, s), CallbackRefused);
  s.set_allow_list("127.0.0.0/8 ::1");
  const auto addresses = resolve_callback_destination(t, s);
  REQUIRE_FALSE(addresses.empty());
  for (const auto& a : addresses) CHECK(special_purpose(a) == std::string("loopback"));
  // An address literal is never looked up, and is checked like a name's addresses.
  t.host = "169.254.169.254";
  t.host_is_address = true;
  CHECK_THROWS_AS(resolve_callback_destination(t, s), CallbackRefused);
}

TEST_CASE("callback policy: a URL whose bytes would reach the request line or Host header unchecked is refused") {
  // Found by fuzz_callback_url (fuzz/regressions/callback_url/): Poco::URI keeps
  // a query as given and a host as typed, so CR LF in the query went into the
  // callback's request line, and '%', spaces or an IPv6 zone went on as a "name".
  CallbackSettings s;
  const std::vector<std::string> refused = {
       "https://rp.example/hook?x=1\r\nX-Injected: 1", std::string("https://rp.example/hook?x=") + '\0',
        "https://rp.example/a b", "https://rp.example/\x7f", "https://rp.example/\xe4\xbd\xa0", "https://rp.example%2e/",
        "https://rp%00.example/", "https://[fe80::1%25eth0]/", "https://[fe80::1%eth0]/", "https://localhost./",
        "https://rp..example/", "https://" + std::string(64, 'a') + ".example/"};
  for (const auto& url : refused) {
    INFO(url);
    CHECK(refusal_code(url, s) == "invalid_callback_url");
  }
  // Percent-encoded, the same bytes are an ordinary query.
  const auto t = check_callback_url("https://rp.example/hook?x=1%0D%0AX-Injected:%201", s);
  CHECK(t.path_and_query == "/hook?x=1%0D%0AX-Injected:%201");
  // An empty path with a query is the path "/" (not a request target "?x=1").
  CHECK(check_callback_url("https://rp.example?x=1", s).path_and_query == "/?x=1");
  CHECK(check_callback_url("https://rp.example", s).path_and_query == "/");
  // Names: labels of letters, digits, '-' and '_'; 63 characters a label is still one.
  CHECK(check_callback_url("https://" + std::string(63, 'a') + ".rp_1-x.example/", s).host ==
        std::string(63, 'a') + ".rp_1-x.example");
}
