// The access applications' pages over HTTP against a real zhaoyin-host on the
// sandbox: the form's field errors (422, next to the field, never a 500),
// who may see what (403), review steps out of order (409), CSRF (403 and
// nothing changed), the credentials shown once, and the operator's steps.
#include <catch2/catch.hpp>

#include "page_client.h"

using namespace zhaoyin::test;

namespace {

PagesHost& pages_host() {
  static PagesHost host;
  return host;
}

// A new application of `who`, saved as a draft (intent=save) or submitted.
std::string create(StaffClient& who, const Fields& form, const std::string& intent) {
  const auto r = who.post("/admin/applications", plus(form, {{"csrf", who.csrf()}, {"intent", intent}}));
  INFO(r.status << " " << r.body);
  REQUIRE(r.status == 303);
  const auto id = application_id(r.location);
  REQUIRE(!id.empty());
  return id;
}

std::string status_of(StaffClient& who, const std::string& id) {
  return who.get("/admin/applications/" + id).attribute_after("id=\"application-status\" data-status=\"");
}

Reply act(StaffClient& who, const std::string& id, const std::string& action, const std::string& opinion = "") {
  return who.post("/admin/applications/" + id + "/actions",
                  {{"csrf", who.csrf()}, {"action", action}, {"opinion", opinion}});
}

// Submitted, then through the default stages (the form names no provider):
// 受理 and 业务指导部门 by the reviewer, 系统运维部门 by the operator, who
// approves; returns the credentials page.
Reply approved(const std::string& id) {
  auto reviewer = pages_host().staff("reviewer");
  REQUIRE(act(reviewer, id, "accept").status == 303);
  REQUIRE(act(reviewer, id, "pass").status == 303);
  auto op = pages_host().staff("operator");
  return act(op, id, "approve");
}

int token_status(const std::string& client_id, const std::string& secret) {
  const auto r = run_command("curl -s -o /dev/null -w '%{http_code}' -u " + quote(client_id + ":" + secret) +
                             " -d grant_type=client_credentials " + quote(pages_host().url("/oauth/token")));
  return std::stoi(r.output);
}

}  // namespace

TEST_CASE("a submitted form with a bad USCC comes back 422 with the values and the error next to the field",
          "[admin_pages]") {
  auto applicant = pages_host().staff("applicant");
  const auto r = applicant.post(
      "/admin/applications",
      plus(with(valid_form("USCC 错误的系统"), "uscc", "91110108700338416X"), {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  REQUIRE(r.status == 422);
  CHECK(r.error_code() == "invalid_form");
  CHECK(r.field_error("uscc") == "统一社会信用代码校验位错误");
  CHECK(r.field_error("org_name").empty());
  CHECK(r.body.find("value=\"91110108700338416X\"") != std::string::npos);  // as typed
  CHECK(r.body.find("value=\"USCC 错误的系统\"") != std::string::npos);
  // The form was kept as a draft, and the re-rendered form edits that draft.
  const auto draft = r.attribute_after("action=\"/admin/applications/");
  REQUIRE(!draft.empty());
  CHECK(status_of(applicant, draft) == "draft");
}

TEST_CASE("odd input is a field error, never a 500", "[admin_pages]") {
  auto applicant = pages_host().staff("applicant");
  auto form = with(with(valid_form("数字错误的系统"), "annual_volume_wan", "一百"), "peak_rate", "-5");
  form = with(form, "system_port", "99999999999999999999");
  const auto r = applicant.post("/admin/applications", plus(form, {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  REQUIRE(r.status == 422);
  CHECK(!r.field_error("annual_volume_wan").empty());
  CHECK(!r.field_error("peak_rate").empty());
  CHECK(!r.field_error("system_port").empty());
  CHECK(r.body.find("value=\"一百\"") != std::string::npos);
  // Unknown choices, a matter nobody offers, no needs at all.
  const auto odd = applicant.post(
      "/admin/applications",
      {{"csrf", applicant.csrf()}, {"intent", "submit"}, {"org_nature", "pirate"}, {"matters", "电子政务/不存在/事项"},
       {"scope", "galaxy"}, {"channels", "fax"}});
  REQUIRE(odd.status == 422);
  CHECK(!odd.field_error("org_nature").empty());
  CHECK(!odd.field_error("needs").empty());
  CHECK(!odd.field_error("matters").empty());
  CHECK(!odd.field_error("scope").empty());
  CHECK(!odd.field_error("channels").empty());
}

TEST_CASE("a draft is saved even when incomplete, and its owner edits and submits it", "[admin_pages]") {
  auto applicant = pages_host().staff("applicant");
  const auto id = create(applicant, {{"system_name", "半成品"}}, "save");
  const auto edit = applicant.get("/admin/applications/" + id + "/edit?saved=1");
  REQUIRE(edit.status == 200);
  CHECK(edit.body.find("value=\"半成品\"") != std::string::npos);
  CHECK(edit.body.find("草稿已保存") != std::string::npos);
  const auto submitted = applicant.post("/admin/applications/" + id,
                                        plus(valid_form("补全后的系统"), {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  INFO(submitted.body);
  REQUIRE(submitted.status == 303);
  CHECK(submitted.location == "/admin/applications/" + id);
  CHECK(status_of(applicant, id) == "submitted");
  // Submitted: no more editing.
  CHECK(applicant.post("/admin/applications/" + id, plus(valid_form(), {{"csrf", applicant.csrf()}, {"intent", "save"}}))
            .status == 409);
  const auto mine = applicant.get("/admin/applications");
  REQUIRE(mine.status == 200);
  CHECK(mine.body.find("补全后的系统") != std::string::npos);
}

TEST_CASE("an applicant cannot see or change another applicant's application", "[admin_pages]") {
  auto owner = pages_host().staff("applicant");
  auto other = pages_host().staff("applicant2");
  const auto id = create(owner, valid_form("别人的系统"), "save");
  const auto page = other.get("/admin/applications/" + id);
  CHECK(page.status == 403);
  CHECK(page.error_code() == "not_your_application");
  CHECK(page.body.find("别人的系统") == std::string::npos);
  CHECK(other.get("/admin/applications/" + id + "/edit").status == 403);
  CHECK(other.get("/admin/applications/" + id + ".pdf").status == 403);
  const auto change =
      other.post("/admin/applications/" + id, plus(valid_form("改掉"), {{"csrf", other.csrf()}, {"intent", "save"}}));
  CHECK(change.status == 403);
  CHECK(owner.get("/admin/applications/" + id).body.find("别人的系统") != std::string::npos);
  CHECK(other.get("/admin/applications").body.find("别人的系统") == std::string::npos);
  // And an applicant is no reviewer.
  const auto review = act(other, id, "accept");
  CHECK(review.status == 403);
  CHECK(review.error_code() == "role_not_allowed");
  CHECK(other.get("/admin/review").status == 403);
  CHECK(pages_host().staff("reviewer").get("/admin/applications/nope").status == 404);
}

TEST_CASE("a reviewer cannot approve a draft (409) nor skip the opinion a return needs (422)", "[admin_pages]") {
  auto applicant = pages_host().staff("applicant");
  auto reviewer = pages_host().staff("reviewer");
  const auto draft = create(applicant, valid_form("草稿系统"), "save");
  const auto r = act(reviewer, draft, "approve");
  CHECK(r.status == 409);
  CHECK(r.error_code() == "invalid_transition");
  CHECK(r.body.find("草稿系统") != std::string::npos);  // the detail page, re-rendered
  CHECK(status_of(reviewer, draft) == "draft");

  const auto submitted = create(applicant, valid_form("待退回的系统"), "submit");
  const auto no_opinion = act(reviewer, submitted, "return");
  CHECK(no_opinion.status == 422);
  CHECK(no_opinion.error_code() == "opinion_required");
  CHECK(status_of(reviewer, submitted) == "submitted");
  CHECK(act(reviewer, submitted, "dance").status == 400);
  const auto returned = act(reviewer, submitted, "return", "请补充<b>业务</b>简介");
  REQUIRE(returned.status == 303);
  CHECK(status_of(reviewer, submitted) == "returned");
  // The applicant sees why, escaped, on the edit page and the trail.
  const auto edit = applicant.get("/admin/applications/" + submitted + "/edit");
  REQUIRE(edit.status == 200);
  CHECK(edit.body.find("请补充&lt;b&gt;业务&lt;/b&gt;简介") != std::string::npos);
  CHECK(edit.body.find("<b>业务</b>") == std::string::npos);
}

TEST_CASE("a POST without its CSRF token is refused with 403 and changes nothing", "[admin_pages]") {
  auto applicant = pages_host().staff("applicant");
  auto reviewer = pages_host().staff("reviewer");
  const auto create_r = applicant.post("/admin/applications", plus(valid_form("无令牌的系统"), {{"intent", "submit"}}));
  CHECK(create_r.status == 403);
  CHECK(create_r.error_code() == "csrf_failed");
  CHECK(applicant.get("/admin/applications").body.find("无令牌的系统") == std::string::npos);

  const auto id = create(applicant, valid_form("有令牌的系统"), "submit");
  const auto wrong = reviewer.post("/admin/applications/" + id + "/actions", {{"action", "accept"}});
  CHECK(wrong.status == 403);
  CHECK(wrong.error_code() == "csrf_failed");
  // Another session's token is no better.
  const auto foreign = reviewer.post("/admin/applications/" + id + "/actions",
                                     {{"action", "accept"}, {"csrf", applicant.csrf()}});
  CHECK(foreign.status == 403);
  CHECK(status_of(reviewer, id) == "submitted");
  const auto edit = applicant.post("/admin/applications/" + id, plus(valid_form("改名"), {{"intent", "save"}}));
  CHECK(edit.status == 403);
  CHECK(status_of(applicant, id) == "submitted");
}

TEST_CASE("approval shows the credentials once, uncached — they work — the operator suspends, resumes and rotates",
          "[admin_pages]") {
  auto applicant = pages_host().staff("applicant");
  const auto id = create(applicant, valid_form("凭据系统"), "submit");
  const auto page = approved(id);
  REQUIRE(page.status == 200);
  CHECK(page.cache_control.find("no-store") != std::string::npos);
  CHECK(page.body.find("不会再次显示") != std::string::npos);
  const std::string id_marker = "<div class=\"secret-box\" id=\"client-id\">";
  const std::string secret_marker = "<div class=\"secret-box\" id=\"client-secret\">";
  const auto at_id = page.body.find(id_marker);
  const auto at_secret = page.body.find(secret_marker);
  REQUIRE(at_id != std::string::npos);
  REQUIRE(at_secret != std::string::npos);
  const auto cid = page.body.substr(at_id + id_marker.size(), page.body.find('<', at_id + id_marker.size()) - at_id - id_marker.size());
  const auto secret = page.body.substr(at_secret + secret_marker.size(),
                                       page.body.find('<', at_secret + secret_marker.size()) - at_secret - secret_marker.size());
  REQUIRE(secret.size() >= 20);

  auto reviewer = pages_host().staff("reviewer");
  const auto detail = reviewer.get("/admin/applications/" + id);
  CHECK(detail.body.find(cid) != std::string::npos);
  CHECK(detail.body.find(secret) == std::string::npos);
  CHECK(applicant.get("/admin/applications/" + id).body.find(secret) == std::string::npos);
  CHECK(status_of(applicant, id) == "active");
  CHECK(token_status(cid, secret) == 200);

  auto op = pages_host().staff("operator");
  CHECK(act(op, id, "suspend").status == 422);  // a reason is required
  REQUIRE(act(op, id, "suspend", "核查中").status == 303);
  CHECK(status_of(op, id) == "suspended");
  CHECK(token_status(cid, secret) != 200);
  CHECK(op.post("/admin/applications/" + id + "/rotate-secret", {{"csrf", op.csrf()}}).status == 409);
  REQUIRE(act(op, id, "resume").status == 303);
  CHECK(token_status(cid, secret) == 200);

  CHECK(reviewer.post("/admin/applications/" + id + "/rotate-secret", {{"csrf", reviewer.csrf()}}).status == 403);
  const auto rotated = op.post("/admin/applications/" + id + "/rotate-secret", {{"csrf", op.csrf()}});
  REQUIRE(rotated.status == 200);
  CHECK(rotated.cache_control.find("no-store") != std::string::npos);
  const auto at_new = rotated.body.find(secret_marker);
  REQUIRE(at_new != std::string::npos);
  const auto fresh = rotated.body.substr(at_new + secret_marker.size(),
                                         rotated.body.find('<', at_new + secret_marker.size()) - at_new - secret_marker.size());
  CHECK(fresh != secret);
  CHECK(token_status(cid, secret) == 401);
  CHECK(token_status(cid, fresh) == 200);

  const auto pdf = applicant.get("/admin/applications/" + id + ".pdf");
  CHECK(pdf.status == 200);
  CHECK(pdf.content_type == "application/pdf");
  CHECK(pdf.body.rfind("%PDF-", 0) == 0);

  const auto queue = reviewer.get("/admin/review?status=active");
  CHECK(queue.status == 200);
  CHECK(queue.body.find("凭据系统") != std::string::npos);
  CHECK(reviewer.get("/admin/review?status=draft").body.find("凭据系统") == std::string::npos);
}

TEST_CASE("without the 承诺 a submission is refused next to its box and nothing changes, with it who and when show",
          "[admin_pages][acknowledgement]") {
  auto applicant = pages_host().staff("applicant");
  const auto refused = applicant.post("/admin/applications", plus(with(valid_form("未承诺的系统"), "acknowledged", ""),
                                                                   {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  REQUIRE(refused.status == 422);
  CHECK(refused.error_code() == "invalid_form");
  CHECK(refused.field_error("acknowledged").find("《电子营业执照应用接入规范》") != std::string::npos);
  CHECK(refused.field_error("uscc").empty());
  const auto draft = refused.attribute_after("action=\"/admin/applications/");
  REQUIRE(!draft.empty());
  CHECK(status_of(applicant, draft) == "draft");
  CHECK(applicant.get("/admin/applications/" + draft).body.find("尚未承诺") != std::string::npos);

  const auto submitted = applicant.post("/admin/applications/" + draft,
                                        plus(valid_form("已承诺的系统"), {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  REQUIRE(submitted.status == 303);
  auto reviewer = pages_host().staff("reviewer");
  const auto detail = reviewer.get("/admin/applications/" + draft);
  CHECK(detail.attribute_after("id=\"acknowledgement\" data-by=\"") == "applicant");
  CHECK(detail.body.find("已阅知并承诺遵守《电子营业执照应用接入规范》及《电子营业执照管理办法》") != std::string::npos);
}

TEST_CASE("further 办事系统 are kept, and a callback off every declared system is refused next to its field",
          "[admin_pages][systems]") {
  auto applicant = pages_host().staff("applicant");
  auto form = with(valid_form("多系统的申请"), "redirect_uris", "https://portal.example.gov.cn:8443/cb");
  form = plus(form, {{"sys0.name", "门户网站"}, {"sys0.host", "portal.example.gov.cn"}, {"sys0.port", "9443"}});
  const auto refused = applicant.post("/admin/applications", plus(form, {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  REQUIRE(refused.status == 422);
  CHECK(refused.field_error("redirect_uris").find("portal.example.gov.cn:8443") != std::string::npos);
  CHECK(refused.body.find("value=\"门户网站\"") != std::string::npos);  // the row as typed
  CHECK(refused.body.find("value=\"9443\"") != std::string::npos);
  const auto draft = refused.attribute_after("action=\"/admin/applications/");
  REQUIRE(!draft.empty());
  CHECK(status_of(applicant, draft) == "draft");

  form = with(form, "sys0.port", "8443");
  const auto submitted =
      applicant.post("/admin/applications/" + draft, plus(form, {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  INFO(submitted.body);
  REQUIRE(submitted.status == 303);
  const auto detail = applicant.get("/admin/applications/" + draft);
  CHECK(detail.body.find("门户网站 portal.example.gov.cn:8443") != std::string::npos);
  // A bad port in a row is a field error on the systems, not a 500.
  const auto bad = applicant.post("/admin/applications",
                                  plus(plus(valid_form("坏端口"), {{"sys0.name", "x"}, {"sys0.host", "x.example.cn"},
                                                                   {"sys0.port", "八千"}}),
                                       {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  REQUIRE(bad.status == 422);
  CHECK(!bad.field_error("systems").empty());
}
