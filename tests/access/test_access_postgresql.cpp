// The access applications on PostgreSQL: migration 11's SQL, the lifecycle,
// concurrent approvals (the row lock makes the loser re-read the status and
// match nothing) and markup round-tripping, on a private server
// (tests/support/postgres_server.h).
#include <access_fixture.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <postgres_server.h>
#include <zhaoyin/access/matters_catalogue.h>
#include <zhaoyin/store/application_repository.h>

using namespace zhaoyin;
using namespace zhaoyin::test;
using access::Action;
using access::Status;

namespace {

PostgresServer& server() {
  static PostgresServer pg;
  return pg;
}

std::string fresh_database() {
  static std::atomic<int> counter{0};
  return server().create_database("access_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
}

}  // namespace

TEST_CASE("postgresql: the lifecycle with credentials, rotation and the trail") {
  AccessStore s(fresh_database());
  access::AccessService service(s.db, two_stage_review());
  auto a = service.create_draft(kApplicant, valid_form());
  service.submit(kApplicant, a.id, known_matters());
  service.act(kReviewer, a.id, Action::Accept, "受理");
  std::optional<access::Credentials> issued;
  a = service.act(kReviewer, a.id, Action::Approve, "同意", &issued);
  REQUIRE(issued);
  CHECK(a.status == Status::Active);
  store::ApplicationRepository applications(*s.db);
  CHECK(applications.verify_secret(issued->client_id, issued->client_secret));
  const auto rotated = service.rotate_secret(kOperator, a.id);
  CHECK_FALSE(applications.verify_secret(issued->client_id, issued->client_secret));
  CHECK(applications.verify_secret(rotated.client_id, rotated.client_secret));
  service.act(kOperator, a.id, Action::Suspend, "核查");
  CHECK(applications.find(a.client_id)->status == store::ApplicationStatus::Suspended);
  a = service.act(kOperator, a.id, Action::Revoke, "下线");
  const auto stored = *service.find(a.id);
  REQUIRE(stored.trail.size() == 6);
  CHECK(stored.trail[0].action == Action::Submit);
  CHECK(stored.trail[1].opinion == "受理");
  CHECK(stored.trail[3].action == Action::RotateSecret);
  CHECK(stored.trail[5].to == Status::Revoked);
  CHECK(stored.status == Status::Revoked);
  CHECK(service.list_for(kApplicant).size() == 1);
  CHECK(service.list_for(kReviewer, Status::Revoked).size() == 1);
  CHECK(service.list_for(kOtherApplicant).empty());
}

TEST_CASE("postgresql: refusals leave nothing behind") {
  AccessStore s(fresh_database());
  access::AccessService service(s.db, two_stage_review());
  const auto a = service.create_draft(kApplicant, valid_form());
  try {
    service.act(kReviewer, a.id, Action::Approve, "");
    FAIL("approving a draft was not refused");
  } catch (const access::AccessError& e) {
    CHECK(e.code() == "invalid_transition");
  }
  CHECK(service.find(a.id)->trail.empty());
  CHECK(store::ApplicationRepository(*s.db).list().empty());
}

TEST_CASE("postgresql: two reviewers approving at once — one approval, one 409") {
  AccessStore s(fresh_database());
  access::AccessService service(s.db, two_stage_review());
  for (int round = 0; round < 5; ++round) {
    const auto a = service.create_draft(kApplicant, valid_form());
    service.submit(kApplicant, a.id, known_matters());
    service.act(kReviewer, a.id, Action::Accept, "");
    std::promise<void> go;
    auto start = go.get_future().share();
    auto approve = [&](const access::Actor& who) {
      start.wait();
      try {
        service.act(who, a.id, Action::Approve, "同意");
        return std::string("approved");
      } catch (const access::AccessError& e) {
        return e.code();
      }
    };
    auto first = std::async(std::launch::async, approve, kReviewer);
    auto second = std::async(std::launch::async, approve, kSecondReviewer);
    go.set_value();
    std::vector<std::string> outcomes = {first.get(), second.get()};
    std::sort(outcomes.begin(), outcomes.end());
    CHECK(outcomes == std::vector<std::string>{"approved", "invalid_transition"});
  }
  CHECK(store::ApplicationRepository(*s.db).list().size() == 5);
}

TEST_CASE("postgresql: markup round-trips unchanged") {
  AccessStore s(fresh_database());
  access::AccessService service(s.db, two_stage_review());
  auto form = valid_form();
  form.org_name = "<script>alert(1)</script>";
  form.address = "路'; DROP TABLE access_trail; --";
  const auto a = service.create_draft(kApplicant, form);
  const auto stored = *service.find(a.id);
  CHECK(stored.form.org_name == form.org_name);
  CHECK(stored.form.address == form.address);
}

TEST_CASE("postgresql: the matters catalogue - starter once, edits kept, an import all or nothing") {
  AccessStore s(fresh_database());
  access::MattersCatalogue catalogue(s.db);
  const auto starter = static_cast<int>(access::MattersCatalogue::starter_entries().size());
  CHECK(catalogue.load_starter() == starter);
  CHECK(catalogue.load_starter() == 0);
  catalogue.rename("ZW-SCJG-01", "动产抵押登记（省级）");
  catalogue.set_status("ZW-SW-02", "retired");
  CHECK(catalogue.load_starter() == 0);
  CHECK(catalogue.find("ZW-SCJG-01")->label == "动产抵押登记（省级）");
  CHECK(catalogue.contribute(nlohmann::json::parse(
            R"([{"path":"电子政务/海关/报关单位备案","name":"报关单位备案","source":"plugin:customs"}])")) == 1);
  try {
    catalogue.add([] {
      access::CatalogueEntry e;
      e.domain = "电子政务";
      e.industry = "市场监管";
      e.matter = "动产抵押";
      return e;
    }());
    FAIL("an existing path was added again");
  } catch (const access::AccessError& e) {
    CHECK(e.code() == "matter_exists");
  }
  const auto before = catalogue.list().size();
  const auto entries = access::parse_catalogue_csv(
      "code,domain,industry,matter\nPG-1,电子政务,市场监管,全新事项\nZW-SCJG-01,电子政务,市场监管,改了路径\n");
  try {
    catalogue.import(entries);
    FAIL("a conflicting import went through");
  } catch (const access::AccessError& e) {
    CHECK(e.code() == "invalid_catalogue_import");
  }
  CHECK(catalogue.list().size() == before);
  CHECK_FALSE(catalogue.find("PG-1"));
  CHECK(catalogue.import(access::parse_catalogue_csv("code,domain,industry,matter\nPG-1,电子政务,市场监管,全新事项\n")) ==
        std::pair<int, int>{1, 0});
  CHECK(catalogue.known().retired == std::vector<std::string>{"电子政务/税务/纳税申报"});
}
