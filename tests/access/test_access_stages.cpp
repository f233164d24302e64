// The review as configurable stages (default 受理 → 技术服务方确认 →
// 业务指导部门 → 系统运维部门) and amendments to an approved application:
// every refusal (wrong role, wrong stage, out of order, not the provider,
// a used or stale link, concurrent decisions, amending while an amendment
// is pending) and the approved version staying in force during review.
#include <access_fixture.h>
#include <catch2/catch.hpp>
#include <future>
#include <Poco/Data/Session.h>
#include <zhaoyin/store/application_repository.h>

using namespace zhaoyin;
using namespace zhaoyin::test;
using access::AccessError;
using access::Action;
using access::Status;

namespace {

access::AccessForm form_with_provider() {
  auto f = valid_form();
  f.provider_name = "济宁数字科技有限公司";
  f.provider_contact = "王工";
  f.provider_phone = "13900000000";
  return f;
}

std::string submitted(access::AccessService& service, const access::AccessForm& form) {
  const auto a = service.create_draft(kApplicant, form);
  service.submit(kApplicant, a.id, known_matters());
  return a.id;
}

std::string current_stage(access::AccessService& service, const std::string& id) {
  const auto a = *service.find(id);
  const auto review = access::pending_review(a);
  return review ? review->current().key : "";
}

// Through the default stages of a form without a provider: 受理, 业务指导部门, 系统运维部门.
access::Credentials approved(access::AccessService& service, const std::string& id) {
  service.act(kReviewer, id, Action::Accept, "受理");
  service.act(kReviewer, id, Action::Pass, "业务上同意");
  std::optional<access::Credentials> issued;
  service.act(kOperator, id, Action::Approve, "运维同意", &issued);
  REQUIRE(issued);
  return *issued;
}

}  // namespace

TEST_CASE("the default stages, each decided by its assignee and recorded with person, opinion and time") {
  AccessStore s;
  access::AccessService service(s.db);
  const auto id = submitted(service, form_with_provider());
  auto a = *service.find(id);
  REQUIRE(a.plan.size() == 4);
  CHECK(a.plan[0].label == "受理");
  CHECK(a.plan[1].label == "技术服务方确认");
  CHECK(a.plan[2].label == "业务指导部门");
  CHECK(a.plan[3].label == "系统运维部门");
  CHECK(a.status == Status::Submitted);

  // 受理: a reviewer; not the operator, not the applicant; nothing may be skipped.
  REQUIRE_REFUSED(service.act(kOperator, id, Action::Accept, ""), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.act(kApplicant, id, Action::Accept, ""), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Approve, ""), 409, "wrong_stage");
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Pass, "", nullptr, "guidance"), 409, "wrong_stage");
  service.act(kReviewer, id, Action::Accept, "材料齐全，予以受理", nullptr, "accept");
  CHECK(current_stage(service, id) == "provider");
  CHECK(service.find(id)->status == Status::Accepted);

  // 技术服务方确认: the provider's sign-off, never staff's.
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Pass, "我来确认"), 403, "not_the_provider");
  REQUIRE_REFUSED(service.act(kOperator, id, Action::Pass, ""), 403, "not_the_provider");
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Accept, ""), 403, "not_the_provider");
  REQUIRE_REFUSED(service.mint_provider_link(kOtherApplicant, id), 403, "not_your_application");
  const auto link = service.mint_provider_link(kApplicant, id);
  CHECK(link.token.size() >= 40);
  const auto view = service.provider_review(link.token);
  CHECK(view.application.id == id);
  CHECK(view.stage.key == "provider");
  CHECK(view.form.provider_name == "济宁数字科技有限公司");
  REQUIRE_REFUSED(service.provider_review("not-a-link"), 404, "link_not_found");
  REQUIRE_REFUSED(service.provider_sign_off(link.token, "  ", Action::Pass, ""), 422, "signer_required");
  REQUIRE_REFUSED(service.provider_sign_off(link.token, "王工", Action::Return, ""), 422, "opinion_required");
  REQUIRE_REFUSED(service.provider_sign_off(link.token, "王工", Action::Approve, ""), 400, "invalid_action");
  service.provider_sign_off(link.token, "王工", Action::Pass, "域名、端口与回调地址无误");
  REQUIRE_REFUSED(service.provider_review(link.token), 410, "link_used");
  REQUIRE_REFUSED(service.provider_sign_off(link.token, "王工", Action::Pass, ""), 410, "link_used");
  CHECK(current_stage(service, id) == "guidance");

  // 业务指导部门: a reviewer; the operator's stage comes after.
  REQUIRE_REFUSED(service.act(kOperator, id, Action::Pass, ""), 403, "role_not_allowed");
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Approve, ""), 409, "wrong_stage");
  REQUIRE_REFUSED(service.mint_provider_link(kApplicant, id), 409, "wrong_stage");
  service.act(kSecondReviewer, id, Action::Pass, "符合业务指导要求", nullptr, "guidance");

  // 系统运维部门: the operator approves; a reviewer may not.
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Approve, ""), 403, "role_not_allowed");
  std::optional<access::Credentials> issued;
  a = service.act(kOperator, id, Action::Approve, "已完成对接配置", &issued, "operations");
  CHECK(a.status == Status::Active);
  REQUIRE(issued);
  CHECK(a.version == 1);
  REQUIRE(a.versions.size() == 1);
  CHECK(a.versions[0].approved_by == "otto");

  const auto records = access::stage_records(a);
  REQUIRE(records.size() == 4);
  const std::vector<std::pair<std::string, std::string>> who = {
      {"rita", "材料齐全，予以受理"}, {"王工", "域名、端口与回调地址无误"}, {"ravi", "符合业务指导要求"}, {"otto", "已完成对接配置"}};
  for (std::size_t i = 0; i < records.size(); ++i) {
    INFO(records[i].stage.label);
    CHECK(records[i].state == "passed");
    REQUIRE(records[i].decision);
    CHECK(records[i].decision->actor == who[i].first);
    CHECK(records[i].decision->opinion == who[i].second);
    CHECK(records[i].decision->at != access::TimePoint{});
    CHECK(records[i].decision->stage_label == records[i].stage.label);
  }
  CHECK(records[1].decision->role == "provider");
  CHECK(a.trail.back().action == Action::Approve);
  // Nothing refused above left a trace: submit and four decisions.
  CHECK(a.trail.size() == 5);
}

TEST_CASE("a form without a technical service provider skips the provider's stage") {
  AccessStore s;
  access::AccessService service(s.db);
  const auto id = submitted(service, valid_form());
  const auto a = *service.find(id);
  REQUIRE(a.plan.size() == 3);
  for (const auto& stage : a.plan) CHECK_FALSE(stage.provider);
  approved(service, id);
  CHECK(service.find(id)->status == Status::Active);
}

TEST_CASE("a return at any stage goes back to the applicant, who amends and resubmits, and the history is kept") {
  AccessStore s;
  access::AccessService service(s.db);
  const auto id = submitted(service, form_with_provider());
  service.act(kReviewer, id, Action::Accept, "");
  const auto old_link = service.mint_provider_link(kReviewer, id);
  // A newer link replaces the unused one.
  const auto link = service.mint_provider_link(kApplicant, id);
  REQUIRE_REFUSED(service.provider_review(old_link.token), 404, "link_not_found");
  service.provider_sign_off(link.token, "王工", Action::Pass, "");
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Return, "  "), 422, "opinion_required");
  service.act(kReviewer, id, Action::Return, "业务种类简介过于简略", nullptr, "guidance");
  auto a = *service.find(id);
  CHECK(a.status == Status::Returned);
  CHECK_FALSE(access::pending_review(a));
  REQUIRE_REFUSED(service.act(kOperator, id, Action::Pass, ""), 409, "invalid_transition");

  auto form = a.form;
  form.business_summary = "纳税人以电子营业执照登录电子税务局，办理发票申领、纳税申报，窗口出示执照核验身份。";
  service.save_draft(kApplicant, id, form);
  service.submit(kApplicant, id, known_matters());
  a = *service.find(id);
  CHECK(a.status == Status::Submitted);
  CHECK(a.round == 2);
  CHECK(a.stage == 0);
  // The new round starts at 受理; its records are its own, the old round stays in the trail.
  for (const auto& r : access::stage_records(a)) CHECK_FALSE(r.decision);
  const auto returned = std::count_if(a.trail.begin(), a.trail.end(), [](const auto& e) {
    return e.action == Action::Return && e.stage == "guidance" && e.opinion == "业务种类简介过于简略";
  });
  CHECK(returned == 1);
  CHECK(a.trail.size() == 5);  // submit, accept, the provider's pass, return, submit
  // A link of the first round is no good in the second, even at the same stage.
  service.act(kReviewer, id, Action::Accept, "");
  const auto stale = service.mint_provider_link(kApplicant, id);
  Poco::Data::Session session = s.db->session();
  session << "UPDATE access_provider_links SET review_round = 1", Poco::Data::Keywords::now;
  REQUIRE_REFUSED(service.provider_review(stale.token), 410, "link_expired");
  const auto expired = service.mint_provider_link(kApplicant, id);
  session << "UPDATE access_provider_links SET expires_at = 0 WHERE used_at IS NULL", Poco::Data::Keywords::now;
  REQUIRE_REFUSED(service.provider_sign_off(expired.token, "王工", Action::Pass, ""), 410, "link_expired");
  CHECK(current_stage(service, id) == "provider");
}

TEST_CASE("a rejection at a later stage is final, and 受理 cannot reject") {
  AccessStore s;
  access::AccessService service(s.db);
  const auto id = submitted(service, valid_form());
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Reject, "不受理"), 409, "wrong_stage");
  service.act(kReviewer, id, Action::Accept, "");
  service.act(kReviewer, id, Action::Reject, "业务不在接入范围", nullptr, "guidance");
  CHECK(service.find(id)->status == Status::Rejected);
  REQUIRE_REFUSED(service.act(kOperator, id, Action::Approve, ""), 409, "invalid_transition");
}

TEST_CASE("stages assigned to named accounts") {
  AccessStore s;
  access::AccessService service(s.db, access::parse_review_stages("accept:受理=reviewer; lead:科长审批=user:ravi,user:alice"));
  const auto id = submitted(service, valid_form());
  service.act(kReviewer, id, Action::Accept, "");
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Approve, ""), 403, "not_assigned");
  REQUIRE_REFUSED(service.act(kOperator, id, Action::Approve, ""), 403, "not_assigned");
  // Named or not, an applicant account never decides a stage.
  REQUIRE_REFUSED(service.act(kApplicant, id, Action::Approve, ""), 403, "role_not_allowed");
  std::optional<access::Credentials> issued;
  CHECK(service.act(kSecondReviewer, id, Action::Approve, "同意", &issued).status == Status::Active);
  CHECK(issued);
}

TEST_CASE("the stages' configuration: the default, a round trip, and every refusal") {
  CHECK(access::format_review_stages(access::parse_review_stages("")) ==
        "accept:受理=reviewer; provider:技术服务方确认=provider; guidance:业务指导部门=reviewer; operations:系统运维部门=operator");
  const auto plan = access::parse_review_stages(" a:一=reviewer ; b:二=operator,user:ops-lead; c:三=provider;");
  REQUIRE(plan.size() == 3);
  CHECK(plan[1].users == std::vector<std::string>{"ops-lead"});
  CHECK(access::format_review_stages(access::parse_review_stages(access::format_review_stages(plan))) ==
        access::format_review_stages(plan));
  for (const std::string bad : {"a:一", "A:一=reviewer", "a:一=reviewer; a:二=operator", "a:一=admin", "a:一=",
                                "a:=reviewer", "a:一=provider; b:二=provider; c:三=reviewer", "a:一=provider",
                                "a:一=provider,reviewer", "a:一=user:bad name", ";"}) {
    INFO(bad);
    CHECK_THROWS_AS(access::parse_review_stages(bad), std::invalid_argument);
  }
}

TEST_CASE("two reviewers deciding the same stage at once: one wins, the other 409") {
  AccessStore s;
  access::AccessService service(s.db);
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const auto id = submitted(service, valid_form());
    service.act(kReviewer, id, Action::Accept, "");
    std::promise<void> go;
    auto start = go.get_future().share();
    auto pass = [&](const access::Actor& who) {
      start.wait();
      try {
        service.act(who, id, Action::Pass, "同意", nullptr, "guidance");
        return std::string("passed");
      } catch (const AccessError& e) {
        return std::to_string(e.status()) + " " + e.code();
      }
    };
    auto first = std::async(std::launch::async, pass, kReviewer);
    auto second = std::async(std::launch::async, pass, kSecondReviewer);
    go.set_value();
    std::vector<std::string> outcomes = {first.get(), second.get()};
    std::sort(outcomes.begin(), outcomes.end());
    CHECK(outcomes == std::vector<std::string>{"409 wrong_stage", "passed"});
    const auto a = *service.find(id);
    CHECK(current_stage(service, id) == "operations");
    CHECK(std::count_if(a.trail.begin(), a.trail.end(), [](const auto& e) { return e.stage == "guidance"; }) == 1);
  }
}

TEST_CASE("an amendment goes through the stages while the approved version stays in force") {
  AccessStore s;
  access::AccessService service(s.db);
  const auto id = submitted(service, valid_form());
  const auto credentials = approved(service, id);
  store::ApplicationRepository applications(*s.db);
  const auto before = *applications.find(credentials.client_id);

  auto amended = service.find(id)->form;
  amended.systems.push_back({"移动办税", "m.etax.example.gov.cn", 443});
  amended.redirect_uris.push_back("https://m.etax.example.gov.cn/oidc/callback");
  amended.matters.push_back("电子政务/社保/参保登记");

  // Only the owner, only an active application.
  REQUIRE_REFUSED(service.save_amendment(kOtherApplicant, id, amended), 403, "not_your_application");
  REQUIRE_REFUSED(service.save_amendment(kReviewer, id, amended), 403, "role_not_allowed");
  const auto draft = submitted(service, valid_form());
  REQUIRE_REFUSED(service.save_amendment(kApplicant, draft, amended), 409, "invalid_transition");
  REQUIRE_REFUSED(service.submit_amendment(kApplicant, id, known_matters()), 409, "invalid_transition");

  auto a = service.save_amendment(kApplicant, id, amended);
  REQUIRE(a.amendments.size() == 1);
  CHECK(a.amendments[0].state == access::AmendmentState::Draft);
  a = service.save_amendment(kApplicant, id, amended);  // editing the same draft
  CHECK(a.amendments.size() == 1);
  auto bad = amended;
  bad.redirect_uris.push_back("https://elsewhere.example.com/cb");
  service.save_amendment(kApplicant, id, bad);
  REQUIRE_REFUSED(service.submit_amendment(kApplicant, id, known_matters()), 422, "invalid_form");
  service.save_amendment(kApplicant, id, amended);
  a = service.submit_amendment(kApplicant, id, known_matters());
  CHECK(a.amendments[0].state == access::AmendmentState::Submitted);
  CHECK(a.status == Status::Active);

  // Pending: no second amendment, no edits.
  REQUIRE_REFUSED(service.save_amendment(kApplicant, id, amended), 409, "amendment_pending");
  REQUIRE_REFUSED(service.submit_amendment(kApplicant, id, known_matters()), 409, "amendment_pending");

  // In review, the approved version is what runs: the form, the client's terms, the credentials.
  service.act(kReviewer, id, Action::Accept, "");
  REQUIRE_REFUSED(service.act(kReviewer, id, Action::Approve, ""), 409, "wrong_stage");
  a = *service.find(id);
  CHECK(a.version == 1);
  CHECK(a.form.redirect_uris == before.redirect_uris);
  auto in_force = *applications.find(credentials.client_id);
  CHECK(in_force.redirect_uris == before.redirect_uris);
  CHECK(in_force.matters == before.matters);
  CHECK(in_force.declared_systems == before.declared_systems);
  CHECK(applications.verify_secret(credentials.client_id, credentials.client_secret));

  // Rejected: nothing changes; a new amendment may follow.
  service.act(kReviewer, id, Action::Reject, "新增系统未备案", nullptr, "guidance");
  a = *service.find(id);
  CHECK(a.amendments[0].state == access::AmendmentState::Rejected);
  CHECK(a.version == 1);
  CHECK(a.form.matters == before.matters);
  CHECK(applications.find(credentials.client_id)->redirect_uris == before.redirect_uris);
  CHECK(a.status == Status::Active);

  service.save_amendment(kApplicant, id, amended);
  service.submit_amendment(kApplicant, id, known_matters());
  service.act(kReviewer, id, Action::Accept, "");
  service.act(kReviewer, id, Action::Pass, "同意变更");
  // Still the old terms until the last stage.
  CHECK(applications.find(credentials.client_id)->matters == before.matters);
  std::optional<access::Credentials> issued;
  a = service.act(kOperator, id, Action::Approve, "变更生效", &issued);
  CHECK_FALSE(issued);  // the same client, the same secret
  CHECK(a.version == 2);
  REQUIRE(a.versions.size() == 2);
  CHECK(a.versions[1].amendment == 2);
  CHECK(a.versions[0].form.redirect_uris == before.redirect_uris);
  CHECK(a.form.redirect_uris == amended.redirect_uris);
  in_force = *applications.find(credentials.client_id);
  CHECK(in_force.redirect_uris == amended.redirect_uris);
  CHECK(in_force.matters == amended.matters);
  CHECK(in_force.declared_systems.size() == before.declared_systems.size() + 1);
  CHECK(applications.verify_secret(credentials.client_id, credentials.client_secret));
  CHECK(a.amendments[1].state == access::AmendmentState::Approved);
  // The trail tells the amendments' steps apart from the application's.
  CHECK(std::count_if(a.trail.begin(), a.trail.end(), [](const auto& e) { return e.amendment == 2; }) == 4);
}

TEST_CASE("an amendment with a provider is signed off by its link, and an amendment of a suspended application waits") {
  AccessStore s;
  access::AccessService service(s.db);
  const auto id = submitted(service, valid_form());
  approved(service, id);
  service.save_amendment(kApplicant, id, form_with_provider());
  service.submit_amendment(kApplicant, id, known_matters());
  service.act(kReviewer, id, Action::Accept, "");
  const auto link = service.mint_provider_link(kApplicant, id);
  CHECK(service.provider_review(link.token).amendment == 1);
  service.provider_sign_off(link.token, "王工", Action::Pass, "确认");
  service.act(kReviewer, id, Action::Pass, "");
  // Suspended meanwhile: the amendment cannot come into force.
  service.act(kOperator, id, Action::Suspend, "核查");
  REQUIRE_REFUSED(service.act(kOperator, id, Action::Approve, ""), 409, "invalid_transition");
  auto a = *service.find(id);
  CHECK(a.version == 1);
  CHECK(a.form.provider_name.empty());
  service.act(kOperator, id, Action::Resume, "");
  a = service.act(kOperator, id, Action::Approve, "");
  CHECK(a.version == 2);
  CHECK(a.form.provider_name == "济宁数字科技有限公司");
}
