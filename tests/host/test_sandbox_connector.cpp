// SandboxConnector against a real sandbox from `zhaoyin sandbox init`, and the
// import of its demo applications into the store.
#include <catch2/catch.hpp>
#include <zhaoyin/app/sandbox_import.h>
#include <zhaoyin/authority/sandbox_connector.h>
#include <zhaoyin/store/database.h>
#include "sandbox_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::authority;
using zhaoyin::test::copy_sandbox;
using zhaoyin::test::read_json;
using zhaoyin::test::shared_sandbox;
using zhaoyin::test::TempDir;
using zhaoyin::test::write_json;
namespace fs = std::filesystem;

TEST_CASE("sandbox connector: loads the sandbox's enterprises, holders, seals and CAs", "[authority][sandbox]") {
  const auto dir = shared_sandbox();
  SandboxConnector c(dir);
  const auto contract = read_json(dir / "sandbox.json");
  CHECK(c.name() == "sandbox");
  CHECK(c.directory() == dir);
  REQUIRE(c.enterprise_usccs().size() == contract["enterprises"].size());
  CHECK(c.applications().size() == contract["applications"].size());
  CHECK(c.root_certificate().subject().get("CN") == "Zhaoyin Sandbox Root CA");
  CHECK(c.seal_maker_certificate().subject().get("CN") == "Zhaoyin Sandbox Seal Maker");

  for (const auto& e : contract["enterprises"]) {
    const std::string uscc = e["uscc"];
    INFO(uscc);
    const auto face = c.find_license(uscc);
    REQUIRE(face);
    CHECK(face->uscc == uscc);
    CHECK(face->name == e["name"].get<std::string>());
    const auto holders = c.holders_of(uscc);
    REQUIRE_FALSE(holders.empty());
    CHECK(holders.front().role == domain::HolderRole::LegalRepresentative);
    CHECK_FALSE(holders.front().grant);
    for (const auto& h : holders) {
      CHECK(h.uscc == uscc);
      CHECK(h.certificate.serial_hex() == h.cert_serial);
      CHECK(h.certificate.subject().get("serialNumber") == uscc);
      if (h.role != domain::HolderRole::LegalRepresentative) {
        REQUIRE(h.grant);
        CHECK(h.grant->signer_cert_serial == holders.front().cert_serial);
      }
    }
    const auto seals = c.seals_of(uscc);
    CHECK(seals.size() >= 4);
    for (const auto& s : seals) {
      CHECK_FALSE(s.es_id.empty());
      CHECK_FALSE(s.seal_der.empty());
      CHECK(s.uscc == uscc);
    }
  }
  CHECK_FALSE(c.find_license("91110108700338416R"));  // valid USCC, not in the sandbox
  CHECK(c.holders_of("nope").empty());
  CHECK(c.seals_of("nope").empty());
}

TEST_CASE("sandbox connector: every wallet's holder is found by license serial", "[authority][sandbox]") {
  const auto dir = shared_sandbox();
  SandboxConnector c(dir);
  const auto contract = read_json(dir / "sandbox.json");
  REQUIRE_FALSE(contract["wallets"].empty());
  for (const auto& w : contract["wallets"]) {
    const auto wallet = read_json(dir / w["path"].get<std::string>());
    const std::string serial = wallet["license"]["serial"];
    INFO(serial);
    const auto holder = c.find_holder(serial);
    REQUIRE(holder);
    CHECK(holder->uscc == w["uscc"].get<std::string>());
    CHECK(holder->name == wallet["holder"]["name"].get<std::string>());
    CHECK(domain::to_string(holder->role) == wallet["holder"]["role"].get<std::string>());
    // Lower-case serials are the same certificate.
    std::string lower = serial;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    CHECK(c.find_holder(lower));
    const auto cert = c.find_certificate(lower);
    REQUIRE(cert);
    CHECK(cert->serial_hex() == serial);
  }
  CHECK_FALSE(c.find_holder("00"));
  CHECK_FALSE(c.find_certificate("not hex"));
  CHECK_FALSE(c.find_certificate("../../etc/passwd"));
  CHECK_FALSE(c.find_certificate(""));
}

TEST_CASE("sandbox connector: revocation status and chain validation", "[authority][sandbox]") {
  const auto dir = shared_sandbox();
  SandboxConnector c(dir);
  const auto registry = read_json(dir / "authority" / "registry.json");
  const auto trust = c.trust_store();
  const auto now = std::chrono::system_clock::now();

  REQUIRE_FALSE(registry["revoked"].empty());
  for (const auto& r : registry["revoked"]) {
    const std::string serial = r["serial"];
    const auto status = c.revocation_status(serial);
    CHECK(status.state == CertificateState::Revoked);
    CHECK(to_string(status.state) == "revoked");
    CHECK(status.revoked_at);
    CHECK_FALSE(status.reason.empty());
    const auto cert = c.find_certificate(serial);
    REQUIRE(cert);
    const auto result = trust.verify(*cert, now);
    CHECK_FALSE(result.ok);
    CHECK(result.code == "cert_revoked");
  }

  // A legal representative whose license is not revoked: good, and the chain verifies.
  bool checked_good = false;
  for (const auto& uscc : c.enterprise_usccs()) {
    const auto holders = c.holders_of(uscc);
    const auto& lr = holders.front();
    const auto status = c.revocation_status(lr.cert_serial);
    if (status.state != CertificateState::Good) continue;
    const auto result = trust.verify(lr.certificate, now);
    INFO(result.message);
    CHECK(result.ok);
    checked_good = true;
  }
  CHECK(checked_good);
  CHECK(c.revocation_status("ABCDEF").state == CertificateState::Unknown);
  CHECK(c.revocation_status("zz").state == CertificateState::Unknown);
}

TEST_CASE("sandbox connector: broken sandboxes are refused with the file named", "[authority][sandbox]") {
  TempDir tmp;
  SECTION("not a folder") {
    CHECK_THROWS_WITH(SandboxConnector(tmp.path() / "missing"), Catch::Contains("missing") && Catch::Contains("not a folder"));
  }
  SECTION("no sandbox.json") {
    const auto dir = copy_sandbox(tmp);
    fs::remove(dir / "sandbox.json");
    CHECK_THROWS_WITH(SandboxConnector(dir), Catch::Contains("sandbox.json"));
  }
  SECTION("sandbox.json is not JSON") {
    const auto dir = copy_sandbox(tmp);
    zhaoyin::test::write_file(dir / "sandbox.json", "{ not json");
    CHECK_THROWS_WITH(SandboxConnector(dir), Catch::Contains("sandbox.json") && Catch::Contains("not valid JSON"));
  }
  SECTION("a corrupted root certificate") {
    const auto dir = copy_sandbox(tmp);
    zhaoyin::test::write_file(dir / "authority" / "root.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    CHECK_THROWS_WITH(SandboxConnector(dir), Catch::Contains("root.pem"));
  }
  SECTION("a missing CRL") {
    const auto dir = copy_sandbox(tmp);
    fs::remove(dir / "authority" / "crl-42.pem");
    CHECK_THROWS_WITH(SandboxConnector(dir), Catch::Contains("crl-42.pem"));
  }
  SECTION("a holder certificate missing from certs/") {
    const auto dir = copy_sandbox(tmp);
    const auto registry = read_json(dir / "authority" / "registry.json");
    const std::string cert = registry["enterprises"][0]["holders"][0]["cert"];
    fs::remove(dir / cert);
    CHECK_THROWS_WITH(SandboxConnector(dir), Catch::Contains(fs::path(cert).filename().string()));
  }
  SECTION("a path leaving the sandbox folder") {
    const auto dir = copy_sandbox(tmp);
    auto registry = read_json(dir / "authority" / "registry.json");
    registry["enterprises"][0]["seals"][0]["file"] = "../../etc/passwd";
    write_json(dir / "authority" / "registry.json", registry);
    CHECK_THROWS_WITH(SandboxConnector(dir), Catch::Contains("registry.json") && Catch::Contains("leaves the sandbox"));
  }
  SECTION("an invalid USCC") {
    const auto dir = copy_sandbox(tmp);
    auto registry = read_json(dir / "authority" / "registry.json");
    std::string uscc = registry["enterprises"][0]["face_info"]["uscc"];
    uscc.back() = uscc.back() == '0' ? '1' : '0';
    registry["enterprises"][0]["face_info"]["uscc"] = uscc;
    write_json(dir / "authority" / "registry.json", registry);
    CHECK_THROWS_WITH(SandboxConnector(dir), Catch::Contains("registry.json"));
  }
  SECTION("an agent without a grant") {
    const auto dir = copy_sandbox(tmp);
    auto registry = read_json(dir / "authority" / "registry.json");
    bool changed = false;
    for (auto& e : registry["enterprises"]) {
      for (auto& h : e["holders"]) {
        if (!changed && h["role"] != "legal_representative") {
          h["grant"] = nullptr;
          changed = true;
        }
      }
    }
    REQUIRE(changed);
    write_json(dir / "authority" / "registry.json", registry);
    CHECK_THROWS_WITH(SandboxConnector(dir), Catch::Contains("without a grant"));
  }
}

TEST_CASE("sandbox connector: reload keeps the old records when the new ones are broken", "[authority][sandbox]") {
  TempDir tmp;
  const auto dir = copy_sandbox(tmp);
  SandboxConnector c(dir);
  const auto usccs = c.enterprise_usccs();
  REQUIRE_FALSE(usccs.empty());
  c.reload();  // unchanged files: fine
  CHECK(c.enterprise_usccs() == usccs);
  zhaoyin::test::write_file(dir / "authority" / "registry.json", "[]");
  CHECK_THROWS_AS(c.reload(), AuthorityError);
  CHECK(c.enterprise_usccs() == usccs);
  CHECK(c.find_license(usccs.front()));
}

TEST_CASE("sandbox import: demo applications are upserted with hashed secrets", "[authority][sandbox][import]") {
  TempDir tmp;
  SandboxConnector c(shared_sandbox());
  store::DatabaseSettings settings;
  settings.data_dir = tmp.path() / "data";
  store::Database db(settings);
  db.migrate();
  store::ApplicationRepository repo(db);

  const auto listed = c.applications();
  REQUIRE_FALSE(listed.empty());
  const auto first = app::import_sandbox_applications(c, repo);
  CHECK(first.inserted == listed.size());
  CHECK(first.updated == 0);
  for (const auto& a : listed) {
    const auto found = repo.verify_secret(a.client_id, a.client_secret);
    REQUIRE(found);
    CHECK(found->name == a.name);
    CHECK(found->needs == a.needs);
    CHECK(found->matters == a.matters);
    CHECK(found->status == store::ApplicationStatus::Active);
  }
  // An operator's suspension survives a re-import.
  repo.set_status(listed.front().client_id, store::ApplicationStatus::Suspended);
  const auto second = app::import_sandbox_applications(c, repo);
  CHECK(second.inserted == 0);
  CHECK(second.updated == listed.size());
  CHECK(repo.find(listed.front().client_id)->status == store::ApplicationStatus::Suspended);
  CHECK(repo.list().size() == listed.size());
}

TEST_CASE("sandbox import: an invalid application is refused and nothing is imported", "[authority][sandbox][import]") {
  TempDir tmp;
  const auto dir = copy_sandbox(tmp);
  auto contract = read_json(dir / "sandbox.json");
  REQUIRE(contract["applications"].size() >= 2);
  contract["applications"][1]["scope"] = "galaxy";
  write_json(dir / "sandbox.json", contract);
  SandboxConnector c(dir);
  store::DatabaseSettings settings;
  settings.data_dir = tmp.path() / "data";
  store::Database db(settings);
  db.migrate();
  store::ApplicationRepository repo(db);
  CHECK_THROWS_WITH(app::import_sandbox_applications(c, repo), Catch::Contains("galaxy"));
  CHECK(repo.list().empty());
}
