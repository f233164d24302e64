#pragma once
// What the access tests share: a valid form, the matters on offer, and a
// migrated SQLite store in a temporary folder.
#include <catch2/catch.hpp>
#include <memory>
#include <stdexcept>
#include <test_support.h>
#include <zhaoyin/access/access_service.h>
#include <zhaoyin/access/matters.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::test {

inline std::vector<std::string> known_matters() {
  // The shape flow::Extensions::matters() returns.
  const auto tree = nlohmann::json::parse(R"([
    {"path": "电子政务/税务/发票申领", "name": "发票申领", "source": "tax"},
    {"path": "电子政务/税务/纳税申报", "name": "纳税申报", "source": "tax"},
    {"path": "电子政务/社保/参保登记", "name": "参保登记", "source": "social_insurance"},
    {"path": "电子商务/银行/对公开户", "name": "对公开户", "source": "banking"}
  ])");
  return access::flatten_matters(tree);
}

inline access::AccessForm valid_form() {
  access::AccessForm f;
  f.org_name = "湖北省武汉市税务局";
  f.org_nature = "government";
  f.uscc = "91110108700338416R";
  f.address = "湖北省武汉市江汉区发展大道1号";
  f.contact_name = "李明";
  f.contact_position = "信息中心 主任";
  f.contact_phone = "13800138000";
  f.contact_email = "liming@tax.example.gov.cn";
  f.system_name = "电子税务局";
  f.system_host = "etax.example.gov.cn";
  f.system_port = 443;
  f.field = "e_government";
  f.industry = "税务";
  f.business_summary = "纳税人以电子营业执照登录电子税务局，办理发票申领与纳税申报。";
  f.needs = {"login", "presentation"};
  f.scope = "province";
  f.province = "42";
  f.channels = {"pc", "wechat_mini"};
  f.annual_volume_wan = 120;
  f.peak_rate = 50;
  f.matters = {"电子政务/税务/发票申领", "电子政务/税务/纳税申报"};
  f.department = "tax";
  f.systems = {{"本机联调环境", "127.0.0.1", 8765}};  // the loopback callback's declared system
  f.redirect_uris = {"https://etax.example.gov.cn/oidc/callback", "http://127.0.0.1:8765/cb"};
  f.acknowledged = true;
  return f;
}

// A migrated SQLite store in its own folder, gone with the object; or, given
// a libpq connection string, a migrated PostgreSQL store.
struct AccessStore {
  TempDir dir{"zhaoyin-access"};
  std::shared_ptr<store::Database> db;
  explicit AccessStore(const std::string& postgresql = "") {
    store::DatabaseSettings settings;
    settings.data_dir = dir.path();
    if (!postgresql.empty()) {
      settings.driver = "postgresql";
      settings.postgresql = postgresql;
    }
    db = std::make_shared<store::Database>(settings);
    db->migrate();
  }
};

// The review as it was before stages were configurable, one of the
// configurations an operator may choose: 受理 by a reviewer, then 审核
// (批准 / 不予批准) by a reviewer or an operator. The older lifecycle tests run on it;
// test_access_stages.cpp runs the default four stages.
inline access::ReviewPlan two_stage_review() {
  return access::parse_review_stages("accept:受理=reviewer; review:审核=reviewer,operator");
}

inline const access::Actor kApplicant{"alice", "applicant"};
inline const access::Actor kOtherApplicant{"bob", "applicant"};
inline const access::Actor kReviewer{"rita", "reviewer"};
inline const access::Actor kSecondReviewer{"ravi", "reviewer"};
inline const access::Actor kOperator{"otto", "operator"};

// Runs `step` and returns the AccessError it throws (fails the test if none).
template <typename Step>
access::AccessError refusal(Step step) {
  try {
    step();
  } catch (const access::AccessError& e) {
    return e;
  }
  FAIL("the step was not refused");
  throw std::logic_error("unreachable");
}

}  // namespace zhaoyin::test

// `expr` is refused with that HTTP status and error code.
#define REQUIRE_REFUSED(expr, http_status, error_code)   \
  do {                                                   \
    const auto e_ = zhaoyin::test::refusal([&] { (void)(expr); }); \
    CHECK(e_.status() == (http_status));                 \
    CHECK(e_.code() == (error_code));                    \
  } while (false)
