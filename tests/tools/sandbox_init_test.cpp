// `zhaoyin sandbox init`: everything sandbox.json lists exists and is what it
// says (the automation contract of docs/SANDBOX.md), and the demo data covers
// every case the host must handle.
#include <catch2/catch.hpp>
#include <set>
#include <sys/stat.h>
#include <zhaoyin/domain/license.h>
#include <zhaoyin/trust/uscc.h>
#include <zhaoyin/wallet/wallet.h>
#include "sandbox_fixture.h"

using namespace zhaoyin::test;
using nlohmann::json;

namespace {

bool has_mode(const fs::path& p, unsigned mode) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && (st.st_mode & 0777) == mode;
}

}  // namespace

TEST_CASE("sandbox init writes every file sandbox.json names") {
  const Sandbox& s = shared_sandbox();
  const json& m = s.manifest;
  CHECK(m["format"] == "zhaoyin-sandbox/1");
  CHECK(m["created_at"].get<std::string>().size() == 20);
  const json& authority = m["authority"];
  for (const char* key : {"root", "root_crl", "seal_maker", "registry"}) {
    INFO(key);
    CHECK(fs::is_regular_file(s.path(authority[key])));
  }
  REQUIRE(authority["issuing_cas"].size() == 4);
  for (const auto& ca : authority["issuing_cas"]) {
    CHECK(fs::is_regular_file(s.path(ca["cert"])));
    CHECK(fs::is_regular_file(s.path(ca["crl"])));
    const std::string p = ca["province"];
    CHECK(fs::is_regular_file(s.path("authority/ca-" + p + ".key")));
  }
  for (const auto& w : m["wallets"]) CHECK(fs::is_regular_file(s.path(w["path"])));

  // registry.json: certificates, seals and impressions it names.
  const json registry = s.registry();
  CHECK(registry["format"] == "zhaoyin-registry/1");
  for (const auto& e : registry["enterprises"]) {
    for (const auto& h : e["holders"]) {
      CHECK(fs::is_regular_file(s.path(h["cert"])));
      CHECK(h["cert"] == "authority/certs/" + h["cert_serial"].get<std::string>() + ".pem");
    }
    for (const auto& seal : e["seals"]) {
      CHECK(fs::is_regular_file(s.path(seal["file"])));
      CHECK(fs::is_regular_file(s.path(seal["image"])));
    }
  }
}

TEST_CASE("keys, wallets and the manifest are readable by their owner only") {
  const Sandbox& s = shared_sandbox();
  CHECK(has_mode(s.path("authority/root.key"), 0600));
  CHECK(has_mode(s.path("authority/seal-maker.key"), 0600));
  for (const char* p : {"42", "41", "44", "37"}) CHECK(has_mode(s.path(std::string("authority/ca-") + p + ".key"), 0600));
  CHECK(has_mode(s.path("sandbox.json"), 0600));
  for (const auto& w : s.manifest["wallets"]) CHECK(has_mode(s.path(w["path"]), 0600));
  CHECK(has_mode(s.path("authority/root.pem"), 0644));
}

TEST_CASE("every wallet opens with its password and belongs to its holder") {
  const Sandbox& s = shared_sandbox();
  REQUIRE(s.manifest["wallets"].size() >= 12);
  for (const auto& w : s.manifest["wallets"]) {
    INFO(w["path"]);
    auto wallet = zhaoyin::wallet::Wallet::load(s.path(w["path"]));
    const std::string password = w["password"];
    CHECK(password.size() == 8);
    CHECK(password.find_first_not_of("0123456789") == std::string::npos);
    CHECK_NOTHROW(wallet.unlock(password));
    CHECK(wallet.holder().name == w["holder"]);
    CHECK(zhaoyin::domain::to_string(wallet.holder().role) == w["role"]);
    CHECK(wallet.face_info().uscc == w["uscc"]);
    CHECK(wallet.license_serial() == w["cert_serial"]);
    CHECK(wallet.sandbox());
    CHECK(wallet.chain().size() == 2);
  }
}

TEST_CASE("the demo enterprises cover every kind, four provinces and a revoked license") {
  const Sandbox& s = shared_sandbox();
  const json& enterprises = s.manifest["enterprises"];
  REQUIRE(enterprises.size() >= 6);
  std::set<std::string> kinds, provinces;
  int revoked_status = 0;
  int revoked_cert = 0;
  for (const auto& e : enterprises) {
    const std::string uscc = e["uscc"];
    INFO(uscc);
    CHECK(zhaoyin::trust::uscc_valid(uscc));
    CHECK(uscc.substr(2, 2) == e["province"]);  // the region code is in the province
    kinds.insert(e["kind"].get<std::string>());
    provinces.insert(e["province"].get<std::string>());
    revoked_status += e["status"] == "revoked" ? 1 : 0;
    revoked_cert += e["license_revoked"].get<bool>() ? 1 : 0;
    CHECK(e["name"].get<std::string>().find("（沙箱）") != std::string::npos);
  }
  CHECK(kinds == std::set<std::string>{"limited_company", "joint_stock_company", "individual_business",
                                       "partnership", "branch"});
  CHECK(provinces == std::set<std::string>{"42", "41", "44", "37"});
  CHECK(revoked_status == 1);
  CHECK(revoked_cert == 1);

  // The individual business's USCC says so (entity type 2).
  for (const auto& e : enterprises) {
    if (e["kind"] == "individual_business") CHECK(e["uscc"].get<std::string>().substr(0, 2) == "92");
  }
}

TEST_CASE("face info in the registry is complete and labelled by kind") {
  const json registry = shared_sandbox().registry();
  for (const auto& e : registry["enterprises"]) {
    const auto face = zhaoyin::domain::face_info_from_json(e["face_info"]);
    INFO(face.name);
    CHECK_FALSE(face.legal_representative.empty());
    CHECK_FALSE(face.type.empty());
    CHECK_FALSE(face.address.empty());
    CHECK_FALSE(face.business_scope.empty());
    CHECK_FALSE(face.registration_authority.empty());
    CHECK(face.established.size() == 10);
    CHECK(face.approval_date.size() == 10);
    CHECK(face.term_from == face.established);
    if (face.kind == zhaoyin::domain::EnterpriseKind::IndividualBusiness) {
      CHECK(e["face_info"]["labels"]["legal_representative"] == "经营者");
    }
    if (face.kind == zhaoyin::domain::EnterpriseKind::Branch) {
      CHECK(e["face_info"]["labels"]["legal_representative"] == "负责人");
      CHECK(face.registered_capital.empty());
    }
  }
}

TEST_CASE("holders: one legal representative first, administrators and agents, full and precise") {
  const json registry = shared_sandbox().registry();
  int precise = 0, full_non_lr = 0, administrators = 0, agents = 0;
  std::set<std::string> matters;
  for (const auto& e : registry["enterprises"]) {
    const auto& holders = e["holders"];
    REQUIRE(holders.size() >= 2);
    CHECK(holders[0]["role"] == "legal_representative");
    CHECK(holders[0]["name"] == e["face_info"]["legal_representative"]);
    CHECK(holders[0]["grant"].is_null());
    CHECK(holders[0]["authorisation"]["scope"] == "full");
    CHECK(holders[0]["authorisation"]["seals"].size() == e["seals"].size());  // the LR may use every seal
    for (std::size_t i = 1; i < holders.size(); ++i) {
      const auto& h = holders[i];
      CHECK(h["role"] != "legal_representative");
      CHECK(h["grant"].is_object());
      administrators += h["role"] == "administrator" ? 1 : 0;
      agents += h["role"] == "agent" ? 1 : 0;
      if (h["authorisation"]["scope"] == "precise") {
        ++precise;
        CHECK_FALSE(h["authorisation"]["matters"].empty());
        for (const auto& matter : h["authorisation"]["matters"]) matters.insert(matter.get<std::string>());
      } else {
        ++full_non_lr;
      }
    }
  }
  CHECK(administrators >= 3);
  CHECK(agents >= 5);
  CHECK(precise >= 4);
  CHECK(full_non_lr >= 3);
  for (const char* m : {"电子政务/税务/发票申领", "电子政务/社保/参保登记", "电子政务/不动产/转移登记",
                        "电子商务/银行/对公开户"}) {
    CHECK(matters.count(m) == 1);
  }
}

TEST_CASE("exactly one authorisation has expired, and sandbox.json says which") {
  const Sandbox& s = shared_sandbox();
  const std::string now = iso8601_now();
  int expired = 0;
  for (const auto& r : registry_holders(s.registry())) {
    if (r.holder["authorisation"]["valid_to"].get<std::string>() < now) ++expired;
  }
  CHECK(expired == 1);
  int flagged = 0;
  for (const auto& w : s.manifest["wallets"]) {
    if (w["authorisation_expired"].get<bool>()) {
      ++flagged;
      auto wallet = zhaoyin::wallet::Wallet::load(s.path(w["path"]));
      CHECK(wallet.authorisation_status(std::chrono::system_clock::now()) == "expired");
    }
  }
  CHECK(flagged == 1);
}

TEST_CASE("seal sets: four or five per enterprise, the legal representative's seal in both") {
  const json registry = shared_sandbox().registry();
  int with_four = 0, with_five = 0;
  for (const auto& e : registry["enterprises"]) {
    std::set<std::string> types;
    for (const auto& seal : e["seals"]) types.insert(seal["type"].get<std::string>());
    CHECK(types.size() == e["seals"].size());
    // 法定名称章, 财务专用章, 发票专用章, 法定代表人名章 in every set; the 合同专用章 makes five.
    for (const char* t : {"company", "finance", "invoice", "legal_rep"}) CHECK(types.count(t) == 1);
    if (e["seals"].size() == 5) {
      ++with_five;
      CHECK(types.count("contract") == 1);
    } else {
      ++with_four;
      CHECK(e["seals"].size() == 4);
      CHECK(types.count("contract") == 0);
    }
  }
  CHECK(with_four >= 1);
  CHECK(with_five >= 1);
}

TEST_CASE("the demo applications: one per department, with fresh credentials") {
  const json& apps = shared_sandbox().manifest["applications"];
  std::set<std::string> departments, ids;
  for (const auto& a : apps) {
    departments.insert(a["department"].get<std::string>());
    ids.insert(a["client_id"].get<std::string>());
    CHECK(a["client_secret"].get<std::string>().size() >= 32);
    CHECK((a["scope"] == "province" || a["scope"] == "national"));
    if (a["scope"] == "province") CHECK(a["province"].is_string());
    if (a["scope"] == "national") CHECK(a["province"].is_null());
    CHECK_FALSE(a["needs"].empty());
    CHECK_FALSE(a["channels"].empty());
    CHECK_FALSE(a["matters"].empty());
    CHECK(a["annual_volume"].get<long>() > 0);
    CHECK(a["peak_rate"].get<int>() > 0);
    CHECK(zhaoyin::trust::uscc_valid(a["organisation"]["uscc"].get<std::string>()));
  }
  CHECK(departments == std::set<std::string>{"tax", "social_insurance", "real_estate", "banking"});
  CHECK(ids.size() == apps.size());
}

TEST_CASE("sandbox init refuses a DIR that is a file, and needs a DIR") {
  TempDir tmp;
  const auto file = tmp.path() / "plain-file";
  write_file(file, "not a folder");
  const auto r = run_command(quote(bin("zhaoyin")) + " sandbox init " + quote(file.string()));
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("not a folder") != std::string::npos);
  CHECK(read_file(file) == "not a folder");

  const auto usage = run_command(quote(bin("zhaoyin")) + " sandbox init");
  CHECK(usage.exit_code == 2);
  CHECK(usage.output.find("DIR") != std::string::npos);
}
