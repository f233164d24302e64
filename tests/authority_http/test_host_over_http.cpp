// zhaoyin-host with authority.driver = http against the sandbox authority
// service as its own process: presentations verified through it; a license
// revoked by the operator refused at once (freshness 0) by two hosts; the
// authority killed (a host with a grace period keeps using its cached answers,
// one without refuses with 503 authority_unavailable, /healthz and /metrics
// say so) and restarted (both accept again).
#include <catch2/catch.hpp>
#include "authority_http_fixture.h"
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

const std::string kLegalRep = "91420100YULA38GUXF-1";

nlohmann::json health(PresentationHost& host) { return host.get("/healthz").json(); }

// The value of an unlabelled sample in the Prometheus text, or -1.
double metric(PresentationHost& host, const std::string& name) {
  const std::string text = host.get("/metrics").body;
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

TEST_CASE("presentations are verified through the http driver and a license revoked at the authority is refused at once by two hosts") {
  ServedSandbox s;
  TempDir work_a("zhaoyin-http-authority-a");
  TempDir work_b("zhaoyin-http-authority-b");
  PresentationHost a(work_a.path(), s.dir(), http_driver_args(s, 60));
  PresentationHost b(work_b.path(), s.dir(), http_driver_args(s, 60));
  const auto wallet = sandbox_wallet(s.dir(), kLegalRep);

  for (PresentationHost* host : {&a, &b}) {
    const auto r = host->present("banking", fresh_code(wallet));
    INFO(r.body);
    REQUIRE(r.status == 201);
    CHECK(r.json()["face_info"]["uscc"] == "91420100YULA38GUXF");
    const auto h = health(*host);
    CHECK(h["authority"] == "http");
    CHECK(h["authority_state"] == "ok");
    CHECK(metric(*host, "zhaoyin_authority_requests_total") > 0);
  }
  CHECK(s.authority_log().find("\"client\":\"") != std::string::npos);  // the service logged the host's requests

  s.operator_command("revoke-license " + quote(s.dir().string()) + " " + wallet.license_serial() +
                     " --reason keyCompromise");
  for (PresentationHost* host : {&a, &b}) {
    const auto r = host->present("banking", fresh_code(wallet));
    INFO(r.body);
    CHECK(r.status == 422);
    CHECK(error_code(r) == "license_revoked");
  }
}

TEST_CASE("the authority killed: cached answers within the grace period, then 503 authority_unavailable, and back after a restart") {
  ServedSandbox s;
  TempDir work_a("zhaoyin-http-authority-grace");
  TempDir work_b("zhaoyin-http-authority-nograce");
  PresentationHost patient(work_a.path(), s.dir(), http_driver_args(s, 3600));
  PresentationHost strict(work_b.path(), s.dir(), http_driver_args(s, 0));
  const auto wallet = sandbox_wallet(s.dir(), kLegalRep);
  REQUIRE(patient.present("banking", fresh_code(wallet)).status == 201);
  REQUIRE(strict.present("banking", fresh_code(wallet)).status == 201);

  s.kill();

  // Freshness 0 puts every answer past its freshness at once; within the hour
  // of grace the patient host verifies with what it last heard.
  const auto cached = patient.present("banking", fresh_code(wallet));
  INFO(cached.body);
  CHECK(cached.status == 201);
  CHECK(metric(patient, "zhaoyin_authority_stale_answers_total") > 0);
  CHECK(metric(patient, "zhaoyin_authority_stale_answers_total") > 0);
  CHECK(metric(patient, "zhaoyin_authority_failures_total") > 0);

  // Without grace: refused, fail closed, with its own code — not a 500, not a pass.
  const auto refused = strict.present("banking", fresh_code(wallet));
  INFO(refused.body);
  CHECK(refused.status == 503);
  CHECK(error_code(refused) == "authority_unavailable");
  const auto h = health(strict);
  CHECK(h["authority_state"] == "unavailable");
  CHECK(h["status"] == "ok");  // the host itself is up
  CHECK(h["authority_error"].get<std::string>().find("127.0.0.1") != std::string::npos);
  CHECK(metric(strict, "zhaoyin_authority_unavailable_total") >= 1);
  CHECK(strict.log().find("authority unavailable") != std::string::npos);

  s.restart();
  for (PresentationHost* host : {&patient, &strict}) {
    const auto r = host->present("banking", fresh_code(wallet));
    INFO(r.body);
    CHECK(r.status == 201);
    CHECK(health(*host)["authority_state"] == "ok");
  }
}

TEST_CASE("a host whose authority answers are tampered with refuses with 503 authority_unavailable") {
  ServedSandbox s;
  TamperingProxy proxy(s.port());
  proxy.tamper(true);
  TempDir work("zhaoyin-http-authority-tampered");
  auto args = http_driver_args(s, 0);
  args.push_back("--set");
  args.push_back("authority.url=" + proxy.url());
  PresentationHost host(work.path(), s.dir(), args);
  const auto r = host.present("banking", fresh_code(sandbox_wallet(s.dir(), kLegalRep)));
  INFO(r.body);
  CHECK(r.status == 503);
  CHECK(error_code(r) == "authority_unavailable");
  CHECK(host.log().find("authority unavailable") != std::string::npos);
  CHECK(health(host)["authority_state"] == "unavailable");
}

TEST_CASE("a host with certificate_status = ocsp asks the responder and fails closed when its answers do not verify or it is down") {
  ServedSandbox s;
  const auto wallet = sandbox_wallet(s.dir(), kLegalRep);
  const auto with_ocsp = [&](const std::string& url, int grace_seconds) {
    auto args = http_driver_args(s, grace_seconds);
    args.insert(args.end(), {"--set", "authority.url=" + url, "--set", "authority.certificate_status=ocsp"});
    return args;
  };

  // The responder's answers tampered with on the way (the rest passes): refused, 503.
  TamperingProxy tampering(s.port());
  tampering.only_paths("/ocsp/");
  TempDir work_t("zhaoyin-http-ocsp-tampered");
  PresentationHost tampered(work_t.path(), s.dir(), with_ocsp(tampering.url(), 0));
  REQUIRE(tampered.present("banking", fresh_code(wallet)).status == 201);
  tampering.tamper(true);
  const auto refused = tampered.present("banking", fresh_code(wallet));
  INFO(refused.body);
  CHECK(refused.status == 503);
  CHECK(error_code(refused) == "authority_unavailable");
  CHECK(health(tampered)["authority_error"].get<std::string>().find("OCSP") != std::string::npos);

  // The responder down (a 502 from the gateway): within grace the last good
  // answer stands, without grace the host refuses with 503.
  TamperingProxy gateway(s.port());
  gateway.only_paths("/ocsp/");
  TempDir work_p("zhaoyin-http-ocsp-patient");
  TempDir work_s("zhaoyin-http-ocsp-strict");
  PresentationHost patient(work_p.path(), s.dir(), with_ocsp(gateway.url(), 3600));
  PresentationHost strict(work_s.path(), s.dir(), with_ocsp(gateway.url(), 0));
  REQUIRE(patient.present("banking", fresh_code(wallet)).status == 201);
  REQUIRE(strict.present("banking", fresh_code(wallet)).status == 201);
  gateway.fail(true);
  CHECK(patient.present("banking", fresh_code(wallet)).status == 201);
  CHECK(metric(patient, "zhaoyin_authority_stale_answers_total") > 0);
  const auto down = strict.present("banking", fresh_code(wallet));
  INFO(down.body);
  CHECK(down.status == 503);
  CHECK(error_code(down) == "authority_unavailable");
  gateway.fail(false);
  CHECK(strict.present("banking", fresh_code(wallet)).status == 201);

  // Revoked at the authority while the host runs: refused at once (freshness 0).
  TempDir work_d("zhaoyin-http-ocsp-direct");
  PresentationHost direct(work_d.path(), s.dir(), with_ocsp(s.url(), 0));
  REQUIRE(direct.present("banking", fresh_code(wallet)).status == 201);
  CHECK(s.authority_log().find("\"target\":\"/ocsp/") != std::string::npos);
  s.operator_command("revoke-license " + quote(s.dir().string()) + " " + wallet.license_serial() +
                     " --reason keyCompromise");
  const auto revoked = direct.present("banking", fresh_code(wallet));
  INFO(revoked.body);
  CHECK(revoked.status == 422);
  CHECK(error_code(revoked) == "license_revoked");
}

TEST_CASE("with certificate_status = ocsp the host fetches no CRL: the service sees OCSP requests only, a revoked license is refused") {
  // The CRLs' addresses come from the service's certificate listing (crl_url),
  // not from authority.url, so a proxy on authority.url would not see them: the
  // service's own request log is what shows that no CRL was asked for.
  ServedSandbox s;
  const auto wallet = sandbox_wallet(s.dir(), kLegalRep);
  auto args = http_driver_args(s, 0);
  args.insert(args.end(), {"--set", "authority.url=" + s.url(), "--set", "authority.certificate_status=ocsp"});
  TempDir work("zhaoyin-http-ocsp-no-crl");
  PresentationHost host(work.path(), s.dir(), args);
  const auto ok = host.present("banking", fresh_code(wallet));
  INFO(ok.body);
  REQUIRE(ok.status == 201);
  CHECK(ok.json()["face_info"]["uscc"] == "91420100YULA38GUXF");

  s.operator_command("revoke-license " + quote(s.dir().string()) + " " + wallet.license_serial() +
                     " --reason keyCompromise");
  const auto revoked = host.present("banking", fresh_code(wallet));
  INFO(revoked.body);
  CHECK(revoked.status == 422);
  CHECK(error_code(revoked) == "license_revoked");
  CHECK(revoked.body.find("OCSP responder") != std::string::npos);
  const std::string log = s.authority_log();
  CHECK(log.find("\"target\":\"/ocsp/") != std::string::npos);
  CHECK(log.find("\"target\":\"/crl/") == std::string::npos);
}
