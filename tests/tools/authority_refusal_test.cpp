// Every refusal of the authority service: unauthenticated and badly signed
// status requests, replays, stale clocks, clients that are not relying-party
// hosts, unknown records, oversized and malformed bodies.
#include <catch2/catch.hpp>
#include "authority_test_support.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using nlohmann::json;

namespace {

std::string code_of(const HttpAnswer& a) {
  const json body = json::parse(a.body, nullptr, false);
  return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
}

}  // namespace

TEST_CASE("the authority refuses status requests that are not signed by a relying-party host") {
  // One sandbox and service for all sections (Catch runs the case once per
  // section); nothing here changes the sandbox.
  static const OwnSandbox s;
  static AuthorityProcess authority(s.dir);
  REQUIRE(authority.ready());
  const HostCredential host = host_credential(s);
  const std::string uscc = s.manifest["enterprises"][0]["uscc"];
  const std::string target = "/v1/enterprises/" + uscc;
  const auto now = std::chrono::system_clock::now();

  SECTION("no signature") {
    const HttpAnswer a = http_exchange(authority.port(), "GET", target);
    CHECK(a.status == 401);
    CHECK(code_of(a) == "unauthenticated");
    CHECK(a.header("WWW-Authenticate") == "Zhaoyin-SM2");
  }
  SECTION("a header that is not the scheme") {
    for (const std::string& header : {std::string("Bearer abc"), std::string("Zhaoyin-SM2 cert=\"AA\""),
                                      std::string("Zhaoyin-SM2 ") + std::string(8000, 'a')}) {
      const HttpAnswer a = http_exchange(authority.port(), "GET", target, {{"Authorization", header}});
      CHECK(a.status == 401);
      CHECK(code_of(a) == "bad_authorization");
    }
  }
  SECTION("a header longer than the server reads") {
    // Poco's request parser refuses a field over 8 KiB before any handler runs.
    const HttpAnswer a = http_exchange(authority.port(), "GET", target,
                                       {{"Authorization", "Zhaoyin-SM2 " + std::string(9000, 'a')}});
    CHECK(a.status == 400);
  }
  SECTION("a second service on the same port") {
    const auto r = run_command(quote(bin("zhaoyin")) + " authority serve " + quote(s.dir.string()) + " --port " +
                               std::to_string(authority.port()));
    CHECK(r.exit_code == 1);
    CHECK(r.output.find("Address already in use") != std::string::npos);
  }
  SECTION("a signature over another request") {
    const std::string other = authority::sign_request(host.cert, host.key, "GET", target + "X", "", now);
    const HttpAnswer a = http_exchange(authority.port(), "GET", target, {{"Authorization", other}});
    CHECK(a.status == 401);
    CHECK(code_of(a) == "bad_signature");
  }
  SECTION("a replayed request") {
    const std::string header = authority::sign_request(host.cert, host.key, "GET", target, "", now);
    CHECK(http_exchange(authority.port(), "GET", target, {{"Authorization", header}}).status == 200);
    const HttpAnswer again = http_exchange(authority.port(), "GET", target, {{"Authorization", header}});
    CHECK(again.status == 401);
    CHECK(code_of(again) == "replayed_request");
  }
  SECTION("a timestamp outside the clock window, early or late") {
    for (const auto at : {now - std::chrono::minutes(10), now + std::chrono::minutes(10)}) {
      const HttpAnswer a = signed_get(authority, host, target, at);
      CHECK(a.status == 401);
      CHECK(code_of(a) == "stale_request");
    }
  }
  SECTION("a certificate the relying-party CA did not issue") {
    // Same profile and names, from a CA of our own: the chain fails.
    const auto ca_key = trust::Sm2Key::generate();
    trust::CertificateRequest ca_request;
    ca_request.subject = {{{"CN", "Zhaoyin Sandbox Relying-Party CA"}}};
    ca_request.subject_key = ca_key;
    ca_request.profile = trust::CertProfile::RelyingPartyCa;
    ca_request.not_before = now - std::chrono::hours(1);
    ca_request.not_after = now + std::chrono::hours(24);
    const auto ca = trust::issue_certificate(ca_request, ca_key, nullptr);
    trust::CertificateRequest request = ca_request;
    request.subject = host.cert.subject();
    request.subject_key = trust::Sm2Key::generate();
    request.profile = trust::CertProfile::RelyingPartyHost;
    request.dns_names = {"localhost"};
    const auto forged = trust::issue_certificate(request, ca_key, &ca);
    const HttpAnswer a = http_exchange(
        authority.port(), "GET", target,
        {{"Authorization", authority::sign_request(forged, request.subject_key, "GET", target, "", now)}});
    CHECK(a.status == 401);
    CHECK(code_of(a) == "untrusted_client");
  }
  SECTION("unknown records") {
    const HttpAnswer license = signed_get(authority, host, "/v1/licenses/0123456789ABCDEF");
    CHECK(license.status == 200);
    CHECK(json::parse(license.body)["status"] == "unknown");
    CHECK(code_of(signed_get(authority, host, "/v1/enterprises/91420100MA4KXXXX00")) == "unknown_enterprise");
    CHECK(code_of(signed_get(authority, host, "/v1/seals/000000000000")) == "unknown_seal");
    CHECK(code_of(signed_get(authority, host, "/v1/grants/0123456789ABCDEF")) == "unknown_grant");
    CHECK(signed_get(authority, host, "/v1/licenses/not-hex").status == 404);
    CHECK(code_of(signed_get(authority, host, "/v1/seal-changes?limit=0")) == "bad_request");
    CHECK(code_of(signed_get(authority, host, "/v1/seal-changes?since=x")) == "bad_request");
  }
  SECTION("oversized and malformed bodies") {
    const std::string big(20 * 1024, 'x');
    const HttpAnswer ocsp = http_exchange(authority.port(), "POST", "/ocsp", {}, big, "application/ocsp-request");
    CHECK(ocsp.status == 413);
    CHECK(code_of(ocsp) == "payload_too_large");
    const HttpAnswer status = http_exchange(authority.port(), "GET", target,
                                            {{"Authorization", authority::sign_request(host.cert, host.key, "GET",
                                                                                       target, big, now)}},
                                            big);
    CHECK(status.status == 413);
    const HttpAnswer garbage = http_exchange(authority.port(), "POST", "/ocsp", {}, "not DER", "application/ocsp-request");
    CHECK(garbage.status == 400);
    CHECK(garbage.content_type == "application/ocsp-response");
    CHECK(garbage.body == std::string("\x30\x03\x0a\x01\x01", 5));  // OCSPResponse { malformedRequest } (RFC 6960 §4.2.1)
    const HttpAnswer type = http_exchange(authority.port(), "POST", "/ocsp", {}, "x", "application/json");
    CHECK(type.status == 415);
    CHECK(code_of(type) == "unsupported_media_type");
    CHECK(code_of(http_exchange(authority.port(), "GET", "/ocsp/%%%%")) == "bad_request");
    CHECK(code_of(http_exchange(authority.port(), "DELETE", target)) == "method_not_allowed");
    CHECK(code_of(http_exchange(authority.port(), "GET", "/crl/99.crl")) == "not_found");
    CHECK(code_of(http_exchange(authority.port(), "GET", "/admin")) == "not_found");
  }
  // Still serving after all of that, and every request was logged.
  CHECK(http_exchange(authority.port(), "GET", "/healthz").status == 200);
  CHECK(authority.log().find("\"msg\":\"request\"") != std::string::npos);
  CHECK(authority.log().find("internal_error") == std::string::npos);
}
