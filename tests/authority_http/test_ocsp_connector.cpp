// authority.certificate_status = ocsp: the http connector asks the service's
// OCSP responder (RFC 6960) and believes only what verifies — SM2 with the ID
// 1234567812345678 by the issuing CA or a responder it certified for OCSP
// signing, about the certificate asked, with the nonce echoed, current. What
// the host sends and accepts is checked with OpenSSL's command line too.
#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <zhaoyin/authority/ocsp_client.h>
#include "authority_http_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using authority::CertificateState;
using authority::HttpAuthorityConnector;
using authority::OcspRefused;

namespace {

trust::Certificate certificate_at(const fs::path& file) { return trust::Certificate::from_pem(read_file(file)); }

authority::HttpConnectorSettings ocsp_settings(const ServedSandbox& s, const std::string& url, int grace_seconds) {
  auto c = connector_settings(s, url, std::chrono::seconds(0), std::chrono::seconds(grace_seconds));
  c.certificate_status = authority::CertificateStatusSource::Ocsp;
  return c;
}

// POST the query to the service's responder, as any OCSP client would.
trust::Bytes ask(const ServedSandbox& s, const authority::OcspQuery& q) {
  const auto a = http_exchange(s.port(), "POST", "/ocsp", {}, std::string(q.der.begin(), q.der.end()),
                               "application/ocsp-request");
  REQUIRE(a.status == 200);
  return trust::to_bytes(a.body);
}

// A responder certificate the CA issues (RFC 6960 §4.2.2.2), with or without
// id-kp-OCSPSigning — or, without the CA's key, one that only bears the CA's
// name (self-signed) — and a response to `q` it signs with the ID set.
struct Delegate {
  trust::Certificate cert;
  trust::Sm2Key key;
};
Delegate make_delegate(const trust::Certificate& ca, const trust::Sm2Key* ca_key, bool ocsp_signing) {
  Delegate d{{}, trust::Sm2Key::generate()};
  trust::CertificateRequest r;
  r.subject.attributes = {{"O", "Zhaoyin sandbox"}, {"CN", "沙箱 OCSP 响应者"}};
  r.subject_key = d.key;
  r.profile = trust::CertProfile::SealMaker;  // an end entity: digitalSignature
  r.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
  r.not_after = std::chrono::system_clock::now() + std::chrono::hours(24);
  // RFC 5280 §4.2.1.12 extendedKeyUsage id-kp-OCSPSigning
  if (ocsp_signing) r.extra_extensions = {{"2.5.29.37", trust::der::sequence({trust::der::oid("1.3.6.1.5.5.7.3.9")})}};
  if (!ca_key) r.subject = ca.subject();
  d.cert = ca_key ? trust::issue_certificate(r, *ca_key, &ca) : trust::issue_certificate(r, d.key, nullptr);
  return d;
}
trust::Bytes delegated_response(const authority::OcspQuery& q, const Delegate& d) {
  const unsigned char* p = q.der.data();
  OCSP_REQUEST* request = d2i_OCSP_REQUEST(nullptr, &p, static_cast<long>(q.der.size()));
  OCSP_BASICRESP* basic = OCSP_BASICRESP_new();
  ASN1_TIME* now = ASN1_TIME_set(nullptr, std::time(nullptr));
  ASN1_TIME* next = ASN1_TIME_set(nullptr, std::time(nullptr) + 300);
  OCSP_basic_add1_status(basic, OCSP_onereq_get0_id(OCSP_request_onereq_get0(request, 0)), V_OCSP_CERTSTATUS_GOOD, 0,
                         nullptr, now, next);
  OCSP_copy_nonce(basic, request);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new(d.key.native(), nullptr);
  EVP_PKEY_CTX_set1_id(pctx, "1234567812345678", 16);
  EVP_MD_CTX_set_pkey_ctx(md, pctx);
  EVP_DigestSignInit(md, nullptr, EVP_sm3(), nullptr, d.key.native());
  OCSP_basic_sign_ctx(basic, d.cert.native(), md, nullptr, OCSP_RESPID_KEY);  // the responder's certificate attached
  OCSP_RESPONSE* response = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, basic);
  unsigned char* der = nullptr;
  const int length = i2d_OCSP_RESPONSE(response, &der);
  trust::Bytes out(der, der + length);
  OPENSSL_free(der);
  OCSP_RESPONSE_free(response);
  EVP_MD_CTX_free(md);
  EVP_PKEY_CTX_free(pctx);
  ASN1_TIME_free(now);
  ASN1_TIME_free(next);
  OCSP_BASICRESP_free(basic);
  OCSP_REQUEST_free(request);
  return out;
}

}  // namespace

TEST_CASE("with certificate_status = ocsp the connector asks the responder: good, then revoked by the operator") {
  ServedSandbox s;
  HttpAuthorityConnector c(ocsp_settings(s, s.url(), 0));
  const std::string serial = wallet_entry(s.dir(), "91420100YULA38GUXF-1")["cert_serial"];
  const auto holder = c.find_holder(serial);
  REQUIRE(holder);
  const auto ca = certificate_at(s.dir() / "authority" / "ca-42.pem");
  const auto live = c.live_status(holder->certificate, ca);
  REQUIRE(live);
  CHECK(live->state == CertificateState::Good);
  CHECK(c.revocation_status(serial).state == CertificateState::Good);
  CHECK(s.authority_log().find("\"target\":\"/ocsp/") != std::string::npos);
  // The CA itself, asked of the root's responder.
  const auto root = certificate_at(s.dir() / "authority" / "root.pem");
  CHECK(c.live_status(ca, root)->state == CertificateState::Good);

  s.operator_command("revoke-license " + quote(s.dir().string()) + " " + serial + " --reason keyCompromise");
  const auto revoked = c.live_status(holder->certificate, ca);
  REQUIRE(revoked);
  CHECK(revoked->state == CertificateState::Revoked);
  CHECK(revoked->reason == "key_compromise");
  CHECK(revoked->revoked_at.has_value());
  CHECK(c.revocation_status(serial).state == CertificateState::Revoked);

  // With certificate_status = crl the responder is not asked.
  HttpAuthorityConnector crl(connector_settings(s, s.url(), std::chrono::seconds(0), std::chrono::seconds(0)));
  CHECK_FALSE(crl.live_status(holder->certificate, ca));
}

TEST_CASE("OCSP answers that do not verify are refused: a flipped byte, another nonce, another certificate, another signer") {
  ServedSandbox s;
  const std::string serial = wallet_entry(s.dir(), "91420100YULA38GUXF-1")["cert_serial"];
  const auto cert = certificate_at(s.dir() / "authority" / "certs" / (serial + ".pem"));
  const auto ca = certificate_at(s.dir() / "authority" / "ca-42.pem");
  const auto now = std::chrono::system_clock::now();
  const auto q = authority::make_ocsp_query(cert, ca);
  CHECK(q.nonce.size() == 16);
  const auto good = ask(s, q);
  CHECK(authority::read_ocsp_response(good, q, cert, ca, now).status.state == CertificateState::Good);
  CHECK(authority::read_ocsp_response(good, q, cert, ca, now).responder == "issuer");

  SECTION("a byte of the signed data flipped") {
    auto bad = good;
    bad[bad.size() / 2] ^= 0x01;
    CHECK_THROWS_AS(authority::read_ocsp_response(bad, q, cert, ca, now), OcspRefused);
  }
  SECTION("the signature's last byte flipped") {
    auto bad = good;
    bad.back() ^= 0x01;
    CHECK_THROWS_AS(authority::read_ocsp_response(bad, q, cert, ca, now), OcspRefused);
  }
  SECTION("an answer to another request (its nonce) is not an answer to this one") {
    const auto other = authority::make_ocsp_query(cert, ca);
    CHECK_THROWS_WITH(authority::read_ocsp_response(good, other, cert, ca, now), Catch::Contains("nonce"));
  }
  SECTION("an answer about another certificate") {
    const std::string agent = wallet_entry(s.dir(), "91420100YULA38GUXF-3")["cert_serial"];
    const auto other = certificate_at(s.dir() / "authority" / "certs" / (agent + ".pem"));
    const auto q2 = authority::make_ocsp_query(other, ca);
    CHECK_THROWS_WITH(authority::read_ocsp_response(ask(s, q2), q2, cert, ca, now), Catch::Contains("nothing about"));
  }
  SECTION("an answer signed by another CA than the issuer") {
    const auto other_ca = certificate_at(s.dir() / "authority" / "ca-41.pem");
    CHECK_THROWS_WITH(authority::read_ocsp_response(good, q, cert, other_ca, now), Catch::Contains("neither"));
  }
  SECTION("an answer past its nextUpdate") {
    CHECK_THROWS_WITH(authority::read_ocsp_response(good, q, cert, ca, now + std::chrono::hours(1)),
                      Catch::Contains("nextUpdate"));
  }
  SECTION("not an OCSP response, or malformedRequest") {
    CHECK_THROWS_AS(authority::read_ocsp_response(trust::to_bytes("not DER"), q, cert, ca, now), OcspRefused);
    CHECK_THROWS_WITH(authority::read_ocsp_response(trust::Bytes{0x30, 0x03, 0x0a, 0x01, 0x01}, q, cert, ca, now),
                      Catch::Contains("malformedrequest"));
  }
  SECTION("a delegated responder the CA certified for OCSP signing is believed, one without the purpose is not") {
    const auto ca_key = trust::Sm2Key::from_pem(read_file(s.dir() / "authority" / "ca-42.key"));
    const auto delegate = make_delegate(ca, &ca_key, true);
    const auto answer = authority::read_ocsp_response(delegated_response(q, delegate), q, cert, ca, now);
    CHECK(answer.status.state == CertificateState::Good);
    CHECK(answer.responder.find("OCSP") != std::string::npos);
    const auto no_purpose = make_delegate(ca, &ca_key, false);
    CHECK_THROWS_WITH(authority::read_ocsp_response(delegated_response(q, no_purpose), q, cert, ca, now),
                      Catch::Contains("OCSPSigning"));
    // Not certified by the CA: bearing its name is not enough.
    const auto stranger = make_delegate(ca, nullptr, true);
    CHECK_THROWS_WITH(authority::read_ocsp_response(delegated_response(q, stranger), q, cert, ca, now),
                      Catch::Contains("not certified by"));
  }
}

TEST_CASE("what the connector sends and accepts, checked with OpenSSL's command line") {
  ServedSandbox s;
  TempDir work("zhaoyin-ocsp-openssl");
  const std::string serial = wallet_entry(s.dir(), "91420100YULA38GUXF-1")["cert_serial"];
  const auto cert_file = s.dir() / "authority" / "certs" / (serial + ".pem");
  const auto ca_file = s.dir() / "authority" / "ca-42.pem";
  const auto cert = certificate_at(cert_file);
  const auto ca = certificate_at(ca_file);
  const auto q = authority::make_ocsp_query(cert, ca);
  write_file(work.path() / "req.der", std::string(q.der.begin(), q.der.end()));

  // OpenSSL reads our request: SHA-1 CertID of this serial, our nonce.
  const auto text = run_command("openssl ocsp -reqin " + quote((work.path() / "req.der").string()) + " -req_text");
  INFO(text.output);
  REQUIRE(text.exit_code == 0);
  CHECK(text.output.find("Hash Algorithm: sha1") != std::string::npos);
  CHECK(text.output.find("Serial Number: " + serial) != std::string::npos);
  CHECK(text.output.find("OCSP Nonce") != std::string::npos);

  // OpenSSL sends it to the responder; we accept what comes back (our nonce).
  const auto resp_file = work.path() / "resp.der";
  const auto sent = run_command("openssl ocsp -reqin " + quote((work.path() / "req.der").string()) + " -url " +
                                quote(s.url() + "/ocsp") + " -respout " + quote(resp_file.string()) + " -noverify");
  INFO(sent.output);
  REQUIRE(sent.exit_code == 0);
  const auto response = trust::to_bytes(read_file(resp_file));
  const auto accepted = authority::read_ocsp_response(response, q, cert, ca, std::chrono::system_clock::now());
  CHECK(accepted.status.state == CertificateState::Good);

  // The signature we accepted, checked by OpenSSL's pkeyutl over the exact
  // tbsResponseData with the ID (openssl ocsp itself cannot: no SM2 ID).
  const auto outer = trust::der::parse(response).children();
  const auto basic = outer.at(1).children().at(0).children().at(1).as_octets();
  const auto parts = split_signed(basic);
  const auto check = openssl_sm2_verify(work.path(), ca.pem(), parts.tbs, parts.signature);
  INFO(check.output);
  CHECK(check.exit_code == 0);
  CHECK(openssl_sm2_verify(work.path(), ca.pem(), parts.tbs, parts.signature, false).exit_code != 0);
}
