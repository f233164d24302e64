#pragma once
// The review of an access application (and of an amendment to an approved
// one) as a sequence of stages the operator configures (issue 21, 附件1's
// 审核意见): by default
//
//   受理 (reviewer) → 技术服务方确认 (the provider) → 业务指导部门 (reviewer) → 系统运维部门 (operator)
//
// Each stage is passed (通过), or sends the application back to the applicant
// (退回修改, with reasons), or — after the first stage — refuses it for good
// (不予批准). Every decision is a trail entry with the stage, the person, the
// opinion and the time. Passing the last stage approves.
//
// Who may decide a stage: the staff roles it names (reviewer, operator)
// and/or named staff accounts (user:<username>); a named account must also
// hold a reviewing role. The 技术服务方确认 stage (assignee `provider`) is
// the technical service provider's sign-off: the provider has no staff
// account — the applicant or a reviewer mints a one-time link
// (AccessService::mint_provider_link) and hands it to the provider named in
// the form; whoever opens it signs off under their own name. A form without
// a provider (a department running its own system) skips that stage.
//
// Config (config/zhaoyin.properties, `access.review_stages`): stages
// separated by `;`, each `key:label=assignee,assignee`, e.g.
//   access.review_stages = accept:受理=reviewer; provider:技术服务方确认=provider;
//                          guidance:业务指导部门=reviewer; operations:系统运维部门=operator,user:ops-lead
// The stages of one review round are fixed when it is submitted (a plan
// snapshot), so changing the config never moves an application mid-review.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace zhaoyin::access {

struct AccessForm;

struct ReviewStage {
  std::string key;                 // [a-z][a-z0-9_]{0,31}, unique in the plan
  std::string label;               // 受理, 业务指导部门, ...
  std::vector<std::string> roles;  // reviewer | operator
  std::vector<std::string> users;  // named staff accounts
  bool provider = false;           // the technical service provider's sign-off (one-time link)

  // May this staff member (username, role) decide the stage? Never for a provider stage.
  bool assigned_to(const std::string& username, const std::string& role) const;
  std::string assignees_text() const;  // "reviewer, user:ops-lead" / "provider"
};

using ReviewPlan = std::vector<ReviewStage>;

// 受理 → 技术服务方确认 → 业务指导部门 → 系统运维部门.
ReviewPlan default_review_stages();

// Parses `access.review_stages`; std::invalid_argument naming the problem
// (empty, bad key, duplicate key, unknown assignee, no assignee, more than one
// provider stage, no staff stage at all). Blank text: the default.
ReviewPlan parse_review_stages(const std::string& text);
std::string format_review_stages(const ReviewPlan& plan);  // parse_review_stages(format(p)) == p

// The stages one round of a form goes through: `configured` without its
// provider stage when the form names no 技术服务单位.
ReviewPlan plan_for(const AccessForm& form, const ReviewPlan& configured);

nlohmann::json plan_to_json(const ReviewPlan& plan);
ReviewPlan plan_from_json(const nlohmann::json& j);  // std::invalid_argument when malformed

}  // namespace zhaoyin::access
