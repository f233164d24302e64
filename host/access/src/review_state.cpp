// Where an application's reviews stand: the amendment states, the review
// waiting for a decision, and each stage's decision in the latest round.
#include <zhaoyin/access/access_application.h>

namespace zhaoyin::access {

namespace {

struct StateName {
  AmendmentState state;
  const char* key;
  const char* label;
};

const StateName kStates[] = {
    {AmendmentState::Draft, "draft", "草稿"},          {AmendmentState::Submitted, "submitted", "审核中"},
    {AmendmentState::Returned, "returned", "退回修改"}, {AmendmentState::Approved, "approved", "已批准"},
    {AmendmentState::Rejected, "rejected", "未通过"},
};

}  // namespace

std::string to_string(AmendmentState s) {
  for (const auto& n : kStates)
    if (n.state == s) return n.key;
  return "draft";
}

std::optional<AmendmentState> amendment_state_from(const std::string& s) {
  for (const auto& n : kStates)
    if (s == n.key) return n.state;
  return std::nullopt;
}

std::string amendment_state_label(AmendmentState s) {
  for (const auto& n : kStates)
    if (n.state == s) return n.label;
  return "草稿";
}

const Amendment* open_amendment(const AccessApplication& a) {
  for (const auto& m : a.amendments)
    if (m.open()) return &m;
  return nullptr;
}

std::optional<PendingReview> pending_review(const AccessApplication& a) {
  const auto in_plan = [](const ReviewPlan& plan, int stage) {
    return stage >= 0 && static_cast<std::size_t>(stage) < plan.size();
  };
  if ((a.status == Status::Submitted || a.status == Status::Accepted) && in_plan(a.plan, a.stage))
    return PendingReview{0, &a.plan, a.stage, a.round};
  if (const auto* m = open_amendment(a); m && m->state == AmendmentState::Submitted && in_plan(m->plan, m->stage))
    return PendingReview{m->number, &m->plan, m->stage, m->round};
  return std::nullopt;
}

std::vector<StageRecord> stage_records(const AccessApplication& a, int amendment) {
  const ReviewPlan* plan = &a.plan;
  int current = -1;
  if (amendment == 0) {
    if (a.status == Status::Submitted || a.status == Status::Accepted) current = a.stage;
  } else {
    plan = nullptr;
    for (const auto& m : a.amendments) {
      if (m.number != amendment) continue;
      plan = &m.plan;
      if (m.state == AmendmentState::Submitted) current = m.stage;
    }
    if (!plan) return {};
  }
  // The latest round starts after the latest submission of this review.
  std::size_t from = 0;
  for (std::size_t i = 0; i < a.trail.size(); ++i)
    if (a.trail[i].action == Action::Submit && a.trail[i].amendment == amendment) from = i + 1;
  std::vector<StageRecord> out;
  for (std::size_t i = 0; i < plan->size(); ++i) {
    StageRecord r{(*plan)[i], static_cast<int>(i) == current ? "current" : "waiting", std::nullopt};
    for (std::size_t t = from; t < a.trail.size(); ++t) {
      const auto& e = a.trail[t];
      if (e.amendment != amendment || e.stage != r.stage.key) continue;
      r.decision = e;
      r.state = e.action == Action::Return ? "returned" : e.action == Action::Reject ? "rejected" : "passed";
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace zhaoyin::access
