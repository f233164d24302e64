// The access applications on PostgreSQL: migration 11's SQL, the lifecycle,
// concurrent approvals (the row lock makes the loser re-read the status and
// match nothing) and markup round-tripping, on a private server
// (tests/support/postgres_server.h).
#include <access_fixture.h>
#include <atomic>
#include <catch2/catch.hpp>
#include <future>
#include <postgres_server.h>
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
  access::AccessService service(s.db);
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
  access::AccessService service(s.db);
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
  access::AccessService service(s.db);
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
  access::AccessService service(s.db);
  auto form = valid_form();
  form.org_name = "<script>alert(1)</script>";
  form.address = "路'; DROP TABLE access_trail; --";
  const auto a = service.create_draft(kApplicant, form);
  const auto stored = *service.find(a.id);
  CHECK(stored.form.org_name == form.org_name);
  CHECK(stored.form.address == form.address);
}
