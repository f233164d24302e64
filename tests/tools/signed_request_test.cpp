// The signed-request header (zhaoyin/authority/signed_request.h): what it
// accepts and refuses, and that a signature covers every part of the request.
#include <catch2/catch.hpp>
#include <zhaoyin/authority/signed_request.h>

using namespace zhaoyin::authority;

TEST_CASE("parse_request_authorization reads the four parameters in any order") {
  const auto a = parse_request_authorization(
      "Zhaoyin-SM2 nonce=\"abcdefghijklmnop\", signature=\"MEUCIQ==\", cert=\"MIIB\", timestamp=\"2026-12-07T10:00:00Z\"");
  REQUIRE(a);
  CHECK(a->cert == "MIIB");
  CHECK(a->nonce == "abcdefghijklmnop");
  CHECK(a->signature == "MEUCIQ==");
  CHECK(a->timestamp == "2026-12-07T10:00:00Z");
}

TEST_CASE("parse_request_authorization refuses anything else") {
  const std::string good_rest =
      "cert=\"MIIB\", timestamp=\"2026-12-07T10:00:00Z\", nonce=\"abcdefghijklmnop\", signature=\"MEU=\"";
  CHECK(parse_request_authorization("Zhaoyin-SM2 " + good_rest));
  CHECK_FALSE(parse_request_authorization("zhaoyin-sm2 " + good_rest));                 // scheme
  CHECK_FALSE(parse_request_authorization("Zhaoyin-SM2" + good_rest));                  // no space
  CHECK_FALSE(parse_request_authorization("Zhaoyin-SM2 " + good_rest + ", cert=\"x\""));  // twice
  CHECK_FALSE(parse_request_authorization("Zhaoyin-SM2 " + good_rest + ", extra=\"x\""));  // unknown
  CHECK_FALSE(parse_request_authorization("Zhaoyin-SM2 " + good_rest.substr(0, good_rest.size() - 1)));  // unterminated
  CHECK_FALSE(parse_request_authorization("Zhaoyin-SM2 " + good_rest + ","));
  CHECK_FALSE(parse_request_authorization(
      "Zhaoyin-SM2 cert=\"MIIB\", timestamp=\"2026-12-07T10:00:00Z\", nonce=\"short\", signature=\"MEU=\""));
  CHECK_FALSE(parse_request_authorization(
      "Zhaoyin-SM2 cert=\"MIIB\", timestamp=\"2026-02-30T10:00:00Z\", nonce=\"abcdefghijklmnop\", signature=\"MEU=\""));
  CHECK_FALSE(parse_request_authorization(
      "Zhaoyin-SM2 cert=\"MI\\\"IB\", timestamp=\"2026-12-07T10:00:00Z\", nonce=\"abcdefghijklmnop\", signature=\"MEU=\""));
  CHECK_FALSE(parse_request_authorization("Zhaoyin-SM2 " + good_rest + std::string(9000, ' ')));
}

TEST_CASE("a request signature covers method, target, time, nonce and body") {
  const auto key = zhaoyin::trust::Sm2Key::generate();
  zhaoyin::trust::CertificateRequest request;
  request.subject = {{{"CN", "test host"}}};
  request.subject_key = key;
  request.profile = zhaoyin::trust::CertProfile::RelyingPartyHost;
  request.dns_names = {"localhost"};
  request.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  request.not_after = request.not_before + std::chrono::hours(48);
  const auto cert = zhaoyin::trust::issue_certificate(request, key, nullptr);
  const auto now = std::chrono::system_clock::now();
  const auto header = sign_request(cert, key, "GET", "/v1/seals/1?x=1", "body", now, "abcdefghijklmnopqrstuvwx");
  const auto parsed = parse_request_authorization(header);
  REQUIRE(parsed);
  const auto signature = zhaoyin::trust::base64_decode(parsed->signature);
  const auto verifies = [&](const std::string& method, const std::string& target, const std::string& nonce,
                            const std::string& body) {
    return key.verify(zhaoyin::trust::to_bytes(canonical_request(method, target, parsed->timestamp, nonce, body)),
                      signature);
  };
  CHECK(verifies("GET", "/v1/seals/1?x=1", "abcdefghijklmnopqrstuvwx", "body"));
  CHECK_FALSE(verifies("POST", "/v1/seals/1?x=1", "abcdefghijklmnopqrstuvwx", "body"));
  CHECK_FALSE(verifies("GET", "/v1/seals/1?x=2", "abcdefghijklmnopqrstuvwx", "body"));
  CHECK_FALSE(verifies("GET", "/v1/seals/1?x=1", "abcdefghijklmnopqrstuvwy", "body"));
  CHECK_FALSE(verifies("GET", "/v1/seals/1?x=1", "abcdefghijklmnopqrstuvwx", "bodY"));
  CHECK(parse_request_time(format_request_time(now)).has_value());
  CHECK(format_request_time(*parse_request_time("2026-12-07T10:00:00Z")) == "2026-12-07T10:00:00Z");
  CHECK_FALSE(parse_request_time("0886-12-07T10:00:00Z"));  // beyond the clock (fuzz finding 17)
  CHECK_FALSE(parse_request_time("2026-12-07T24:00:00Z"));
}
