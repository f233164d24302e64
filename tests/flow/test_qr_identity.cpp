// QR images read back by zbarimg (an implementation that is not ours), and the
// host identity the sandbox issues.
#include <catch2/catch.hpp>
#include <sandbox_fixture.h>
#include <test_support.h>
#include <zhaoyin/flow/host_identity.h>
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

TEST_CASE("the sandbox's host certificate chains to its root and signs wallet requests", "[identity]") {
  const auto& sandbox = shared_sandbox();
  const auto identity = flow::HostIdentity::load(sandbox / "authority/host.pem", sandbox / "authority/host.key");
  CHECK(identity.certificate().subject().get("CN") == "Zhaoyin Sandbox Relying-Party Host");

  trust::TrustStore roots;  // what a wallet holds: the root, no CRLs
  roots.add_root(trust::Certificate::from_pem(read_file(sandbox / "authority/root.pem")));
  CHECK(roots.verify(identity.certificate(), std::chrono::system_clock::now(), false).ok);

  const nlohmann::json request = {{"type", "login"}, {"nonce", protocol::new_nonce()}};
  const auto envelope = identity.sign_request(request);
  CHECK(envelope["request"] == request);
  CHECK(envelope["host_certificates"].size() == 1);
  const auto cert = trust::Certificate::from_pem(envelope["host_certificates"][0].get<std::string>());
  CHECK(protocol::verify_message(request, envelope["signature"], cert.public_key()));
}

TEST_CASE("a host identity whose key is not the certificate's is refused", "[identity]") {
  const auto& sandbox = shared_sandbox();
  const auto cert = trust::Certificate::from_pem(read_file(sandbox / "authority/host.pem"));
  CHECK_THROWS_AS(flow::HostIdentity(trust::Sm2Key::generate(), {cert}), flow::HostIdentityError);
  CHECK_THROWS_AS(flow::HostIdentity(trust::Sm2Key::generate(), {}), flow::HostIdentityError);
  CHECK_THROWS_AS(flow::HostIdentity::load(sandbox / "authority/host.pem", sandbox / "authority/root.pem"),
                  flow::HostIdentityError);
}

TEST_CASE("an older sandbox without a host credential gets one from `sandbox init`", "[identity]") {
  TempDir dir("upgrade");
  const auto copy = copy_sandbox(dir);
  std::filesystem::remove(copy / "authority/host.pem");
  std::filesystem::remove(copy / "authority/host.key");
  const auto r = run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(copy.string()));
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("host credential") != std::string::npos);
  CHECK_NOTHROW(flow::HostIdentity::load(copy / "authority/host.pem", copy / "authority/host.key"));
  const auto again = run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(copy.string()));
  CHECK(again.output.find("nothing changed") != std::string::npos);
}
