// The declared 办事系统 as a bound on redirect targets (declared_hosts.h):
// which endpoint a URL lies on (explicit or default port, IPv6 without
// brackets), and the refusal of a URL off every declared one.
#include <catch2/catch.hpp>
#include <zhaoyin/redirect/declared_hosts.h>

using namespace zhaoyin::redirect;

TEST_CASE("the endpoint of a redirect URI: host and explicit or default port") {
  CHECK(endpoint_of("https://etax.example.gov.cn/cb") == Endpoint{"etax.example.gov.cn", 443});
  CHECK(endpoint_of("https://etax.example.gov.cn:8443/cb?x=1") == Endpoint{"etax.example.gov.cn", 8443});
  CHECK(endpoint_of("http://127.0.0.1:8765") == Endpoint{"127.0.0.1", 8765});
  CHECK(endpoint_of("http://localhost/cb") == Endpoint{"localhost", 80});
  CHECK(endpoint_of("http://[::1]:9443/cb") == Endpoint{"::1", 9443});
  CHECK(to_string(Endpoint{"::1", 9443}) == "[::1]:9443");
  // Nothing is made of what check_absolute refuses.
  CHECK_FALSE(endpoint_of("https://a.example.cn@evil.example/cb"));
  CHECK_FALSE(endpoint_of("/admin/home"));
  CHECK(declared_endpoint("[::1]", 8443) == Endpoint{"::1", 8443});
  CHECK(declared_endpoint("ETAX.Example.gov.cn", 443) == Endpoint{"etax.example.gov.cn", 443});
}

TEST_CASE("a URL off the declared systems is refused as host_not_declared") {
  const std::vector<Endpoint> declared = {{"etax.example.gov.cn", 443}, {"127.0.0.1", 8765}};
  CHECK_FALSE(check_declared(declared, "https://etax.example.gov.cn/cb"));
  CHECK_FALSE(check_declared(declared, "https://etax.example.gov.cn:443/cb"));
  CHECK_FALSE(check_declared(declared, "http://127.0.0.1:8765/cb"));
  for (const char* uri : {"https://etax.example.gov.cn:8443/cb", "https://sub.etax.example.gov.cn/cb",
                          "http://127.0.0.1/cb", "http://localhost:8765/cb", "https://evil.example/cb"}) {
    INFO(uri);
    const auto refusal = check_declared(declared, uri);
    REQUIRE(refusal);
    CHECK(refusal->reason == "host_not_declared");
  }
  // This host's own pages are not a system of the application.
  CHECK_FALSE(check_declared(declared, "/admin/home"));
  // An application declaring nothing (older, or created without) is not bound here.
  CHECK_FALSE(check_declared(std::vector<Endpoint>{}, "https://anywhere.example/cb"));

  // The stored form (store::Application::declared_systems).
  const std::vector<std::string> stored = {"etax.example.gov.cn:443", "[::1]:9443"};
  CHECK_FALSE(check_declared(stored, "http://[::1]:9443/cb"));
  CHECK(check_declared(stored, "http://[::1]:9444/cb"));
  CHECK(endpoint_declared(stored, {"etax.example.gov.cn", 443}));
  CHECK_FALSE(endpoint_declared(stored, {"etax.example.gov.cn", 80}));
  CHECK(endpoint_declared({}, {"anything.example", 1}));
}
