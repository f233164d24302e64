// The sandbox authority as a network service, checked from outside: OpenSSL's
// command line asks the OCSP responder and reads the CRLs at the distribution
// points the certificates name; the operator commands change the authority
// while it runs and both the service and the host's sandbox reader follow.
#include <catch2/catch.hpp>
#include <Poco/URI.h>
#include <zhaoyin/authority/sandbox_connector.h>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/seal.h>
#include "authority_test_support.h"

using namespace zhaoyin;
using namespace zhaoyin::test;
using nlohmann::json;

namespace {

std::string openssl_ocsp(const OwnSandbox& s, const AuthorityProcess& a, const std::string& what,
                         const std::string& extra = {}) {
  return run_command("openssl ocsp -issuer " + quote(s.path("authority/ca-42.pem")) + " " + what + " -url " +
                     quote(a.url("/ocsp")) + " " + extra)
      .output;
}

trust::Bytes basic_response_of(const std::string& ocsp_response_der) {
  // OCSPResponse ::= SEQUENCE { responseStatus, responseBytes [0] EXPLICIT
  //   SEQUENCE { responseType, response OCTET STRING (BasicOCSPResponse) } } (RFC 6960 §4.2.1)
  const trust::Bytes bytes = trust::to_bytes(ocsp_response_der);  // the elements below point into it
  const auto outer = trust::der::parse(bytes).children();
  return outer.at(1).children().at(0).children().at(1).as_octets();
}

}  // namespace

TEST_CASE("openssl ocsp gets good, then revoked after revoke-license, from the responder the sandbox names") {
  const int port = free_loopback_port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  OwnSandbox s("--authority-url " + base);
  AuthorityProcess authority(s.dir, port);  // listens on the port of the sandbox's URL
  REQUIRE(authority.ready());
  const std::string serial = s.holder_serial(false);
  REQUIRE_FALSE(serial.empty());
  const std::string cert = s.path("authority/certs/" + serial + ".pem");
  const std::string chain = (s.tmp.path() / "chain-42.pem").string();
  write_file(chain, read_file(s.path("authority/root.pem")) + read_file(s.path("authority/ca-42.pem")));

  // RFC 5280 §4.2.1.13: the certificate names its CRL on this service.
  const auto text = run_command("openssl x509 -noout -text -in " + quote(cert));
  CHECK(text.output.find("X509v3 CRL Distribution Points") != std::string::npos);
  CHECK(text.output.find("URI:" + base + "/crl/42.crl") != std::string::npos);
  const auto ca_text = run_command("openssl x509 -noout -text -in " + quote(s.path("authority/ca-42.pem")));
  CHECK(ca_text.output.find("URI:" + base + "/crl/root.crl") != std::string::npos);

  // OpenSSL 3.0's ocsp command verifies the response signature without an SM2
  // distinguishing ID (it has no -vfyopt), so it refuses our correctly signed
  // response; the status itself it reads with -noverify, and pkeyutl checks the
  // signature with the ID below (docs/AUTHORITY.md §Interoperability).
  const std::string strict = openssl_ocsp(s, authority, "-cert " + quote(cert), "-CAfile " + quote(chain));
  INFO(strict);
  CHECK(strict.find("Response Verify Failure") != std::string::npos);
  const fs::path response_file = s.tmp.path() / "response.der";
  const std::string good =
      openssl_ocsp(s, authority, "-cert " + quote(cert), "-noverify -respout " + quote(response_file.string()));
  INFO(good);
  CHECK(good.find(cert + ": good") != std::string::npos);
  CHECK(good.find("This Update:") != std::string::npos);
  CHECK(good.find("Next Update:") != std::string::npos);
  CHECK(good.find("nonce") == std::string::npos);  // "WARNING: no nonce in response" / "Nonce Verify error"
  const SignedParts signed_response = split_signed(basic_response_of(read_file(response_file)));
  CHECK(openssl_sm2_verify(s.tmp.path(), read_file(s.path("authority/ca-42.pem")), signed_response.tbs,
                           signed_response.signature)
            .exit_code == 0);
  CHECK(openssl_sm2_verify(s.tmp.path(), read_file(s.path("authority/ca-42.pem")), signed_response.tbs,
                           signed_response.signature, false)
            .exit_code != 0);  // without the ID: why `openssl ocsp` refuses it

  // The root answers for the issuing CAs it certified.
  const std::string ca_status = run_command("openssl ocsp -issuer " + quote(s.path("authority/root.pem")) + " -cert " +
                                            quote(s.path("authority/ca-42.pem")) + " -url " +
                                            quote(authority.url("/ocsp")) + " -noverify")
                                    .output;
  CHECK(ca_status.find("ca-42.pem: good") != std::string::npos);
  const std::string signer_status = run_command("openssl ocsp -issuer " + quote(s.path("authority/root.pem")) +
                                                " -cert " + quote(s.path("authority/status-signer.pem")) + " -url " +
                                                quote(authority.url("/ocsp")) + " -noverify")
                                        .output;
  CHECK(signer_status.find("status-signer.pem: good") != std::string::npos);
  // A serial the CA never issued: unknown, not good (RFC 6960 §2.2).
  const std::string unknown = openssl_ocsp(s, authority, "-serial 0x0123456789ABCDEF", "-noverify");
  CHECK(unknown.find("0x0123456789ABCDEF: unknown") != std::string::npos);
  // A request OpenSSL reads but cannot encode back (a CertID whose hash
  // algorithm has an odd constructed parameter; found by the ocsp_request
  // fuzz target): malformedRequest (RFC 6960 §2.3), never an error page.
  const fs::path odd = fs::path(ZHAOYIN_SOURCE_DIR) / "fuzz/regressions/ocsp_request/certid-params-not-encodable.der";
  const fs::path odd_answer = s.tmp.path() / "odd-answer.der";
  const auto posted = run_command("curl -s -o " + quote(odd_answer.string()) + " -w '%{http_code}' --data-binary @" +
                                  quote(odd.string()) + " -H 'Content-Type: application/ocsp-request' " +
                                  quote(authority.url("/ocsp")));
  CHECK(posted.output == "400");  // with the OCSP body, as for any malformed request
  CHECK(read_file(odd_answer) == std::string("\x30\x03\x0a\x01\x01", 5));  // OCSPResponse { malformedRequest }

  const std::string said = s.operator_command("revoke-license " + quote(s.dir.string()) + " " + serial +
                                              " --reason keyCompromise");
  CHECK(said.find("crlNumber 2") != std::string::npos);
  const std::string revoked = openssl_ocsp(s, authority, "-cert " + quote(cert), "-noverify");
  INFO(revoked);
  CHECK(revoked.find(cert + ": revoked") != std::string::npos);
  CHECK(revoked.find("Reason: keyCompromise") != std::string::npos);
  CHECK(revoked.find("Revocation Time:") != std::string::npos);

  // The CRL at the distribution point lists it, re-signed with the next number.
  const HttpAnswer crl = http_exchange(port, "GET", Poco::URI(base + "/crl/42.crl").getPathEtc());
  REQUIRE(crl.status == 200);
  CHECK(crl.content_type == "application/pkix-crl");
  const fs::path crl_file = s.tmp.path() / "42.crl";
  write_file(crl_file, crl.body);
  const auto listed = run_command("openssl crl -inform DER -noout -text -in " + quote(crl_file.string()));
  CHECK(listed.output.find("Serial Number: " + serial) != std::string::npos);
  CHECK(listed.output.find("Key Compromise") != std::string::npos);
  CHECK(listed.output.find("Next Update:") != std::string::npos);
  // `openssl crl -CAfile` has the same gap as ocsp (no distinguishing ID);
  // pkeyutl with the ID verifies the CRL's signature.
  const auto crl_verify = run_command("openssl crl -inform DER -noout -in " + quote(crl_file.string()) + " -CAfile " +
                                      quote(chain));
  CHECK(crl_verify.output.find("verify failure") != std::string::npos);
  const SignedParts signed_crl = split_signed(trust::to_bytes(crl.body));
  CHECK(openssl_sm2_verify(s.tmp.path(), read_file(s.path("authority/ca-42.pem")), signed_crl.tbs, signed_crl.signature)
            .exit_code == 0);
  const auto parsed = trust::Crl::from_der(trust::to_bytes(crl.body));
  CHECK(parsed.crl_number() == 2);
  CHECK(parsed.find(serial).has_value());

  // The GET form (RFC 6960 Appendix A.1) answers the same.
  const fs::path request_file = s.tmp.path() / "request.der";
  run_command("openssl ocsp -issuer " + quote(s.path("authority/ca-42.pem")) + " -cert " + quote(cert) +
              " -no_nonce -reqout " + quote(request_file.string()));
  std::string encoded;
  Poco::URI::encode(trust::base64_encode(trust::to_bytes(read_file(request_file))), "/+=", encoded);
  const HttpAnswer by_get = http_exchange(port, "GET", "/ocsp/" + encoded);
  REQUIRE(by_get.status == 200);
  CHECK(by_get.content_type == "application/ocsp-response");
  write_file(response_file, by_get.body);
  const auto shown = run_command("openssl ocsp -respin " + quote(response_file.string()) + " -noverify -resp_text");
  CHECK(shown.output.find("Cert Status: revoked") != std::string::npos);

  // The host's own reader of the sandbox sees the revocation too.
  const authority::SandboxConnector host_view(s.dir);
  CHECK(host_view.revocation_status(serial).state == authority::CertificateState::Revoked);
  CHECK(authority.log().find("\"detail\":\"42: " + serial + "=revoked\"") != std::string::npos);
}

TEST_CASE("operator commands change enterprise, seal and grant status while the service runs") {
  OwnSandbox s;
  AuthorityProcess authority(s.dir);
  REQUIRE(authority.ready());
  const HostCredential host = host_credential(s);
  const auto signer = trust::Certificate::from_pem(read_file(s.path("authority/status-signer.pem")));
  const auto get = [&](const std::string& target) {
    const HttpAnswer a = signed_get(authority, host, target);
    INFO(target << " -> " << a.status << " " << a.body);
    // Every answer is signed by the status signer over its exact bytes.
    const std::string header = a.header("Authority-Signature");
    const auto at = header.find("signature=\"");
    REQUIRE(at != std::string::npos);
    const std::string sig = header.substr(at + 11, header.size() - at - 12);
    CHECK(header.find("signer=\"" + signer.serial_hex() + "\"") != std::string::npos);
    CHECK(signer.public_key().verify(trust::to_bytes(a.body), trust::base64_decode(sig)));
    return std::make_pair(a, json::parse(a.body));
  };

  const std::string uscc = s.manifest["enterprises"][0]["uscc"];
  auto [first, enterprise] = get("/v1/enterprises/" + uscc);
  REQUIRE(first.status == 200);
  CHECK(enterprise["status"] == "active");
  CHECK(enterprise["status_label"] == "存续");
  CHECK(enterprise.contains("fresh_until"));
  // The signature checks with OpenSSL too.
  {
    const std::string header = first.header("Authority-Signature");
    const auto at = header.find("signature=\"");
    CHECK(openssl_sm2_verify(s.tmp.path(), signer.pem(), first.body,
                             trust::to_string(trust::base64_decode(header.substr(at + 11, header.size() - at - 12))))
              .exit_code == 0);
  }
  s.operator_command("enterprise-status " + quote(s.dir.string()) + " " + uscc + " 吊销");
  CHECK(get("/v1/enterprises/" + uscc).second["status_label"] == "吊销");
  CHECK(authority::SandboxConnector(s.dir).find_license(uscc)->status == domain::LicenseStatus::Revoked);
  s.operator_command("enterprise-status " + quote(s.dir.string()) + " " + uscc + " 迁出");
  const json moved = get("/v1/enterprises/" + uscc).second;
  CHECK(moved["status"] == "moved_out");
  CHECK(moved["status_label"] == "迁出");
  CHECK(moved["changed_at"].is_string());

  // Seals: replaced (a new code takes its place), then the new one revoked; the feed lists all three events.
  const json registry = json::parse(read_file(s.path("authority/registry.json")));
  const std::string old_code = registry["enterprises"][0]["seals"][1]["es_id"];
  CHECK(get("/v1/seals/" + old_code).second["status"] == "active");
  const std::string said = s.operator_command("replace-seal " + quote(s.dir.string()) + " " + old_code);
  const std::string new_code = said.substr(said.rfind(' ') + 1, said.size() - said.rfind(' ') - 2);
  const json replaced = get("/v1/seals/" + old_code).second;
  CHECK(replaced["status"] == "replaced");
  CHECK(replaced["replaced_by"] == new_code);
  CHECK(get("/v1/seals/" + new_code).second["status"] == "active");
  const auto new_seal = trust::parse_seal(trust::to_bytes(read_file(s.path("seals/" + new_code + ".seal"))));
  CHECK(new_seal.info.es_id == new_code);
  CHECK(new_seal.info.name == replaced["name"]);
  s.operator_command("revoke-seal " + quote(s.dir.string()) + " " + new_code);
  CHECK(get("/v1/seals/" + new_code).second["status"] == "revoked");
  const json feed = get("/v1/seal-changes?since=0").second;
  REQUIRE(feed["events"].size() == 3);
  CHECK(feed["events"][0]["event"] == "replaced");
  CHECK(feed["events"][0]["replaced_by"] == new_code);
  CHECK(feed["events"][1]["event"] == "new");
  CHECK(feed["events"][1]["replaces"] == old_code);
  CHECK(feed["events"][2]["event"] == "revoked");
  CHECK(feed["next"] == 3);
  const json page = get("/v1/seal-changes?since=1&limit=1").second;
  CHECK(page["events"].size() == 1);
  CHECK(page["more"] == true);
  CHECK(get("/v1/seal-changes?since=3").second["events"].empty());

  // Grants: an agent's is active until withdrawn; a legal representative has none.
  std::string agent;
  std::string legal_rep;
  for (const auto& w : s.manifest["wallets"]) {
    if (w["role"] == "legal_representative" && legal_rep.empty()) legal_rep = w["cert_serial"];
    if (w["role"] != "legal_representative" && agent.empty() && !w["cert_revoked"].get<bool>()) agent = w["cert_serial"];
  }
  CHECK(get("/v1/grants/" + agent).second["status"] == "active");
  s.operator_command("withdraw-grant " + quote(s.dir.string()) + " " + agent);
  const json withdrawn = get("/v1/grants/" + agent).second;
  CHECK(withdrawn["status"] == "withdrawn");
  CHECK(withdrawn["generation"].get<int>() >= 5);
  const auto none = get("/v1/grants/" + legal_rep);
  CHECK(none.first.status == 404);
  CHECK(none.second["error"]["code"] == "unknown_grant");

  // Licenses: good, then revoked with its reason.
  const std::string serial = s.holder_serial(false);
  CHECK(get("/v1/licenses/" + serial).second["status"] == "good");
  s.operator_command("revoke-license " + quote(s.dir.string()) + " " + serial + " --reason affiliationChanged");
  const json license = get("/v1/licenses/" + serial).second;
  CHECK(license["status"] == "revoked");
  CHECK(license["reason"] == "affiliationChanged");
  CHECK(license["crl_number"] == 2);
  // SIGHUP reloads too (for files changed by hand); the log says so.
  ::kill(authority.pid(), SIGHUP);
  bool reloaded = false;
  for (int i = 0; i < 600 && !reloaded; ++i) {  // bounded by count, not by time
    reloaded = authority.log().find("\"why\":\"SIGHUP\"") != std::string::npos;
    if (!reloaded) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(reloaded);
  // Who asked what is logged.
  CHECK(authority.log().find("\"client\":\"Zhaoyin Sandbox Relying-Party Host serial " + host.cert.serial_hex()) !=
        std::string::npos);
}

TEST_CASE("operator commands refuse what the authority does not hold") {
  OwnSandbox s;
  const auto fails = [&](const std::string& arguments, const std::string& because) {
    const auto r = run_command(quote(bin("zhaoyin")) + " authority " + arguments);
    INFO(arguments << ": " << r.output);
    CHECK(r.exit_code == 1);
    CHECK(r.output.find(because) != std::string::npos);
  };
  const std::string dir = quote(s.dir.string());
  fails("revoke-license " + dir + " 0123456789ABCDEF", "issued no certificate with serial");
  fails("revoke-license " + dir + " " + s.holder_serial(true), "is already revoked");  // at init
  fails("revoke-license " + dir + " " + s.holder_serial(false) + " --reason removeFromCRL", "unknown CRL reason");
  fails("enterprise-status " + dir + " " + s.manifest["enterprises"][0]["uscc"].get<std::string>() + " 歇业",
        "unknown enterprise status");
  fails("enterprise-status " + dir + " 91420100MA4KXXXX00 吊销", "no enterprise with USCC");
  fails("replace-seal " + dir + " 000000000000", "no current seal with code");
  fails("revoke-seal " + dir + " 000000000000", "no current seal with code");
  fails("withdraw-grant " + dir + " " + s.holder_serial(false).substr(0, 8), "no holder with a grant");
  CHECK(run_command(quote(bin("zhaoyin")) + " authority serve").exit_code == 2);
  // The default distribution point, and a base URL init refuses.
  const auto text = run_command("openssl x509 -noout -text -in " +
                                quote(s.path("authority/certs/" + s.holder_serial(false) + ".pem")));
  CHECK(text.output.find("URI:http://127.0.0.1:8090/crl/42.crl") != std::string::npos);
  CHECK(s.manifest["authority"]["url"] == "http://127.0.0.1:8090");
  const TempDir other;
  CHECK(run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(other / "s") + " --authority-url ftp://x")
            .exit_code == 1);
  // Nothing changed: no state file was written.
  CHECK_FALSE(fs::exists(s.dir / "authority" / "authority-state.json"));
  // A sandbox that was never served can be changed all the same.
  CHECK(s.operator_command("revoke-license " + dir + " " + s.holder_serial(false)).find("crlNumber 2") !=
        std::string::npos);
  CHECK(fs::exists(s.dir / "authority" / "authority-state.json"));
}
