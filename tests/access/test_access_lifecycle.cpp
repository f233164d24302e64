// The review steps of access applications: the whole lifecycle, every
// refusal with its code, approval into a working client, rotation, and two
// reviewers approving at once.
#include <access_fixture.h>
#include <catch2/catch.hpp>
#include <future>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/extension_bindings.h>

using namespace zhaoyin;
using namespace zhaoyin::test;
using access::AccessError;
using access::Action;
using access::Status;

namespace {

// An application taken to `accepted` by the usual people.
std::string accepted_application(access::AccessService& service) {
  const auto a = service.create_draft(kApplicant, valid_form());
  service.submit(kApplicant, a.id, known_matters());
  service.act(kReviewer, a.id, Action::Accept, "材料齐全，予以受理");
  return a.id;
}

}  // namespace

TEST_CASE("the whole lifecycle, with the trail recording who, role and opinion") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  auto form = valid_form();
  form.contact_phone = "bad";  // drafts are saved even when invalid
  auto a = service.create_draft(kApplicant, form);
  CHECK(a.id.rfind("apl-", 0) == 0);
  CHECK(a.status == Status::Draft);
  CHECK(a.owner == "alice");

  const auto refused = refusal([&] { service.submit(kApplicant, a.id, known_matters()); });
  CHECK(refused.status() == 422);
  CHECK(refused.code() == "invalid_form");
  REQUIRE(refused.fields().size() == 1);
  CHECK(refused.fields()[0].field == "contact_phone");
  CHECK(service.find(a.id)->status == Status::Draft);

  a = service.save_draft(kApplicant, a.id, valid_form());
  a = service.submit(kApplicant, a.id, known_matters());
  CHECK(a.status == Status::Submitted);
  a = service.act(kReviewer, a.id, Action::Accept, "");
  CHECK(a.status == Status::Accepted);
  a = service.act(kReviewer, a.id, Action::Return, "请补充业务种类简介");
  CHECK(a.status == Status::Returned);
  auto edited = valid_form();
  edited.business_summary += "（已补充）";
  a = service.save_draft(kApplicant, a.id, edited);
  CHECK(a.status == Status::Returned);
  CHECK(a.form.business_summary == edited.business_summary);
  a = service.submit(kApplicant, a.id, known_matters());
  a = service.act(kReviewer, a.id, Action::Accept, "材料齐全，予以受理");

  std::optional<access::Credentials> issued;
  a = service.act(kReviewer, a.id, Action::Approve, "同意接入", &issued);
  CHECK(a.status == Status::Active);
  REQUIRE(issued);
  CHECK(issued->client_id == a.client_id);
  CHECK(issued->client_id.rfind("app-", 0) == 0);
  CHECK(issued->client_secret.size() == 32);

  a = service.act(kOperator, a.id, Action::Suspend, "超出峰值，暂停核查");
  CHECK(a.status == Status::Suspended);
  a = service.act(kOperator, a.id, Action::Resume, "");
  CHECK(a.status == Status::Active);
  a = service.act(kOperator, a.id, Action::Revoke, "系统下线");
  CHECK(a.status == Status::Revoked);

  const std::vector<std::tuple<Action, Status, Status, std::string, std::string>> expected = {
      {Action::Submit, Status::Draft, Status::Submitted, "alice", "applicant"},
      {Action::Accept, Status::Submitted, Status::Accepted, "rita", "reviewer"},
      {Action::Return, Status::Accepted, Status::Returned, "rita", "reviewer"},
      {Action::Submit, Status::Returned, Status::Submitted, "alice", "applicant"},
      {Action::Accept, Status::Submitted, Status::Accepted, "rita", "reviewer"},
      {Action::Approve, Status::Accepted, Status::Active, "rita", "reviewer"},
      {Action::Suspend, Status::Active, Status::Suspended, "otto", "operator"},
      {Action::Resume, Status::Suspended, Status::Active, "otto", "operator"},
      {Action::Revoke, Status::Active, Status::Revoked, "otto", "operator"},
  };
  const auto stored = *service.find(a.id);
  REQUIRE(stored.trail.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& [action, from, to, actor, role] = expected[i];
    CHECK(stored.trail[i].seq == static_cast<std::int64_t>(i + 1));
    CHECK(stored.trail[i].action == action);
    CHECK(stored.trail[i].from == from);
    CHECK(stored.trail[i].to == to);
    CHECK(stored.trail[i].actor == actor);
    CHECK(stored.trail[i].role == role);
    CHECK(stored.trail[i].at.time_since_epoch().count() > 0);
  }
  CHECK(stored.trail[2].opinion == "请补充业务种类简介");
  CHECK(stored.trail[5].opinion == "同意接入");
  CHECK(stored.trail[8].opinion == "系统下线");
}

TEST_CASE("a rejected application stays rejected") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  const auto id = accepted_application(service);
  CHECK(service.act(kReviewer, id, Action::Reject, "业务不在接入范围").status == Status::Rejected);
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Approve, ""), 409, "invalid_transition");
  REQUIRE_REFUSED(service.save_draft(kApplicant, id, valid_form()), 409, "invalid_transition");
  REQUIRE_REFUSED(service.submit(kApplicant, id, known_matters()), 409, "invalid_transition");
}

TEST_CASE("approval creates a working relying-party application") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  const auto id = accepted_application(service);
  std::optional<access::Credentials> issued;
  const auto a = service.act(kReviewer, id, Action::Approve, "同意", &issued);
  REQUIRE(issued);

  store::ApplicationRepository applications(*s.db);
  const auto app = applications.verify_secret(issued->client_id, issued->client_secret);
  REQUIRE(app);
  CHECK_FALSE(applications.verify_secret(issued->client_id, "not-the-secret"));
  const auto f = valid_form();
  CHECK(app->name == f.system_name);
  CHECK(app->department == "tax");
  CHECK(app->scope == "province");
  CHECK(app->province == "42");
  CHECK(app->needs == f.needs);
  CHECK(app->channels == f.channels);
  CHECK(app->matters == f.matters);
  CHECK(app->annual_volume == 120 * 10000);
  CHECK(app->peak_rate == 50);
  CHECK(app->redirect_uris == f.redirect_uris);
  CHECK(app->status == store::ApplicationStatus::Active);
  CHECK(store::ExtensionBindingRepository(*s.db).names(issued->client_id, store::ExtensionKind::Plugin) ==
        std::vector<std::string>{"tax"});

  SECTION("suspend, resume and revoke reach the client") {
    service.act(kOperator, id, Action::Suspend, "核查");
    CHECK(applications.find(a.client_id)->status == store::ApplicationStatus::Suspended);
    service.act(kOperator, id, Action::Resume, "");
    CHECK(applications.find(a.client_id)->status == store::ApplicationStatus::Active);
    service.act(kOperator, id, Action::Revoke, "下线");
    CHECK(applications.find(a.client_id)->status == store::ApplicationStatus::Revoked);
    REQUIRE_REFUSED(service.act(kOperator, id, Action::Resume, ""), 409, "invalid_transition");
    REQUIRE_REFUSED(service.rotate_secret(kOperator, id), 409, "invalid_transition");
  }

  SECTION("rotation: the new secret works, the old one stops at once") {
    const auto rotated = service.rotate_secret(kOperator, id);
    CHECK(rotated.client_id == issued->client_id);
    CHECK(rotated.client_secret != issued->client_secret);
    CHECK(applications.verify_secret(rotated.client_id, rotated.client_secret));
    CHECK_FALSE(applications.verify_secret(issued->client_id, issued->client_secret));
    std::optional<access::Credentials> again;
    service.act(kOperator, id, Action::RotateSecret, "", &again);
    REQUIRE(again);
    CHECK_FALSE(applications.verify_secret(rotated.client_id, rotated.client_secret));
    CHECK(applications.verify_secret(again->client_id, again->client_secret));
    const auto trail = service.find(id)->trail;
    REQUIRE(trail.size() == 5);
    CHECK(trail[3].action == Action::RotateSecret);
    CHECK(trail[3].from == Status::Active);
    CHECK(trail[3].to == Status::Active);
    CHECK(trail[3].actor == "otto");
    CHECK(service.find(id)->status == Status::Active);
  }
}

TEST_CASE("refusals: not found, someone else's application, wrong role") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  REQUIRE_REFUSED(service.submit(kApplicant, "apl-missing", known_matters()), 404, "not_found");
  REQUIRE_REFUSED(service.act(kReviewer, "apl-missing", Action::Accept, ""), 404, "not_found");
  REQUIRE_REFUSED(service.save_draft(kApplicant, "apl-missing", valid_form()), 404, "not_found");
  REQUIRE_REFUSED(service.rotate_secret(kOperator, "apl-missing"), 404, "not_found");

  const auto a = service.create_draft(kApplicant, valid_form());
  REQUIRE_REFUSED(service.save_draft(kOtherApplicant, a.id, valid_form()), 403, "not_your_application");
  REQUIRE_REFUSED(service.submit(kOtherApplicant, a.id, known_matters()), 403, "not_your_application");

  REQUIRE_REFUSED(service.create_draft(kReviewer, valid_form()), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.create_draft(access::Actor{"mallory", "admin"}, valid_form()), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.save_draft(kReviewer, a.id, valid_form()), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.submit(kReviewer, a.id, known_matters()), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.list_for(access::Actor{"mallory", "admin"}), 403, "role_not_allowed");

  service.submit(kApplicant, a.id, known_matters());
  REQUIRE_REFUSED(service.act(kApplicant, a.id, Action::Accept, ""), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.act(kOperator, a.id, Action::Accept, ""), 403, "role_not_allowed");
  service.act(kReviewer, a.id, Action::Accept, "");
  REQUIRE_REFUSED(service.act(kApplicant, a.id, Action::Approve, ""), 403, "role_not_allowed");
  std::optional<access::Credentials> issued;
  service.act(kReviewer, a.id, Action::Approve, "", &issued);
  REQUIRE_REFUSED(service.act(kReviewer, a.id, Action::Suspend, "核查"), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.act(kApplicant, a.id, Action::Revoke, "下线"), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.rotate_secret(kReviewer, a.id), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.rotate_secret(kApplicant, a.id), 403, "role_not_allowed");
  // None of the refusals left a trace in the trail.
  CHECK(service.find(a.id)->trail.size() == 3);
}

TEST_CASE("refusals: steps out of order are invalid transitions") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  const auto a = service.create_draft(kApplicant, valid_form());
  REQUIRE_REFUSED(service.act(kReviewer, a.id, Action::Approve, "同意"), 409, "invalid_transition");
  REQUIRE_REFUSED(service.act(kReviewer, a.id, Action::Accept, ""), 409, "invalid_transition");
  REQUIRE_REFUSED(service.act(kReviewer, a.id, Action::Return, "改"), 409, "invalid_transition");
  REQUIRE_REFUSED(service.act(kOperator, a.id, Action::Suspend, "停"), 409, "invalid_transition");
  REQUIRE_REFUSED(service.rotate_secret(kOperator, a.id), 409, "invalid_transition");
  REQUIRE_REFUSED(service.act(kApplicant, a.id, Action::Submit, ""), 409, "invalid_transition");
  service.submit(kApplicant, a.id, known_matters());
  REQUIRE_REFUSED(service.submit(kApplicant, a.id, known_matters()), 409, "invalid_transition");
  REQUIRE_REFUSED(service.save_draft(kApplicant, a.id, valid_form()), 409, "invalid_transition");
  // 受理 first: approving or rejecting before it skips a stage.
  REQUIRE_REFUSED(service.act(kReviewer, a.id, Action::Approve, "同意"), 409, "wrong_stage");
  REQUIRE_REFUSED(service.act(kReviewer, a.id, Action::Reject, "不同意"), 409, "wrong_stage");
  CHECK(service.find(a.id)->status == Status::Submitted);
  CHECK(service.find(a.id)->trail.size() == 1);
}

TEST_CASE("refusals: return, reject, suspend and revoke need an opinion") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  const auto id = accepted_application(service);
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Return, ""), 422, "opinion_required");
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Reject, "  \n "), 422, "opinion_required");
  service.act(kReviewer, id, Action::Approve, "");
  REQUIRE_REFUSED(service.act(kOperator, id, Action::Suspend, ""), 422, "opinion_required");
  REQUIRE_REFUSED(service.act(kOperator, id, Action::Revoke, ""), 422, "opinion_required");
  CHECK(service.find(id)->status == Status::Active);
}

TEST_CASE("submit reports every field error at once") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  auto form = valid_form();
  form.uscc = "91110108700338416A";
  form.contact_email = "nobody";
  form.peak_rate = 0;
  form.matters = {"电子商务/银行/对公开户"};
  const auto a = service.create_draft(kApplicant, form);
  const auto e = refusal([&] { service.submit(kApplicant, a.id, known_matters()); });
  CHECK(e.status() == 422);
  CHECK(e.code() == "invalid_form");
  std::vector<std::string> fields;
  for (const auto& f : e.fields()) fields.push_back(f.field);
  CHECK(fields == std::vector<std::string>{"uscc", "contact_email", "peak_rate", "matters"});
  // A matter no plugin offers any more is refused at submission.
  auto later = valid_form();
  service.save_draft(kApplicant, a.id, later);
  const auto gone = refusal([&] { service.submit(kApplicant, a.id, {"电子政务/社保/参保登记"}); });
  CHECK(gone.code() == "invalid_form");
  REQUIRE(gone.fields().size() == 1);
  CHECK(gone.fields()[0].field == "matters");
}

TEST_CASE("lists: applicants see their own, reviewers and operators see all") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  const auto mine = service.create_draft(kApplicant, valid_form());
  const auto theirs = service.create_draft(kOtherApplicant, valid_form());
  service.submit(kOtherApplicant, theirs.id, known_matters());
  const auto alice = service.list_for(kApplicant);
  REQUIRE(alice.size() == 1);
  CHECK(alice[0].id == mine.id);
  CHECK(service.list_for(kReviewer).size() == 2);
  CHECK(service.list_for(kOperator).size() == 2);
  const auto queue = service.list_for(kReviewer, Status::Submitted);
  REQUIRE(queue.size() == 1);
  CHECK(queue[0].id == theirs.id);
  CHECK(queue[0].trail.size() == 1);
  CHECK(service.list_for(kApplicant, Status::Submitted).empty());
}

TEST_CASE("two reviewers approving at once: one approval, one 409") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  // Many rounds: the race used to lose now and then to SQLite's "database is
  // locked" (a transaction that read before it wrote); it must never again.
  constexpr int kRounds = 30;
  for (int round = 0; round < kRounds; ++round) {
    const auto id = accepted_application(service);
    std::promise<void> go;
    auto start = go.get_future().share();
    auto approve = [&](const access::Actor& who) {
      start.wait();
      std::optional<access::Credentials> issued;
      try {
        service.act(who, id, Action::Approve, "同意", &issued);
        return std::string("approved");
      } catch (const AccessError& e) {
        return e.code();
      }
    };
    auto first = std::async(std::launch::async, approve, kReviewer);
    auto second = std::async(std::launch::async, approve, kSecondReviewer);
    go.set_value();
    std::vector<std::string> outcomes = {first.get(), second.get()};
    std::sort(outcomes.begin(), outcomes.end());
    CHECK(outcomes == std::vector<std::string>{"approved", "invalid_transition"});
    const auto a = *service.find(id);
    CHECK(a.status == Status::Active);
    CHECK(std::count_if(a.trail.begin(), a.trail.end(), [](const auto& e) { return e.action == Action::Approve; }) == 1);
  }
  // Exactly one client per approved application.
  CHECK(store::ApplicationRepository(*s.db).list().size() == kRounds);
}

TEST_CASE("markup in a field round-trips unchanged through the store") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  auto form = valid_form();
  form.org_name = "<script>alert(1)</script>";
  form.business_summary = "a & b <b>\"quoted\"</b> 'single' \\ 换行\n第二行";
  const auto a = service.create_draft(kApplicant, form);
  const auto stored = *service.find(a.id);
  CHECK(stored.form.org_name == "<script>alert(1)</script>");
  CHECK(stored.form.business_summary == form.business_summary);
  CHECK(access::to_json(stored.form) == access::to_json(form));
}

TEST_CASE("submitting without the acknowledgement is refused and changes nothing, with it who and when are recorded") {
  AccessStore s;
  access::AccessService service(s.db, two_stage_review());
  auto form = valid_form();
  form.acknowledged = false;
  const auto draft = service.create_draft(kApplicant, form);
  const auto refused = refusal([&] { service.submit(kApplicant, draft.id, known_matters()); });
  CHECK(refused.status() == 422);
  CHECK(refused.code() == "invalid_form");
  REQUIRE(refused.fields().size() == 1);
  CHECK(refused.fields()[0].field == "acknowledged");
  auto stored = *service.find(draft.id);
  CHECK(stored.status == Status::Draft);
  CHECK(stored.trail.empty());
  CHECK_FALSE(access::acknowledgement_of(stored));

  form.acknowledged = true;
  service.save_draft(kApplicant, draft.id, form);
  const auto before = std::chrono::system_clock::now() - std::chrono::seconds(1);
  service.submit(kApplicant, draft.id, known_matters());
  stored = *service.find(draft.id);
  const auto ack = access::acknowledgement_of(stored);
  REQUIRE(ack);
  CHECK(ack->by == "alice");
  CHECK(ack->at >= before);
  CHECK(ack->statement == access::acknowledgement_statement());
  CHECK(ack->statement.find("《电子营业执照应用接入规范》") != std::string::npos);

  // Returned, edited and resubmitted: the record is the latest submission's.
  service.act(kReviewer, draft.id, Action::Return, "请补充");
  form.acknowledged = false;
  service.save_draft(kApplicant, draft.id, form);
  REQUIRE_REFUSED(service.submit(kApplicant, draft.id, known_matters()), 422, "invalid_form");
  CHECK(service.find(draft.id)->status == Status::Returned);
  form.acknowledged = true;
  service.save_draft(kApplicant, draft.id, form);
  service.submit(kApplicant, draft.id, known_matters());
  stored = *service.find(draft.id);
  REQUIRE(stored.trail.size() == 3);
  CHECK(access::acknowledgement_of(stored)->at == stored.trail[2].at);
}

TEST_CASE("an application submitted before the acknowledgement existed has none") {
  access::AccessApplication old;
  old.trail.push_back({1, Action::Submit, Status::Draft, Status::Submitted, "alice", "applicant", "", {}});
  CHECK_FALSE(access::acknowledgement_of(old));
  old.trail.push_back({2, Action::Accept, Status::Submitted, Status::Accepted, "rita", "reviewer", "已阅知并承诺遵守", {}});
  CHECK_FALSE(access::acknowledgement_of(old));  // only a submission carries it
}
