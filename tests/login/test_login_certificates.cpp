// Refusals that need certificates the sandbox never issues: an expired license
// and one that does not chain to the trust roots. Each test works on a copy of
// the sandbox in which one holder's registered certificate is replaced by one
// made here (with the province CA's key, or with a stranger CA).
#include <catch2/catch.hpp>
#include <zhaoyin/trust/x509.h>

#include "login_env.h"

using namespace zhaoyin::test;
using namespace zhaoyin;
using Clock = std::chrono::system_clock;

namespace {

struct ReplacedHolder {
  trust::Sm2Key key;
  trust::Certificate certificate;
};

// Replaces the certificate of holder `name` in the copied sandbox's registry.
ReplacedHolder replace_certificate(const fs::path& sandbox, const std::string& name, const trust::Sm2Key& issuer_key,
                                   const trust::Certificate& issuer, Clock::time_point not_before,
                                   Clock::time_point not_after) {
  const auto registry_file = sandbox / "authority" / "registry.json";
  auto registry = read_json(registry_file);
  for (auto& e : registry["enterprises"]) {
    for (auto& h : e["holders"]) {
      if (h["name"] != name) continue;
      const auto old = trust::Certificate::from_pem(read_file(sandbox / h["cert"].get<std::string>()));
      ReplacedHolder out;
      out.key = trust::Sm2Key::generate();
      trust::CertificateRequest req;
      req.subject = old.subject();
      req.subject_key = out.key;
      req.profile = trust::CertProfile::License;
      req.not_before = not_before;
      req.not_after = not_after;
      out.certificate = trust::issue_certificate(req, issuer_key, &issuer);
      const std::string serial = out.certificate.serial_hex();
      write_file(sandbox / "authority" / "certs" / (serial + ".pem"), out.certificate.pem());
      h["cert_serial"] = serial;
      h["cert"] = "authority/certs/" + serial + ".pem";
      write_json(registry_file, registry);
      return out;
    }
  }
  throw std::runtime_error("no holder " + name);
}

Reply answer_with(LoginEnv& env, const ReplacedHolder& holder) {
  const auto request = env.fetch_request(env.create_ok("banking")["qr_text"]);
  const json answer = {{"protocol", "zhaoyin-wallet/1"},
                       {"type", "login"},
                       {"ticket", request["ticket"]},
                       {"nonce", request["nonce"]},
                       {"client_id", request["relying_party"]["client_id"]},
                       {"matter", request["matter"]},
                       {"answer_url", request["answer_url"]},
                       {"decision", "approve"},
                       {"license_serial", holder.certificate.serial_hex()},
                       {"answered_at", protocol::rfc3339(Clock::now())}};
  const json body = {{"answer", answer}, {"certificate", holder.certificate.pem()}, {"chain", json::array()},
                     {"grant", nullptr}, {"signature", protocol::sign_message(answer, holder.key)}};
  return env.post_answer(request, body);
}

}  // namespace

TEST_CASE("refused: an expired license certificate (422 license_expired)") {
  TempDir dir;
  const auto sandbox = copy_sandbox(dir);
  const auto ca = trust::Certificate::from_pem(read_file(sandbox / "authority" / "ca-42.pem"));
  const auto ca_key = trust::Sm2Key::from_pem(read_file(sandbox / "authority" / "ca-42.key"));
  const auto now = Clock::now();
  const auto holder = replace_certificate(sandbox, "张志伟", ca_key, ca, now - std::chrono::hours(24 * 400),
                                          now - std::chrono::hours(24));
  LoginEnv env(sandbox);
  const auto r = answer_with(env, holder);
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(r.code() == "license_expired");
}

TEST_CASE("refused: a license certificate that does not chain to the trust roots (422 untrusted_chain)") {
  TempDir dir;
  const auto sandbox = copy_sandbox(dir);
  // A stranger CA with the same name as the real 湖北 CA.
  const auto real_ca = trust::Certificate::from_pem(read_file(sandbox / "authority" / "ca-42.pem"));
  const auto stranger_key = trust::Sm2Key::generate();
  trust::CertificateRequest req;
  req.subject = real_ca.subject();
  req.subject_key = stranger_key;
  req.profile = trust::CertProfile::RootCa;
  req.not_before = Clock::now() - std::chrono::hours(1);
  req.not_after = Clock::now() + std::chrono::hours(24 * 365);
  const auto stranger = trust::issue_certificate(req, stranger_key, nullptr);
  const auto now = Clock::now();
  const auto holder = replace_certificate(sandbox, "张志伟", stranger_key, stranger, now - std::chrono::hours(1),
                                          now + std::chrono::hours(24 * 365));
  LoginEnv env(sandbox);
  const auto r = answer_with(env, holder);
  INFO(r.body);
  CHECK(r.status == 422);
  CHECK(r.code() == "untrusted_chain");
}
