// The http connector in-process against the real authority service: every
// record it needs comes over the network, verified; caching follows the
// configured freshness; revocation, withdrawn grants and tampered or
// unverifiable answers are refused.
#include <catch2/catch.hpp>
#include "authority_http_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using authority::HttpAuthorityConnector;

namespace {

ServedSandbox& served() {
  static ServedSandbox s;
  return s;
}

const std::string kUscc = "91420100YULA38GUXF";

std::string serial_of(const std::string& stem) { return wallet_entry(served().dir(), stem)["cert_serial"]; }

}  // namespace

TEST_CASE("the http connector reads certificates, holders, face info and seals from the service, verified") {
  auto& s = served();
  HttpAuthorityConnector c(connector_settings(s, s.url(), std::chrono::seconds(300), std::chrono::seconds(60)));
  const std::string serial = serial_of("91420100YULA38GUXF-1");

  const auto holder = c.find_holder(serial);
  REQUIRE(holder);
  CHECK(holder->uscc == kUscc);
  CHECK(holder->role == domain::HolderRole::LegalRepresentative);
  CHECK(holder->certificate.serial_hex() == serial);
  CHECK_FALSE(holder->grant);

  // The trust store: the configured root, the issuing CAs and the CRLs fetched
  // from the distribution points; the holder's certificate chains through it.
  const auto result = c.trust_store().verify(holder->certificate, std::chrono::system_clock::now(), true);
  INFO(result.message);
  CHECK(result.ok);
  CHECK(c.revocation_status(serial).state == authority::CertificateState::Good);
  CHECK(c.revocation_status("ABCDEF0123").state == authority::CertificateState::Unknown);
  REQUIRE(c.find_certificate(serial));
  CHECK(c.find_certificate(serial)->der() == holder->certificate.der());

  const auto face = c.find_license(kUscc);
  REQUIRE(face);
  CHECK(face->uscc == kUscc);
  CHECK(face->status == domain::LicenseStatus::Active);
  CHECK_FALSE(c.find_license("91110000MA01ABCD1X"));  // a signed 404

  const auto holders = c.holders_of(kUscc);
  REQUIRE(holders.size() >= 3);
  CHECK(holders.front().role == domain::HolderRole::LegalRepresentative);
  const auto agent = c.find_holder(serial_of("91420100YULA38GUXF-3"));
  REQUIRE(agent);
  REQUIRE(agent->grant);
  CHECK(agent->grant->signer_cert_serial == serial);

  const auto seals = c.seals_of(kUscc);
  REQUIRE_FALSE(seals.empty());
  for (const auto& seal : seals) {
    CHECK(seal.uscc == kUscc);
    REQUIRE(seal.seal_der.size() > 100);
    CHECK(seal.seal_der.front() == 0x30);  // a DER SEQUENCE (GB/T 38540 SESeal)
    REQUIRE(seal.image_png.size() > 8);
    CHECK(seal.image_png[1] == 'P');  // \x89PNG
  }

  // Within max_freshness the answers come from the cache: asking again sends nothing.
  const auto before = c.health();
  CHECK(before.state == "ok");
  CHECK(before.requests > 0);
  CHECK(c.find_holder(serial));
  c.trust_store();
  const auto after = c.health();
  CHECK(after.requests == before.requests);
  CHECK(after.cache_hits > before.cache_hits);
}

TEST_CASE("with freshness 0 a revocation and a withdrawn grant at the authority are seen at once") {
  auto& s = served();
  HttpAuthorityConnector c(connector_settings(s, s.url(), std::chrono::seconds(0), std::chrono::seconds(60)));
  const std::string agent = serial_of("91420100YULA38GUXF-3");
  REQUIRE(c.find_holder(agent)->grant);
  s.operator_command("withdraw-grant " + quote(s.dir().string()) + " " + agent);
  const auto withdrawn = c.find_holder(agent);
  REQUIRE(withdrawn);
  CHECK_FALSE(withdrawn->grant);  // no longer in force: the verifier refuses the holder's grant

  const std::string admin = serial_of("91420100YULA38GUXF-2");
  const auto cert = c.find_holder(admin)->certificate;
  CHECK(c.trust_store().verify(cert, std::chrono::system_clock::now(), true).ok);
  s.operator_command("revoke-license " + quote(s.dir().string()) + " " + admin + " --reason keyCompromise");
  const auto chain = c.trust_store().verify(cert, std::chrono::system_clock::now(), true);
  CHECK_FALSE(chain.ok);
  CHECK(chain.code == "cert_revoked");
  const auto status = c.revocation_status(admin);
  CHECK(status.state == authority::CertificateState::Revoked);
  CHECK(status.reason == "key_compromise");
}

TEST_CASE("answers changed on the way are refused, and so is a status signer the root did not issue") {
  auto& s = served();
  TamperingProxy proxy(s.port());
  HttpAuthorityConnector c(connector_settings(s, proxy.url(), std::chrono::seconds(0), std::chrono::seconds(0)));
  const std::string serial = serial_of("91420100YULA38GUXF-1");
  REQUIRE(c.find_holder(serial));  // passed through unchanged: accepted

  proxy.tamper(true);
  try {
    c.find_holder(serial);
    FAIL("a tampered answer was accepted");
  } catch (const authority::AuthorityUnavailable& e) {
    CHECK(std::string(e.what()).find("Authority-Signature") != std::string::npos);
  }
  CHECK_THROWS_AS(c.find_license(kUscc), authority::AuthorityUnavailable);
  CHECK_THROWS_AS(c.trust_store(), authority::AuthorityUnavailable);
  CHECK(c.health().state == "unavailable");
  CHECK(c.health().unavailable >= 3);

  // A connector whose trust anchor is not the authority's root: the status
  // signer does not chain to it, so no answer is believed.
  auto wrong = connector_settings(s, s.url(), std::chrono::seconds(0), std::chrono::seconds(0));
  wrong.root = trust::Certificate::from_pem(read_file(s.dir() / "authority" / "ca-42.pem"));
  HttpAuthorityConnector untrusting(wrong);
  try {
    untrusting.find_holder(serial);
    FAIL("an answer signed by a status signer outside the trusted root was accepted");
  } catch (const authority::AuthorityUnavailable& e) {
    CHECK(std::string(e.what()).find("not issued by the authority's root") != std::string::npos);
  }
}

TEST_CASE("the host's answers carry a signature OpenSSL verifies over the new record endpoints") {
  auto& s = served();
  const auto host = host_credential(s.sandbox());
  for (const std::string& target : std::vector<std::string>{"/v1/ca-certificates", "/v1/enterprises/" + kUscc + "/holders",
                                   "/v1/enterprises/" + kUscc + "/seals", "/v1/enterprises/" + kUscc + "/license",
                                   "/v1/holders/" + serial_of("91420100YULA38GUXF-1"),
                                   "/v1/certificates/" + serial_of("91420100YULA38GUXF-1")}) {
    const auto r = http_exchange(s.port(), "GET", target,
                                 {{"Authorization", authority::sign_request(host.cert, host.key, "GET", target, "",
                                                                            std::chrono::system_clock::now())}});
    INFO(target << " " << r.body.substr(0, 300));
    REQUIRE(r.status == 200);
    const auto sig = authority::parse_authority_signature(r.header("Authority-Signature"));
    REQUIRE(sig);
    const std::string der(reinterpret_cast<const char*>(trust::base64_decode(sig->signature).data()),
                          trust::base64_decode(sig->signature).size());
    CHECK(openssl_sm2_verify(s.sandbox().tmp.path(), read_file(s.dir() / "authority" / "status-signer.pem"), r.body,
                             der)
              .exit_code == 0);
    // Without a signature: refused, as on the status endpoints.
    CHECK(http_exchange(s.port(), "GET", target).status == 401);
  }
  CHECK(http_exchange(s.port(), "GET", "/v1/enterprises/" + kUscc + "/nothing").status == 404);
}
