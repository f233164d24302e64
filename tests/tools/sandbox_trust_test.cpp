// The sandbox's cryptography checked with the trust core a relying party uses
// and with OpenSSL's command line: chains to the root, revocation by CRL,
// seals signed by the seal maker, grants signed by the legal representative.
#include <catch2/catch.hpp>
#include <zhaoyin/sandbox/grant.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal.h>
#include "png_probe.h"
#include "sandbox_fixture.h"

using namespace zhaoyin::test;
using namespace zhaoyin;
using nlohmann::json;

namespace {

trust::Certificate cert_at(const Sandbox& s, const json& relative) {
  return trust::Certificate::from_pem(read_file(s.path(relative)));
}

const json* find_wallet(const Sandbox& s, const std::string& serial) {
  for (const auto& w : s.manifest["wallets"]) {
    if (w["cert_serial"] == serial) return &w;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("holder certificates chain to the root — the revoked one is refused as cert_revoked") {
  const Sandbox& s = shared_sandbox();
  const trust::TrustStore store = sandbox_trust_store(s);
  const auto now = std::chrono::system_clock::now();
  int ok = 0, revoked = 0;
  for (const auto& r : registry_holders(s.registry())) {
    INFO(r.holder["name"]);
    const trust::Certificate cert = cert_at(s, r.holder["cert"]);
    CHECK(cert.serial_hex() == r.holder["cert_serial"]);
    CHECK(cert.subject().get("serialNumber") == r.enterprise["face_info"]["uscc"]);
    CHECK(cert.subject().get("OU") == r.holder["role"]);
    const trust::ChainResult result = store.verify(cert, now);
    const json* wallet = find_wallet(s, cert.serial_hex());
    REQUIRE(wallet != nullptr);
    if ((*wallet)["cert_revoked"].get<bool>()) {
      CHECK_FALSE(result.ok);
      CHECK(result.code == "cert_revoked");
      ++revoked;
    } else {
      CHECK(result.ok);
      CHECK(result.code == "ok");
      REQUIRE(result.path.size() == 3);  // leaf, issuing CA of its province, root
      CHECK(result.path[1].subject().get("ST") == cert.subject().get("ST"));
      ++ok;
    }
  }
  CHECK(revoked == 1);
  CHECK(ok >= 12);
}

TEST_CASE("the revoked certificate is on its province CA's CRL, with the registry's record") {
  const Sandbox& s = shared_sandbox();
  const json registry = s.registry();
  REQUIRE(registry["revoked"].size() == 1);
  const json& record = registry["revoked"][0];
  const std::string serial = record["serial"];
  CHECK(record["reason"] == "keyCompromise");

  int listed = 0;
  for (const auto& ca : s.manifest["authority"]["issuing_cas"]) {
    const auto crl = trust::Crl::from_pem(read_file(s.path(ca["crl"])));
    CHECK(crl.signed_by(cert_at(s, ca["cert"])));
    CHECK(crl.next_update() > std::chrono::system_clock::now());
    if (const auto entry = crl.find(serial)) {
      ++listed;
      CHECK(ca["province"] == record["province"]);
      CHECK(entry->reason == 1);
    } else {
      CHECK(crl.entries().empty());
    }
  }
  CHECK(listed == 1);
  const auto root_crl = trust::Crl::from_pem(read_file(s.path(s.manifest["authority"]["root_crl"])));
  CHECK(root_crl.signed_by(cert_at(s, s.manifest["authority"]["root"])));
  CHECK(root_crl.entries().empty());

  // OpenSSL reads the CRL and lists the serial.
  const auto province = record["province"].get<std::string>();
  const auto r = run_command("openssl crl -noout -text -in " + quote(s.path("authority/crl-" + province + ".pem").string()));
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find(serial) != std::string::npos);
}

TEST_CASE("every certificate and CA of the sandbox names itself Sandbox") {
  const Sandbox& s = shared_sandbox();
  const json& authority = s.manifest["authority"];
  std::vector<trust::Certificate> certs = {cert_at(s, authority["root"]), cert_at(s, authority["seal_maker"])};
  for (const auto& ca : authority["issuing_cas"]) certs.push_back(cert_at(s, ca["cert"]));
  for (const auto& entry : fs::directory_iterator(s.path("authority/certs"))) {
    certs.push_back(trust::Certificate::from_pem(read_file(entry.path())));
  }
  CHECK(certs.size() >= 6 + 12);
  for (const auto& cert : certs) {
    INFO(cert.subject_line());
    CHECK(cert.subject_line().find("Sandbox") != std::string::npos);
    CHECK(cert.issuer().get("CN").find("Zhaoyin Sandbox") != std::string::npos);
  }
  CHECK(cert_at(s, authority["root"]).subject().get("CN") == "Zhaoyin Sandbox Root CA");
  CHECK(cert_at(s, authority["root"]).is_ca());
  CHECK(cert_at(s, "authority/ca-42.pem").subject().get("CN") == "Zhaoyin Sandbox Hubei License CA");
  CHECK_FALSE(cert_at(s, authority["seal_maker"]).is_ca());
}

TEST_CASE("OpenSSL's command line verifies a sandbox holder certificate, link by link") {
  const Sandbox& s = shared_sandbox();
  std::string leaf;
  for (const auto& w : s.manifest["wallets"]) {
    if (w["uscc"].get<std::string>().substr(2, 2) == "42" && !w["cert_revoked"].get<bool>()) {
      leaf = s.path("authority/certs/" + w["cert_serial"].get<std::string>() + ".pem").string();
      break;
    }
  }
  REQUIRE_FALSE(leaf.empty());
  const std::string root = s.path("authority/root.pem").string();
  const std::string ca = s.path("authority/ca-42.pem").string();
  // `openssl verify` applies -vfyopt distid to the certificate it is given
  // only, not to the -untrusted intermediates (OpenSSL 3.0), so the SM2 chain
  // is checked one link at a time: the issuing CA under the root, then the
  // holder under the issuing CA as a partial chain.
  const auto ca_link = run_command("openssl verify -vfyopt distid:1234567812345678 -CAfile " + quote(root) + " " + quote(ca));
  INFO(ca_link.output);
  CHECK(ca_link.exit_code == 0);
  const auto leaf_link = run_command("openssl verify -vfyopt distid:1234567812345678 -partial_chain -CAfile " +
                                     quote(ca) + " " + quote(leaf));
  INFO(leaf_link.output);
  CHECK(leaf_link.exit_code == 0);
  // And refuses the holder under another province's CA.
  const auto wrong = run_command("openssl verify -vfyopt distid:1234567812345678 -partial_chain -CAfile " +
                                 quote(s.path("authority/ca-41.pem").string()) + " " + quote(leaf));
  CHECK(wrong.exit_code != 0);
  const auto seal_maker = run_command("openssl verify -vfyopt distid:1234567812345678 -CAfile " + quote(root) + " " +
                                      quote(s.path("authority/seal-maker.pem").string()));
  CHECK(seal_maker.exit_code == 0);
}

TEST_CASE("every seal parses, verifies to the root, and lists the holders allowed to use it") {
  const Sandbox& s = shared_sandbox();
  const trust::TrustStore store = sandbox_trust_store(s);
  const auto now = std::chrono::system_clock::now();
  int seals = 0;
  const json registry = s.registry();
  for (const auto& e : registry["enterprises"]) {
    for (const auto& record : e["seals"]) {
      INFO(record["es_id"]);
      const trust::ParsedSeal seal = trust::parse_seal(trust::to_bytes(read_file(s.path(record["file"]))));
      CHECK(seal.version == 4);
      CHECK(seal.info.es_id == record["es_id"]);
      CHECK(seal.info.name == record["name"]);
      CHECK(seal.maker_cert.subject().get("CN") == "Zhaoyin Sandbox Seal Maker");
      const trust::SealCheck check = trust::verify_seal(seal, store, now);
      INFO(check.message);
      CHECK(check.ok);
      // GB/T 38540-2020 §6.1: the maker signed the eSealInfo TLV as it stands in the file.
      const auto file_bytes = trust::to_bytes(read_file(s.path(record["file"])));
      CHECK(seal.signed_data == trust::der::parse(file_bytes).children()[0].raw_bytes());
      CHECK(seal.maker_cert.public_key().verify(seal.signed_data, seal.signature));
      CHECK(seal.info.type == (record["type"] == "legal_rep" ? trust::SealOwnerType::Person
                                                               : trust::SealOwnerType::Organization));
      // The impression inside is the PNG next to it, at the size of its kind.
      CHECK(seal.info.picture.type == "PNG");
      CHECK(seal.info.picture.data == trust::to_bytes(read_file(s.path(record["image"]))));
      CHECK(seal.info.picture.width_mm == (record["type"] == "legal_rep" ? 20 : 42));
      PngProbe png(seal.info.picture.data);
      CHECK(png.ok());
      CHECK(png.count_red() > 1000);

      // Signers: exactly the holders whose authorisation lists this seal.
      for (const auto& h : e["holders"]) {
        bool listed = false;
        for (const auto& id : h["authorisation"]["seals"]) listed = listed || id == record["es_id"];
        CHECK(trust::seal_allows_signer(seal, cert_at(s, h["cert"])) == listed);
      }
      ++seals;
    }
  }
  CHECK(seals >= 6 * 4);
}

TEST_CASE("a seal whose bytes were altered does not verify") {
  const Sandbox& s = shared_sandbox();
  const json registry = s.registry();
  const json& record = registry["enterprises"][0]["seals"][2];
  trust::Bytes der = trust::to_bytes(read_file(s.path(record["file"])));
  const trust::ParsedSeal original = trust::parse_seal(der);
  // Change one byte of the seal's name, inside the signed data.
  const std::string name = original.info.name;
  const std::string raw(der.begin(), der.end());
  const auto at = raw.find(name);
  REQUIRE(at != std::string::npos);
  der[at + name.size() - 1] ^= 0x01;
  const trust::TrustStore store = sandbox_trust_store(s);
  bool refused = false;
  try {
    const trust::ParsedSeal altered = trust::parse_seal(der);
    refused = !trust::verify_seal(altered, store, std::chrono::system_clock::now()).ok;
  } catch (const trust::TrustError&) {
    refused = true;  // no longer valid UTF-8, say
  }
  CHECK(refused);
}

TEST_CASE("every grant is signed by the legal representative over its exact payload") {
  const Sandbox& s = shared_sandbox();
  int grants = 0;
  const json registry = s.registry();
  for (const auto& e : registry["enterprises"]) {
    const auto& lr = e["holders"][0];
    const trust::Certificate lr_cert = cert_at(s, lr["cert"]);
    for (std::size_t i = 1; i < e["holders"].size(); ++i) {
      const auto& h = e["holders"][i];
      INFO(h["name"]);
      const sandbox::GrantCheck check = sandbox::verify_grant(h["grant"], lr_cert);
      CHECK(check.ok);
      CHECK(h["grant"]["signer_cert_serial"] == lr["cert_serial"]);
      // The payload binds the holder, its certificate, its role and the authorisation.
      CHECK(check.payload["uscc"] == e["face_info"]["uscc"]);
      CHECK(check.payload["holder_name"] == h["name"]);
      CHECK(check.payload["holder_cert_serial"] == h["cert_serial"]);
      CHECK(check.payload["role"] == h["role"]);
      CHECK(check.payload["authorisation"] == h["authorisation"]);
      // Keys sorted, no spaces: the canonical form is the signed bytes.
      const auto bytes = trust::to_string(trust::base64url_decode(h["grant"]["payload"].get<std::string>()));
      CHECK(bytes == sandbox::canonical_json(check.payload));
      CHECK(bytes.find(": ") == std::string::npos);
      // Another holder's key is not the legal representative's.
      CHECK(sandbox::verify_grant(h["grant"], cert_at(s, h["cert"])).code == "wrong_signer");
      ++grants;
    }
  }
  CHECK(grants >= 8);
}

TEST_CASE("a grant whose payload was changed is refused") {
  const Sandbox& s = shared_sandbox();
  const json registry = s.registry();
  const json& e = registry["enterprises"][0];
  const trust::Certificate lr_cert = cert_at(s, e["holders"][0]["cert"]);
  json grant = e["holders"][2]["grant"];
  json payload = json::parse(trust::to_string(trust::base64url_decode(grant["payload"].get<std::string>())));
  payload["authorisation"]["scope"] = "full";  // an agent widening its own authorisation
  grant["payload"] = trust::base64url_encode(trust::to_bytes(sandbox::canonical_json(payload)));
  CHECK(sandbox::verify_grant(grant, lr_cert).code == "bad_signature");

  json garbage = e["holders"][2]["grant"];
  garbage["signature"] = "not base64!";
  CHECK(sandbox::verify_grant(garbage, lr_cert).code == "malformed");
  CHECK(sandbox::verify_grant(json(nullptr), lr_cert).code == "malformed");
}
