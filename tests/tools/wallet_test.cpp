// The wallet simulator: `zhaoyin-wallet show`, its refusals, and the wallet
// core the later verbs build on.
#include <catch2/catch.hpp>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/wallet/wallet.h>
#include "sandbox_fixture.h"

using namespace zhaoyin::test;
using namespace zhaoyin;
using nlohmann::json;

namespace {

const json& wallet_entry(const Sandbox& s, const std::string& role) {
  for (const auto& w : s.manifest["wallets"]) {
    if (w["role"] == role && !w["cert_revoked"].get<bool>() && !w["authorisation_expired"].get<bool>()) return w;
  }
  throw std::runtime_error("no wallet with role " + role);
}

CommandResult wallet_cli(const std::string& arguments) {
  return run_command(quote(bin("zhaoyin-wallet")) + " " + arguments);
}

std::string wallet_args(const Sandbox& s, const json& w, const std::string& password) {
  return "--wallet " + quote(s.path(w["path"]).string()) + " --password " + quote(password);
}

}  // namespace

TEST_CASE("zhaoyin-wallet show prints the license, holder, authorisation and seals as JSON") {
  const Sandbox& s = shared_sandbox();
  const json& w = wallet_entry(s, "agent");
  const auto r = wallet_cli(wallet_args(s, w, w["password"]) + " show");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const json shown = json::parse(r.output);
  CHECK(shown["sandbox"] == true);
  CHECK(shown["license"]["serial"] == w["cert_serial"]);
  CHECK(shown["license"]["face_info"]["uscc"] == w["uscc"]);
  CHECK(shown["license"]["face_info"]["labels"]["uscc"] == "统一社会信用代码");
  CHECK(shown["license"]["certificate"]["issuer"].get<std::string>().find("Sandbox") != std::string::npos);
  CHECK(shown["holder"]["name"] == w["holder"]);
  CHECK(shown["holder"]["role"] == "agent");
  CHECK(shown["holder"]["role_label"] == "办事人");
  CHECK(shown["authorisation"]["status"] == "valid");
  CHECK(shown["grant"]["status"] == "valid");
  CHECK(shown["grant"]["matches_authorisation"] == true);
  REQUIRE(shown["seals"].size() >= 4);
  for (const auto& seal : shown["seals"]) {
    CHECK(seal.contains("es_id"));
    CHECK(seal.contains("type"));
    CHECK(seal.contains("name"));
    CHECK(seal["authorised"].is_boolean());
    CHECK_FALSE(seal.contains("seal"));  // the DER stays in the wallet
  }
  CHECK(r.output.find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("show labels the legal representative by the enterprise kind") {
  const Sandbox& s = shared_sandbox();
  for (const auto& e : s.manifest["enterprises"]) {
    if (e["kind"] != "individual_business") continue;
    for (const auto& w : s.manifest["wallets"]) {
      if (w["uscc"] != e["uscc"] || w["role"] != "legal_representative") continue;
      const auto r = wallet_cli(wallet_args(s, w, w["password"]) + " show");
      REQUIRE(r.exit_code == 0);
      const json shown = json::parse(r.output);
      CHECK(shown["holder"]["role_label"] == "经营者");
      CHECK(shown["grant"].is_null());
      for (const auto& seal : shown["seals"]) CHECK(seal["authorised"] == true);
    }
  }
}

TEST_CASE("show reports the expired authorisation as expired") {
  const Sandbox& s = shared_sandbox();
  for (const auto& w : s.manifest["wallets"]) {
    if (!w["authorisation_expired"].get<bool>()) continue;
    const auto r = wallet_cli(wallet_args(s, w, w["password"]) + " show");
    REQUIRE(r.exit_code == 0);
    const json shown = json::parse(r.output);
    CHECK(shown["authorisation"]["status"] == "expired");
    CHECK(shown["grant"]["status"] == "expired");
  }
}

TEST_CASE("a wrong license password exits 3 and shows no key material") {
  const Sandbox& s = shared_sandbox();
  const json& w = wallet_entry(s, "legal_representative");
  const auto r = wallet_cli(wallet_args(s, w, "00000000x") + " show");
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("wrong license password") != std::string::npos);
  CHECK(r.output.find("PRIVATE KEY") == std::string::npos);
  CHECK(r.output.find("face_info") == std::string::npos);  // nothing shown without the password
}

TEST_CASE("a missing or malformed wallet file exits 2") {
  TempDir tmp;
  const auto missing = wallet_cli("--wallet " + quote(tmp / "none.wallet.json") + " --password 12345678 show");
  CHECK(missing.exit_code == 2);
  CHECK(missing.output.find("none.wallet.json") != std::string::npos);

  write_file(tmp.path() / "bad.wallet.json", "{\"format\":\"something-else\"}");
  const auto bad = wallet_cli("--wallet " + quote(tmp / "bad.wallet.json") + " --password 12345678 show");
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("zhaoyin-wallet/1") != std::string::npos);

  write_file(tmp.path() / "text.wallet.json", "not json");
  CHECK(wallet_cli("--wallet " + quote(tmp / "text.wallet.json") + " --password 1 show").exit_code == 2);
}

TEST_CASE("zhaoyin-wallet usage errors exit 2 with a message") {
  CHECK(wallet_cli("").exit_code == 2);
  CHECK(wallet_cli("--wallet w.json show").output.find("--password") != std::string::npos);
  CHECK(wallet_cli("--wallet w.json show").exit_code == 2);
  CHECK(wallet_cli("--password 1 show").exit_code == 2);
  CHECK(wallet_cli("--wallet w.json --password 1 fly").exit_code == 2);
  CHECK(wallet_cli("--wallet w.json --password 1 show --bogus").exit_code == 2);
  CHECK(wallet_cli("--wallet w.json --password 1 show --qr x.png").exit_code == 2);  // --qr is present's
  CHECK(wallet_cli("--wallet w.json --password 1 scan").exit_code == 2);            // TEXT or --image
  CHECK(wallet_cli("--wallet w.json --password 1 scan T --approve --reject").exit_code == 2);
  CHECK(wallet_cli("--wallet w.json --password 1 scan T --seal stamp").exit_code == 2);
  const auto help = wallet_cli("--help");
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("show") != std::string::npos);
}

TEST_CASE("the wallet core signs with the holder key once unlocked, and only then") {
  const Sandbox& s = shared_sandbox();
  const json& w = wallet_entry(s, "administrator");
  auto wallet = wallet::Wallet::load(s.path(w["path"]));
  const trust::Bytes message = trust::to_bytes("zhaoyin sandbox test message");
  try {
    (void)wallet.sign(message);
    FAIL("signing before unlock must be refused");
  } catch (const wallet::WalletError& e) {
    CHECK(e.code() == "locked");
  }
  try {
    wallet.unlock("wrong-password");
    FAIL("a wrong password must be refused");
  } catch (const wallet::WalletError& e) {
    CHECK(e.code() == "wrong_password");
  }
  CHECK_FALSE(wallet.unlocked());
  wallet.unlock(w["password"].get<std::string>());
  REQUIRE(wallet.unlocked());
  const trust::Bytes signature = wallet.sign(message);
  CHECK(wallet.certificate().public_key().verify(message, signature));
  CHECK_FALSE(wallet.certificate().public_key().verify(trust::to_bytes("another message"), signature));

  // Seals the holder may use are marked, and each is a real SESeal.
  int authorised = 0;
  for (const auto& seal : wallet.seals()) {
    authorised += seal.authorised ? 1 : 0;
    CHECK(trust::parse_seal(seal.der).info.es_id == seal.es_id);
  }
  CHECK(authorised == static_cast<int>(wallet.authorisation().seals.size()));
}

TEST_CASE("a wallet whose key belongs to another certificate is refused") {
  const Sandbox& s = shared_sandbox();
  const auto& wallets = s.manifest["wallets"];
  json a = json::parse(read_file(s.path(wallets[0]["path"])));
  const json b = json::parse(read_file(s.path(wallets[1]["path"])));
  a["private_key"] = b["private_key"];  // b's key, encrypted under b's password
  auto wallet = wallet::Wallet::parse(a.dump(), "spliced wallet");
  try {
    wallet.unlock(wallets[1]["password"].get<std::string>());
    FAIL("a key that does not match the certificate must be refused");
  } catch (const wallet::WalletError& e) {
    CHECK(e.code() == "malformed");
  }
}

TEST_CASE("a wallet file whose format is not a string is malformed, not an escaped JSON type error", "[wallet]") {
  // Found by fuzz/targets/wallet_file.cpp: j.value("format", "") threw
  // nlohmann's type_error outside Wallet::parse's handler.
  for (const char* text : {R"({"format":{}})", R"({"format":1})", R"({"format":null})", "[]"}) {
    try {
      wallet::Wallet::parse(text, "odd.wallet.json");
      FAIL("parsed " << text);
    } catch (const wallet::WalletError& e) {
      CHECK(e.code() == "malformed");
    }
  }
}
