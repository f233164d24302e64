// https:// to the authority: `zhaoyin authority serve --tls-cert --tls-key`
// serves TLS, and the http connector (in process and in zhaoyin-host) talks
// to it trusting authority.ca_file or the system's CA store. A server whose
// certificate another CA issued, or which names another host, is refused:
// the fetch fails and verification fails closed (authority_unavailable),
// never a connection without verification.
#include <catch2/catch.hpp>
#include "authority_http_fixture.h"
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

const std::string kUscc = "91420100YULA38GUXF";

void openssl(const std::string& arguments) {
  const auto r = run_command("openssl " + arguments);
  if (r.exit_code != 0) throw std::runtime_error("openssl " + arguments + " failed:\n" + r.output);
}

// An ECDSA P-256 CA, and server certificates it (or another CA) issues for a
// subjectAltName (OpenSSL 3.0 has no TLS suites for SM2 certificates).
struct TlsFiles {
  TempDir dir{"zhaoyin-authority-tls"};
  fs::path file(const std::string& name) const { return dir.path() / name; }
  std::string q(const std::string& name) const { return quote(file(name).string()); }

  void make_ca(const std::string& name) const {
    openssl("req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj " + quote("/CN=" + name) +
            " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -keyout " +
            q(name + ".key") + " -out " + q(name + ".pem"));
  }
  void make_server(const std::string& name, const std::string& ca, const std::string& alt_name) const {
    write_file(file(name + ".ext"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                                    "extendedKeyUsage=serverAuth\nsubjectAltName=" + alt_name + "\n");
    openssl("req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=zhaoyin-authority -keyout " +
            q(name + ".key") + " -out " + q(name + ".csr"));
    openssl("x509 -req -days 2 -in " + q(name + ".csr") + " -CA " + q(ca + ".pem") + " -CAkey " + q(ca + ".key") +
            " -set_serial 0x" + std::to_string(1000 + name.size()) + " -extfile " + q(name + ".ext") + " -out " +
            q(name + ".pem"));
  }
  TlsFiles() {
    make_ca("ca");
    make_ca("other-ca");
    make_server("server", "ca", "IP:127.0.0.1");             // names the address the URL uses
    make_server("elsewhere", "ca", "DNS:authority.invalid");  // the right CA, another host
  }
  std::vector<std::string> serve_args(const std::string& server) const {
    return {"--tls-cert", file(server + ".pem").string(), "--tls-key", file(server + ".key").string()};
  }
};

authority::HttpConnectorSettings tls_settings(const OwnSandbox& sandbox, const std::string& url, const fs::path& ca_file) {
  const auto host = host_credential(sandbox);
  authority::HttpConnectorSettings c;
  c.url = url;
  c.ca_file = ca_file.string();
  c.root = trust::Certificate::from_pem(read_file(sandbox.dir / "authority" / "root.pem"));
  c.host_certificate = host.cert;
  c.host_key = host.key;
  c.retries = 0;
  c.max_freshness = std::chrono::seconds(0);
  c.grace = std::chrono::seconds(0);
  return c;
}

// The connector cannot ask: AuthorityUnavailable, and the reason names TLS.
void refused_over_tls(const authority::HttpConnectorSettings& settings, const std::string& why) {
  authority::HttpAuthorityConnector c(settings);
  CHECK_THROWS_AS(c.find_license(kUscc), authority::AuthorityUnavailable);
  INFO(c.health().last_error);
  CHECK(c.health().state == "unavailable");
  CHECK(c.health().last_error.find(why) != std::string::npos);
}

}  // namespace

TEST_CASE("the authority over https: trusted through authority.ca_file, and refused with another CA, the system store, or another host name") {
  const int port = free_loopback_port();
  const std::string url = "https://127.0.0.1:" + std::to_string(port);
  OwnSandbox sandbox("--authority-url " + url);
  TlsFiles tls;
  auto service = std::make_unique<AuthorityProcess>(sandbox.dir, port, tls.serve_args("server"));
  REQUIRE(service->ready());
  CHECK(service->log().find("\"tls\":true") != std::string::npos);

  // Trusting the CA that issued the server's certificate: records, CRLs (at
  // their https distribution points) and the chain check all work.
  {
    authority::HttpAuthorityConnector c(tls_settings(sandbox, url, tls.file("ca.pem")));
    const auto face = c.find_license(kUscc);
    REQUIRE(face);
    CHECK(face->uscc == kUscc);
    CHECK(c.trust_store().crls().size() >= 2);
    CHECK(c.health().state == "ok");
  }
  CHECK(service->log().find("\"target\":\"/crl/42.crl\"") != std::string::npos);

  refused_over_tls(tls_settings(sandbox, url, tls.file("other-ca.pem")), "TLS");  // another CA
  refused_over_tls(tls_settings(sandbox, url, ""), "TLS");                        // the system store knows no test CA
  // Plain http to the TLS port gets no HTTP answer.
  {
    authority::HttpAuthorityConnector c(tls_settings(sandbox, "http://127.0.0.1:" + std::to_string(port), ""));
    CHECK_THROWS_AS(c.find_license(kUscc), authority::AuthorityUnavailable);
  }

  // The same CA, but a certificate for another host name: refused.
  service.reset();
  service = std::make_unique<AuthorityProcess>(sandbox.dir, port, tls.serve_args("elsewhere"));
  REQUIRE(service->ready());
  refused_over_tls(tls_settings(sandbox, url, tls.file("ca.pem")), "does not name 127.0.0.1");
}

TEST_CASE("zhaoyin-host verifies presentations through an https authority, and fails closed with authority_unavailable when it cannot trust it") {
  const int port = free_loopback_port();
  const std::string url = "https://127.0.0.1:" + std::to_string(port);
  OwnSandbox sandbox("--authority-url " + url);
  TlsFiles tls;
  AuthorityProcess service(sandbox.dir, port, tls.serve_args("server"));
  REQUIRE(service.ready());
  const auto wallet = sandbox_wallet(sandbox.dir, "91420100YULA38GUXF-1");
  const auto host_args = [&](const fs::path& ca_file) {
    return std::vector<std::string>{"--set", "authority.driver=http",  "--set", "authority.url=" + url,
                                    "--set", "authority.ca_file=" + ca_file.string(),
                                    "--set", "authority.max_freshness_seconds=0",
                                    "--set", "authority.grace_seconds=0", "--set", "authority.retries=0"};
  };

  TempDir work_ok("zhaoyin-https-authority-ok");
  PresentationHost trusting(work_ok.path(), sandbox.dir, host_args(tls.file("ca.pem")));
  const auto ok = trusting.present("banking", fresh_code(wallet));
  INFO(ok.body);
  CHECK(ok.status == 201);
  CHECK(trusting.get("/healthz").json()["authority_state"] == "ok");

  TempDir work_wrong("zhaoyin-https-authority-wrong-ca");
  PresentationHost distrusting(work_wrong.path(), sandbox.dir, host_args(tls.file("other-ca.pem")));
  const auto refused = distrusting.present("banking", fresh_code(wallet));
  INFO(refused.body);
  CHECK(refused.status == 503);
  CHECK(error_code(refused) == "authority_unavailable");
  CHECK(distrusting.get("/healthz").json()["authority_error"].get<std::string>().find("TLS") != std::string::npos);
}
