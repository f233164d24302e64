// Subject verification against the sandbox authority: one passing case per
// kind of holder, and every refusal with its own code.
#include <catch2/catch.hpp>
#include <sandbox_fixture.h>
#include <zhaoyin/authority/sandbox_connector.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/sandbox/grant.h>
#include <zhaoyin/verification/subject_verifier.h>
#include <zhaoyin/wallet/wallet.h>

using namespace zhaoyin;
using namespace zhaoyin::test;
using nlohmann::json;

namespace {

const std::string kInvoice = "电子政务/税务/发票申领";

struct Fixture {
  std::shared_ptr<authority::SandboxConnector> authority =
      std::make_shared<authority::SandboxConnector>(shared_sandbox());
  json manifest = read_json(shared_sandbox() / "sandbox.json");

  const json& wallet_of(const std::string& holder) const {
    for (const auto& w : manifest["wallets"])
      if (w["holder"] == holder) return w;
    throw std::runtime_error("no wallet for " + holder);
  }
  authority::HolderRecord holder(const std::string& name) const {
    return *authority->find_holder(wallet_of(name)["cert_serial"].get<std::string>());
  }
  static json grant_json(const authority::HolderRecord& h) {
    if (!h.grant) return nullptr;
    return {{"payload", h.grant->payload}, {"signature", h.grant->signature},
            {"signer_cert_serial", h.grant->signer_cert_serial}};
  }
  verification::SubjectEvidence evidence(const std::string& name, std::optional<std::string> matter = {}) const {
    const auto h = holder(name);
    verification::SubjectEvidence e;
    e.certificate = h.certificate;
    e.grant = grant_json(h);
    e.matter = std::move(matter);
    e.at = std::chrono::system_clock::now();
    return e;
  }
};

verification::RelyingParty hubei_tax() {
  return {"tax-app", "湖北省电子税务局（沙箱）", "tax", "province", "42", {"电子政务/税务"}};
}
verification::RelyingParty national_bank() {
  return {"bank-app", "沙箱商业银行", "banking", "national", "",
          {"电子商务/银行", "电子政务/税务", "电子政务/不动产", "电子政务/社保"}};
}

std::string refusal(const Fixture& f, const verification::RelyingParty& rp, const verification::SubjectEvidence& e) {
  try {
    verification::verify_subject(*f.authority, rp, e);
  } catch (const verification::VerificationFailed& failed) {
    CHECK_FALSE(failed.checks().back().passed);
    CHECK(failed.checks().back().code == failed.code());
    return failed.code();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("a legal representative is verified with every check listed", "[verification]") {
  Fixture f;
  const auto subject = verification::verify_subject(*f.authority, hubei_tax(), f.evidence("张志伟", kInvoice));
  CHECK(subject.face_info.name.find("武汉长江云数科技有限公司") == 0);
  CHECK(subject.role == domain::HolderRole::LegalRepresentative);
  CHECK(subject.authorisation.scope == "full");
  std::vector<std::string> names;
  for (const auto& c : subject.checks) {
    CHECK(c.passed);
    names.push_back(c.name);
  }
  CHECK(names == std::vector<std::string>{"certificate", "chain", "validity", "revocation", "enterprise", "scope",
                                          "matter", "authorisation"});
  const json j = subject.to_json();
  CHECK(j["holder"]["role_label"] == "法定代表人");
  CHECK(j["face_info"]["labels"]["legal_representative"] == "法定代表人");
  CHECK(j["license_serial"] == subject.license_serial);
  CHECK(subject.chain.size() == 3);
}

TEST_CASE("an individual business's holder carries the 经营者 label", "[verification]") {
  Fixture f;
  const auto subject = verification::verify_subject(*f.authority, national_bank(), f.evidence("黄丽"));
  CHECK(subject.holder_json()["role_label"] == "经营者");
  CHECK(subject.to_json()["face_info"]["labels"]["address"] == "经营场所");
}

TEST_CASE("an agent with a precise grant is verified for a matter it covers", "[verification]") {
  Fixture f;
  const auto subject = verification::verify_subject(*f.authority, hubei_tax(), f.evidence("王强", kInvoice));
  CHECK(subject.role == domain::HolderRole::Agent);
  CHECK(subject.authorisation.scope == "precise");
  CHECK(subject.holder_json()["authorisation"]["matters"].size() == 2);
}

TEST_CASE("verification refusals each have their own code", "[verification]") {
  Fixture f;
  SECTION("a license of another province for a 本省 application") {
    CHECK(refusal(f, hubei_tax(), f.evidence("黄丽")) == "out_of_scope");
  }
  SECTION("a revoked license certificate") {
    CHECK(refusal(f, national_bank(), f.evidence("林晓")) == "license_revoked");
  }
  SECTION("an enterprise whose license is 吊销") {
    CHECK(refusal(f, hubei_tax(), f.evidence("马晓东")) == "enterprise_not_active");
  }
  SECTION("a matter the application is not approved for") {
    CHECK(refusal(f, hubei_tax(), f.evidence("张志伟", "电子商务/银行/对公开户")) == "matter_not_approved");
  }
  SECTION("an agent without its grant") {
    auto e = f.evidence("王强", kInvoice);
    e.grant = nullptr;
    CHECK(refusal(f, hubei_tax(), e) == "authorisation_missing");
  }
  SECTION("an agent whose authorisation has expired") {
    CHECK(refusal(f, national_bank(), f.evidence("杨帆", "电子政务/不动产/转移登记")) == "authorisation_expired");
  }
  SECTION("a precise grant that does not cover the matter (a parent matter is not covered)") {
    CHECK(refusal(f, hubei_tax(), f.evidence("王强", "电子政务/税务")) == "matter_not_covered");
  }
  SECTION("another holder's grant") {
    auto e = f.evidence("王强", kInvoice);
    e.grant = Fixture::grant_json(f.holder("李娜"));
    CHECK(refusal(f, hubei_tax(), e) == "bad_grant");
  }
  SECTION("a grant with its signature broken") {
    auto e = f.evidence("王强", kInvoice);
    std::string sig = e.grant["signature"];
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    e.grant["signature"] = sig;
    CHECK(refusal(f, hubei_tax(), e) == "bad_grant");
  }
  SECTION("a grant the legal representative signed but the authority does not hold") {
    // The legal representative's own wallet signs a wider grant than the one on record.
    const auto& lr = f.wallet_of("张志伟");
    auto wallet = wallet::Wallet::load(shared_sandbox() / lr["path"].get<std::string>());
    wallet.unlock(lr["password"].get<std::string>());
    const auto agent = f.holder("王强");
    domain::Authorisation wider = agent.authorisation;
    wider.scope = "full";
    wider.matters.clear();
    const json payload = sandbox::grant_payload(agent.uscc, agent.name, agent.cert_serial, agent.role, wider);
    const trust::Bytes bytes = protocol::canonical_bytes(payload);
    auto e = f.evidence("王强", "电子政务/税务");
    e.grant = {{"payload", trust::base64url_encode(bytes)},
               {"signature", trust::base64_encode(wallet.sign(bytes))},
               {"signer_cert_serial", lr["cert_serial"]}};
    CHECK(refusal(f, hubei_tax(), e) == "authorisation_superseded");
  }
  SECTION("a certificate the authority never issued") {
    auto e = f.evidence("张志伟");
    trust::CertificateRequest req;
    req.subject.attributes = {{"CN", "张志伟 (Sandbox)"}};
    req.subject_key = trust::Sm2Key::generate();
    req.not_before = std::chrono::system_clock::now() - std::chrono::hours(1);
    req.not_after = std::chrono::system_clock::now() + std::chrono::hours(24);
    req.serial = trust::hex_decode(e.certificate.serial_hex().size() % 2 ? "0" + e.certificate.serial_hex()
                                                                        : e.certificate.serial_hex());
    e.certificate = trust::issue_certificate(req, req.subject_key, nullptr);  // same serial, self-signed
    CHECK(refusal(f, hubei_tax(), e) == "unknown_license");
  }
  SECTION("a verification made after the license certificate expired") {
    auto e = f.evidence("张志伟");
    e.at = std::chrono::system_clock::now() + std::chrono::hours(24 * 365 * 4);
    CHECK(refusal(f, hubei_tax(), e) == "license_expired");
  }
}

TEST_CASE("prior checks of the caller are listed first", "[verification]") {
  Fixture f;
  auto e = f.evidence("张志伟");
  e.prior_checks.push_back({"signature", true, "ok", "the answer's signature verifies"});
  const auto subject = verification::verify_subject(*f.authority, national_bank(), e);
  CHECK(subject.checks.front().name == "signature");
  CHECK(verification::matter_approved({"电子政务/税务"}, kInvoice));
  CHECK_FALSE(verification::matter_approved({"电子政务/税务/发票申领"}, "电子政务/税务"));
}
