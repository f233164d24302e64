// QR images read back by zbarimg (an implementation that is not ours), and the
// host identity the sandbox issues.
#include <catch2/catch.hpp>
#include <sandbox_fixture.h>
#include <test_support.h>
#include <zhaoyin/flow/host_identity.h>
#include <zhaoyin/protocol/host_certificate.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/render/qr.h>
#include <zhaoyin/trust/chain.h>

using namespace zhaoyin;
using namespace zhaoyin::test;

TEST_CASE("QR PNG and SVG images decode to the text with zbarimg", "[qr]") {
  TempDir dir("qr");
  const std::string text = "http://127.0.0.1:8080/wallet/v1/requests/" + protocol::new_ticket();
  const auto qr = render::encode_qr(text);
  CHECK(qr.width == 17 + 4 * qr.version);
  write_file(dir.path() / "qr.png", render::qr_png(qr));
  const auto r = run_command("zbarimg --quiet --raw " + quote((dir.path() / "qr.png").string()));
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find(text) != std::string::npos);
  const std::string svg = render::qr_svg(qr);
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("viewBox=\"0 0 " + std::to_string(qr.width + 8)) != std::string::npos);
  CHECK_THROWS_AS(render::encode_qr(""), std::invalid_argument);
  CHECK_THROWS_AS(render::encode_qr(std::string(8000, 'x')), std::invalid_argument);
}

TEST_CASE("the sandbox's host certificate is a relying-party host certificate and signs wallet requests", "[identity]") {
  const auto& sandbox = shared_sandbox();
  const auto identity = flow::HostIdentity::load(sandbox / "authority/host.pem", sandbox / "authority/host.key");
  CHECK(identity.certificate().subject().get("CN") == "Zhaoyin Sandbox Relying-Party Host");
  CHECK(identity.certificate().has_extended_key_usage(trust::kRelyingPartyHostPurpose));
  REQUIRE(identity.chain().size() == 2);
  CHECK(identity.chain()[1].subject().get("CN") == "Zhaoyin Sandbox Relying-Party CA");

  // What a wallet holds: the root (the last certificate of its own chain).
  const auto root = trust::Certificate::from_pem(read_file(sandbox / "authority/root.pem"));
  const auto now = std::chrono::system_clock::now();
  for (const char* host : {"127.0.0.1", "localhost", "LOCALHOST", "[::1]"}) {
    const auto check = protocol::check_host_certificate(identity.chain(), root, host, now);
    INFO(host << ": " << check.message);
    CHECK(check.ok);
  }

  const nlohmann::json request = {{"type", "login"}, {"nonce", protocol::new_nonce()}};
  const auto envelope = identity.sign_request(request);
  CHECK(envelope["request"] == request);
  CHECK(envelope["host_certificates"].size() == 2);
  const auto cert = trust::Certificate::from_pem(envelope["host_certificates"][0].get<std::string>());
  CHECK(protocol::verify_message(request, envelope["signature"].get<std::string>(), cert.public_key()));
}

namespace {

struct Issued {
  trust::Certificate cert;
  trust::Sm2Key key;
};

Issued issue(trust::CertProfile profile, const std::string& cn, const trust::Sm2Key& issuer_key,
             const trust::Certificate* issuer, std::vector<std::string> dns = {}, std::vector<std::string> ips = {},
             int valid_hours = 24) {
  trust::CertificateRequest r;
  r.subject = {{{"C", "CN"}, {"CN", cn}}};
  r.subject_key = trust::Sm2Key::generate();
  r.profile = profile;
  r.not_before = std::chrono::system_clock::now() - std::chrono::hours(48);
  r.not_after = std::chrono::system_clock::now() + std::chrono::hours(valid_hours);
  r.dns_names = std::move(dns);
  r.ip_addresses = std::move(ips);
  const trust::Sm2Key& signer = issuer ? issuer_key : r.subject_key;
  return {trust::issue_certificate(r, signer, issuer), r.subject_key};
}

}  // namespace

TEST_CASE("the wallet's host certificate check refuses every certificate outside the relying-party profile",
          "[identity]") {
  const auto now = std::chrono::system_clock::now();
  const auto root_key = trust::Sm2Key::generate();
  const auto root = issue(trust::CertProfile::RootCa, "Root", root_key, nullptr);
  const auto rp_ca = issue(trust::CertProfile::RelyingPartyCa, "RP CA", root.key, &root.cert);
  const auto license_ca = issue(trust::CertProfile::IssuingCa, "License CA", root.key, &root.cert);
  const auto host = issue(trust::CertProfile::RelyingPartyHost, "Host", rp_ca.key, &rp_ca.cert, {"zhaoyin.tax.example"},
                          {"10.0.0.7"});

  // The profile passes, for each name it carries.
  CHECK(protocol::check_host_certificate({host.cert, rp_ca.cert}, root.cert, "zhaoyin.tax.example", now).ok);
  CHECK(protocol::check_host_certificate({host.cert, rp_ca.cert}, root.cert, "ZhaoYin.Tax.Example", now).ok);
  CHECK(protocol::check_host_certificate({host.cert, rp_ca.cert}, root.cert, "10.0.0.7", now).ok);

  // Another host's name.
  auto c = protocol::check_host_certificate({host.cert, rp_ca.cert}, root.cert, "evil.example", now);
  CHECK(c.code == "host_name_mismatch");
  CHECK(protocol::check_host_certificate({host.cert, rp_ca.cert}, root.cert, "10.0.0.8", now).code == "host_name_mismatch");
  CHECK(protocol::check_host_certificate({host.cert, rp_ca.cert}, root.cert, "tax.example", now).code ==
        "host_name_mismatch");

  // A license certificate (the relay attack's signer), even one naming the host.
  const auto license = issue(trust::CertProfile::License, "Holder", license_ca.key, &license_ca.cert, {"zhaoyin.tax.example"});
  c = protocol::check_host_certificate({license.cert, license_ca.cert}, root.cert, "zhaoyin.tax.example", now);
  CHECK(c.code == "not_a_host_certificate");
  // A certificate with the host purpose issued by a license CA (no purpose on the CA).
  const auto by_license_ca =
      issue(trust::CertProfile::RelyingPartyHost, "Host", license_ca.key, &license_ca.cert, {"zhaoyin.tax.example"});
  c = protocol::check_host_certificate({by_license_ca.cert, license_ca.cert}, root.cert, "zhaoyin.tax.example", now);
  CHECK(c.code == "not_a_host_certificate");
  // ... or directly by the root.
  const auto by_root = issue(trust::CertProfile::RelyingPartyHost, "Host", root.key, &root.cert, {"zhaoyin.tax.example"});
  CHECK(protocol::check_host_certificate({by_root.cert}, root.cert, "zhaoyin.tax.example", now).code ==
        "not_a_host_certificate");
  // A TLS server certificate from the relying-party CA without the purpose.
  const auto server = issue(trust::CertProfile::Server, "Host", rp_ca.key, &rp_ca.cert, {"zhaoyin.tax.example"});
  CHECK(protocol::check_host_certificate({server.cert, rp_ca.cert}, root.cert, "zhaoyin.tax.example", now).code ==
        "not_a_host_certificate");

  // Path problems: another root, a missing intermediate, an expired host certificate.
  const auto other_root = issue(trust::CertProfile::RootCa, "Other Root", root_key, nullptr);
  CHECK(protocol::check_host_certificate({host.cert, rp_ca.cert}, other_root.cert, "zhaoyin.tax.example", now).code ==
        "untrusted_host");
  CHECK(protocol::check_host_certificate({host.cert}, root.cert, "zhaoyin.tax.example", now).code == "untrusted_host");
  const auto expired = issue(trust::CertProfile::RelyingPartyHost, "Host", rp_ca.key, &rp_ca.cert, {"zhaoyin.tax.example"},
                             {}, -1);
  CHECK(protocol::check_host_certificate({expired.cert, rp_ca.cert}, root.cert, "zhaoyin.tax.example", now).code ==
        "untrusted_host");
  CHECK(protocol::check_host_certificate({}, root.cert, "zhaoyin.tax.example", now).code == "untrusted_host");

  // The issuer refuses a host certificate that names no host, and names that are not host names.
  CHECK_THROWS(issue(trust::CertProfile::RelyingPartyHost, "Host", rp_ca.key, &rp_ca.cert));
  CHECK_THROWS(issue(trust::CertProfile::RelyingPartyHost, "Host", rp_ca.key, &rp_ca.cert, {"*.tax.example"}));
  CHECK_THROWS(issue(trust::CertProfile::RelyingPartyHost, "Host", rp_ca.key, &rp_ca.cert, {"a,DNS:evil.example"}));
  CHECK_THROWS(issue(trust::CertProfile::RelyingPartyHost, "Host", rp_ca.key, &rp_ca.cert, {}, {"10.0.0.300"}));
}

TEST_CASE("url_host takes the host of an http(s) URL and refuses anything else", "[identity]") {
  CHECK(protocol::url_host("http://127.0.0.1:8080/wallet/v1/requests/x") == "127.0.0.1");
  CHECK(protocol::url_host("https://Zhaoyin.Tax.Example/wallet/v1/requests/x") == "zhaoyin.tax.example");
  CHECK(protocol::url_host("http://[::1]:8080/x") == "[::1]");
  CHECK(protocol::url_host("https://host") == "host");
  CHECK_FALSE(protocol::url_host("http://user@evil.example/x"));
  CHECK_FALSE(protocol::url_host("ftp://host/x"));
  CHECK_FALSE(protocol::url_host("http:///x"));
  CHECK_FALSE(protocol::url_host("http://[::1/x"));
  CHECK_FALSE(protocol::url_host("http://[::1]x/"));
  // Only what a certificate can name (found by the wallet_messages fuzz target: a raw 0xDA byte was a host).
  CHECK_FALSE(protocol::url_host("https://rp\xDA" "example/wallet/v1/requests/x"));
  CHECK_FALSE(protocol::url_host("https://evil.example\\.good.example/x"));
  CHECK_FALSE(protocol::url_host("https://a b/x"));
  CHECK_FALSE(protocol::url_host("https://rp%2eexample/x"));
  CHECK_FALSE(protocol::url_host("https://[fe80::1%25eth0]/x"));
  CHECK_FALSE(protocol::url_host("https://[v1.x]/x"));
  CHECK_FALSE(protocol::url_host("https://host:port/x"));
  CHECK_FALSE(protocol::url_host("https://host:65536/x"));
  CHECK(protocol::url_host("https://host:65535/x") == "host");
  CHECK(protocol::url_host("https://host:/x") == "host");  // RFC 3986: an empty port is allowed
  CHECK(protocol::url_host("https://xn--fiqs8s.example/x") == "xn--fiqs8s.example");
  CHECK(protocol::url_host("http://[::FFFF:127.0.0.1]/x") == "[::ffff:127.0.0.1]");
  CHECK_FALSE(protocol::url_host("/wallet/v1/requests/x"));
}

TEST_CASE("openssl reads the relying-party profile: the purpose OID and the host names", "[identity][interop]") {
  const auto& sandbox = shared_sandbox();
  const auto r = run_command("openssl x509 -noout -ext extendedKeyUsage,subjectAltName -in " +
                             quote((sandbox / "authority/host.pem").string()));
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find(std::string(trust::kRelyingPartyHostPurpose)) != std::string::npos);
  CHECK(r.output.find("DNS:localhost") != std::string::npos);
  CHECK(r.output.find("IP Address:127.0.0.1") != std::string::npos);
  // The path verifies with openssl's own verifier, one link at a time: openssl
  // applies -vfyopt distid only to the certificate it verifies, not to an
  // -untrusted intermediate (docs/SANDBOX.md), so each link is its own call.
  const std::string id = "openssl verify -vfyopt distid:1234567812345678 ";
  const auto ca = run_command(id + "-CAfile " + quote((sandbox / "authority/root.pem").string()) + " " +
                              quote((sandbox / "authority/rp-ca.pem").string()));
  INFO(ca.output);
  CHECK(ca.exit_code == 0);
  const auto leaf = run_command(id + "-partial_chain -CAfile " + quote((sandbox / "authority/rp-ca.pem").string()) +
                                " " + quote((sandbox / "authority/host.pem").string()));
  INFO(leaf.output);
  CHECK(leaf.exit_code == 0);
  // And refuses the host certificate under a license CA.
  const auto wrong = run_command(id + "-partial_chain -CAfile " + quote((sandbox / "authority/ca-42.pem").string()) +
                                 " " + quote((sandbox / "authority/host.pem").string()));
  CHECK(wrong.exit_code != 0);
}

TEST_CASE("a host identity whose key is not the certificate's is refused", "[identity]") {
  const auto& sandbox = shared_sandbox();
  const auto cert = trust::Certificate::from_pem(read_file(sandbox / "authority/host.pem"));
  CHECK_THROWS_AS(flow::HostIdentity(trust::Sm2Key::generate(), {cert}), flow::HostIdentityError);
  CHECK_THROWS_AS(flow::HostIdentity(trust::Sm2Key::generate(), {}), flow::HostIdentityError);
  CHECK_THROWS_AS(flow::HostIdentity::load(sandbox / "authority/host.pem", sandbox / "authority/root.pem"),
                  flow::HostIdentityError);
}

TEST_CASE("an older sandbox gets a relying-party CA and host credential from `sandbox init`", "[identity]") {
  TempDir dir("upgrade");
  const auto copy = copy_sandbox(dir);
  // As an earlier version left it: a host certificate issued by the root, no relying-party CA.
  std::filesystem::remove(copy / "authority/rp-ca.pem");
  std::filesystem::remove(copy / "authority/rp-ca.key");
  const auto root = trust::Certificate::from_pem(read_file(copy / "authority/root.pem"));
  const auto root_key = trust::Sm2Key::from_pem(read_file(copy / "authority/root.key"));
  const auto old_host = issue(trust::CertProfile::Server, "Zhaoyin Sandbox Relying-Party Host", root_key, &root);
  write_file(copy / "authority/host.pem", old_host.cert.pem());
  write_file(copy / "authority/host.key", old_host.key.private_pem());

  const auto r = run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(copy.string()));
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("host credential") != std::string::npos);
  const auto identity = flow::HostIdentity::load(copy / "authority/host.pem", copy / "authority/host.key");
  CHECK(protocol::check_host_certificate(identity.chain(), root, "127.0.0.1", std::chrono::system_clock::now()).ok);
  const auto again = run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(copy.string()));
  CHECK(again.output.find("nothing changed") != std::string::npos);

  // --host-name adds a name and re-issues the host certificate for it.
  const auto named = run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(copy.string()) +
                                 " --host-name zhaoyin.demo.example --host-name 192.0.2.10");
  REQUIRE(named.exit_code == 0);
  const auto renamed = flow::HostIdentity::load(copy / "authority/host.pem", copy / "authority/host.key");
  CHECK(protocol::check_host_certificate(renamed.chain(), root, "zhaoyin.demo.example", std::chrono::system_clock::now()).ok);
  CHECK(protocol::check_host_certificate(renamed.chain(), root, "192.0.2.10", std::chrono::system_clock::now()).ok);
  CHECK(protocol::check_host_certificate(renamed.chain(), root, "127.0.0.1", std::chrono::system_clock::now()).ok);
  const auto bad = run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(copy.string()) + " --host-name 'a b'");
  CHECK(bad.exit_code != 0);
}
