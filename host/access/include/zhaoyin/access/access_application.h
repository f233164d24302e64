#pragma once
// The access application (接入申请): the 电子营业执照应用接入信息表 a relying
// party's staff fill in, and the review trail that turns it into an active
// relying-party application (store::Application) with credentials and limits.
//
//   draft ──submit──▶ submitted ──accept(受理)──▶ accepted ──approve(批准)──▶ active
//     ▲                  │                          │  └──reject──▶ rejected
//     └───── returned ◀──┴──────return(退回修改)─────┘
//   active ──suspend──▶ suspended ──resume──▶ active;  active|suspended ──revoke──▶ revoked
//
// Who may do what: the applicant edits and submits their own drafts and
// returned applications; a reviewer accepts, returns, approves or rejects; an
// operator suspends, resumes, revokes and rotates credentials. Every step is
// a TrailEntry (who, role, when, opinion).
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <zhaoyin/access/review_stages.h>
#include <zhaoyin/redirect/declared_hosts.h>

namespace zhaoyin::access {

using TimePoint = std::chrono::system_clock::time_point;

// One row of 附件2 电子营业执照应用场景清单 (the scenario register): what the
// application does with the license under one of its chosen matters. The
// register is per matter, not per application: a matter approved only for
// 线下出示执照 refuses a login (scenarios.h, verification/matter_functions.h).
struct ScenarioRow {
  std::string matter;                    // 应用事项名称: one of AccessForm::matters
  std::string implementing_department;   // 实施部门, e.g. 济宁市税务局
  std::string business_system;           // 办事系统, e.g. 山东省电子税务局
  std::vector<std::string> functions;    // 应用功能, ≥1 of: login 线上扫码登录 | presentation 线下出示执照 |
                                         //   signature 电子签名 | other 其他; each within AccessForm::needs
  std::string function_other;            // what 其他 means (required when functions has "other")
  std::string remark;                    // 备注
};

// One 办事系统 of 附件1 beyond the primary one (AccessForm::system_*): the
// systems the application will serve the license to. Every OIDC redirect
// URI must lie on one of the declared systems (host and port), checked when
// the form is submitted (validate) and again when a redirect is used
// (redirect/declared_hosts.h).
struct BusinessSystem {
  std::string name;  // 办事系统名称
  std::string host;  // 域名(IP): DNS name, IPv4 or IPv6 literal
  int port = 443;    // 端口 1..65535
};

// The documents the applicant undertakes to follow (附件1's 承诺 line).
inline constexpr const char* kAcknowledgedDocuments = "《电子营业执照应用接入规范》及《电子营业执照管理办法》";

// The form's fields. Enumerations are stored as the English keys on the
// left; the pages show the Chinese labels (labels() below).
struct AccessForm {
  std::string org_name;                  // 机构名称
  std::string org_nature;                // 机构性质: government 政府机关 | institution 事业单位 |
                                         //   social_group 社会团体 | enterprise 企业 | other 其他
  std::string uscc;                      // 统一社会信用代码 (GB 32100 check digit verified)
  std::string address;                   // 通信地址
  std::string contact_name;              // 联系人姓名
  std::string contact_position;          // 部门及职务
  std::string contact_phone;             // 联系电话: mobile 1[3-9]xxxxxxxxx or landline 0xx(x)-xxxxxxx(x)
  std::string contact_email;             // 电子邮件
  std::string system_name;               // 应用系统名称
  std::string system_host;               // 域名(IP): a DNS name or an IPv4/IPv6 address
  int system_port = 443;                 // 端口 1..65535
  std::vector<BusinessSystem> systems;   // further 办事系统 (≤ 10); host:port unique across all declared
  // 技术服务单位: the company that builds or runs the system for the
  // organisation. Optional as a whole (a department running its own system
  // leaves all three blank); once one is given, all three are required.
  std::string provider_name;             // 技术服务单位名称
  std::string provider_contact;          // 技术服务单位联系人
  std::string provider_phone;            // 技术服务单位联系电话 (as contact_phone)
  std::string field;                     // 所属领域: e_government 电子政务 | e_commerce 电子商务
  std::string industry;                  // 行业, e.g. 税务 (second level of the matters tree)
  std::string business_summary;          // 业务种类简介
  std::vector<std::string> needs;        // 应用需求, ≥1 of: presentation 出示验证 | login 用户登录 |
                                         //   signature 电子签名 | data_interface 数据接口 | other 其他
  std::string needs_other;               // what 其他 means (required when needs has "other")
  std::string data_purpose;              // 用途: what the data interface serves (required with data_interface)
  std::string scope;                     // 验证范围: province 本省 | national 全国
  std::string province;                  // two-digit province code when scope == province
  std::vector<std::string> channels;     // 应用方式, ≥1 of: pc PC端应用 | app 业务APP |
                                         //   wechat_mini 微信小程序 | alipay_mini 支付宝小程序 |
                                         //   wechat_official 微信公众号 | alipay_life 支付宝生活号
  std::int64_t annual_volume_wan = 0;    // 年验证量 (万次/年), > 0
  std::int64_t peak_rate = 0;            // 验证峰值 (次/秒), > 0
  std::vector<std::string> matters;      // 授权事项: paths from the plugins' tree, e.g. 电子政务/税务/发票申领
  std::string department;                // the department plugin the application runs (tax, ...); may be empty
  std::vector<std::string> redirect_uris;  // optional: OpenID Connect redirect URIs (https, or http on loopback)
  // 附件2: one row per chosen matter. Empty (applications from before the
  // register, JSON clients that leave it out): every matter allows the
  // application's needs. Kept in the form, so each approved version carries
  // its own register.
  std::vector<ScenarioRow> scenarios;
  // The applicant has read and undertakes to follow kAcknowledgedDocuments
  // (the tick box above the submit button). Required to submit; who ticked it
  // and when is recorded by the service at submission (Acknowledgement).
  bool acknowledged = false;
};

// Every host:port the form declares: the primary system first, then
// `systems` (blank hosts skipped). Redirect URIs must lie on one of them.
std::vector<redirect::Endpoint> declared_endpoints(const AccessForm& form);

nlohmann::json to_json(const AccessForm& form);
// Reads what to_json wrote (missing keys stay default; wrong types are field errors).
AccessForm form_from_json(const nlohmann::json& j);

// One problem with one field, shown next to that field.
struct FieldError {
  std::string field;    // the AccessForm member name, e.g. "uscc"
  std::string message;  // Chinese, for the applicant, e.g. "统一社会信用代码校验位错误"
};

// Every problem with a submitted form (empty: valid). `known_matters` is the
// set of matter paths on offer now (the active entries of the matters
// catalogue, matters_catalogue.h); a chosen matter must be one of them or a
// prefix of one. A chosen matter in `retired_matters` is refused as retired
// rather than as unknown.
std::vector<FieldError> validate(const AccessForm& form, const std::vector<std::string>& known_matters,
                                 const std::vector<std::string>& retired_matters = {});

// Chinese labels of the field names and enumeration keys, for pages and the PDF.
const std::map<std::string, std::string>& labels();

enum class Status { Draft, Submitted, Accepted, Returned, Rejected, Active, Suspended, Revoked };
std::string to_string(Status s);                        // draft | submitted | ...
std::optional<Status> status_from(const std::string& s);
std::string status_label(Status s);                     // 草稿 | 已提交 | 已受理 | 退回修改 | 未通过 | 已生效 | 已暂停 | 已撤销

// Pass (通过) decides the current review stage (review_stages.h); Accept is
// Pass on the first stage and Approve is Pass on the last (the names the
// two-stage review had). Return and Reject work at any stage.
enum class Action { Submit, Accept, Return, Approve, Reject, Suspend, Resume, Revoke, RotateSecret, Pass };
std::string to_string(Action a);                        // submit | accept | return | approve | ... | pass
std::optional<Action> action_from(const std::string& s);

struct TrailEntry {
  std::int64_t seq = 0;
  Action action = Action::Submit;
  Status from = Status::Draft;
  Status to = Status::Submitted;
  std::string actor;     // staff username
  std::string role;      // applicant | reviewer | operator | provider (the 技术服务方 via its one-time link)
  std::string opinion;   // 受理意见 / 审核意见 / reason; required for return, reject, suspend, revoke
  TimePoint at{};
  int amendment = 0;        // 0: the application itself; n: its amendment number n
  std::string stage{};      // the review stage decided (its key), empty for other steps
  std::string stage_label{};  // that stage's label as it read then
};

// An amendment (变更申请) to an approved application: a whole new form that
// goes through the review stages again while the approved version stays in
// force. At most one is open (draft, submitted or returned) at a time.
enum class AmendmentState { Draft, Submitted, Returned, Approved, Rejected };
std::string to_string(AmendmentState s);                       // draft | submitted | returned | approved | rejected
std::optional<AmendmentState> amendment_state_from(const std::string& s);
std::string amendment_state_label(AmendmentState s);           // 草稿 | 审核中 | 退回修改 | 已批准 | 未通过

struct Amendment {
  int number = 0;  // 1, 2, ... per application
  AmendmentState state = AmendmentState::Draft;
  AccessForm form;
  ReviewPlan plan;  // the stages of its current round (fixed at submission)
  int stage = 0;    // index into plan while submitted
  int round = 0;    // submissions so far
  std::string created_by;
  TimePoint created_at{};
  TimePoint updated_at{};
  bool open() const { return state == AmendmentState::Draft || state == AmendmentState::Submitted || state == AmendmentState::Returned; }
};

// An approved version of the form: version 1 is the application's approval,
// each approved amendment adds the next. The newest is the one in force.
struct ApprovedVersion {
  int version = 0;
  int amendment = 0;  // 0: the original application
  AccessForm form;
  std::string approved_by;
  TimePoint approved_at{};
};

struct AccessApplication {
  std::string id;                 // "apl-" + random
  std::string owner;              // the applicant's username
  Status status = Status::Draft;
  AccessForm form;
  std::string client_id;          // set on approval: the store::Application it became
  std::vector<TrailEntry> trail;  // oldest first (the amendments' steps too)
  // The review of the application itself (status submitted or accepted):
  // the stages of the current round, fixed at submission, and where it is.
  ReviewPlan plan;
  int stage = 0;                  // index into plan; submitted while 0, accepted after
  int round = 0;                  // submissions so far
  int version = 0;                // the approved version in force (0: never approved)
  std::vector<Amendment> amendments;      // oldest first
  std::vector<ApprovedVersion> versions;  // oldest first
  TimePoint created_at{};
  TimePoint updated_at{};
};

// 附件1's 承诺 as recorded: AccessService::submit writes it as the submit
// step's own trail entry (opinion = acknowledgement_statement()), so who
// acknowledged and when is in the append-only trail, in the same
// transaction as the submission, and never taken from the posted form.
std::string acknowledgement_statement();  // "已阅知并承诺遵守《电子营业执照应用接入规范》及《电子营业执照管理办法》"

struct Acknowledgement {
  std::string by;         // the applicant's username
  TimePoint at{};
  std::string statement;  // what they acknowledged, as it read then
};

// The acknowledgement of the latest submission; nullopt before the first
// submission, or when that submission predates the acknowledgement.
std::optional<Acknowledgement> acknowledgement_of(const AccessApplication& application);

// The amendment still open (draft, submitted or returned), if any.
const Amendment* open_amendment(const AccessApplication& application);

// The review waiting for a decision, if any: the application's own
// (amendment 0) or its submitted amendment's, with the current stage.
struct PendingReview {
  int amendment = 0;
  const ReviewPlan* plan = nullptr;
  int stage = 0;
  int round = 0;
  const ReviewStage& current() const { return (*plan)[static_cast<std::size_t>(stage)]; }
  bool last() const { return static_cast<std::size_t>(stage) + 1 == plan->size(); }
};
std::optional<PendingReview> pending_review(const AccessApplication& application);

// One stage's decision in the latest round of a review (amendment 0: the
// application's own): who, opinion, when; nullopt-like empty actor while undecided.
struct StageRecord {
  ReviewStage stage;
  std::string state;  // passed | returned | rejected | current | waiting
  std::optional<TrailEntry> decision;
};
std::vector<StageRecord> stage_records(const AccessApplication& application, int amendment = 0);

// A refusal of a step, for the pages and the API:
//   404 not_found, 403 not_your_application / role_not_allowed,
//   409 invalid_transition (e.g. approving a draft), 422 invalid_form (with field errors),
//   422 opinion_required; the staged review and amendments add
//   403 not_assigned (a stage assigned to other accounts), 403 not_the_provider
//   (staff deciding the provider's stage), 409 wrong_stage (acting on a stage
//   that is not the current one, e.g. approving before the last stage),
//   409 amendment_pending, 404 link_not_found, 410 link_used / link_expired,
//   422 signer_required
class AccessError : public std::runtime_error {
 public:
  AccessError(int status, std::string code, const std::string& message, std::vector<FieldError> fields = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)), fields_(std::move(fields)) {}
  int status() const noexcept { return status_; }
  const std::string& code() const noexcept { return code_; }
  const std::vector<FieldError>& fields() const noexcept { return fields_; }

 private:
  int status_;
  std::string code_;
  std::vector<FieldError> fields_;
};

}  // namespace zhaoyin::access
