#pragma once
// What the 附件2 scenario register tests share: an application form with one
// scenario row per matter, as the application pages post it, and its
// approval through the pages (the credentials read off the page shown once).
#include <catch2/catch.hpp>

#include "page_client.h"

namespace zhaoyin::test {

inline const std::string kInvoice = "电子政务/税务/发票申领";   // 线下出示执照 + 电子签名
inline const std::string kFiling = "电子政务/税务/纳税申报";    // 线上扫码登录 only
inline const std::string kRedirect = "https://etax.example.gov.cn/oidc/callback";

struct Client {
  std::string id;
  std::string secret;
  std::string application;  // apl-…
};

inline std::string between(const std::string& body, const std::string& marker) {
  const auto at = body.find(marker);
  if (at == std::string::npos) return "";
  return body.substr(at + marker.size(), body.find('<', at + marker.size()) - at - marker.size());
}

// The form with both matters, all three needs, and one row each.
inline Fields form_with_rows(const std::string& system_name) {
  auto form = with(with(valid_form(system_name), "redirect_uris", kRedirect), "department", "");
  form = plus(form, {{"needs", "signature"},
                     {"matters", kFiling},
                     {"scenarios_shown", "1"},
                     {"sc0.matter", kInvoice},
                     {"sc0.implementing_department", "国家税务总局武汉市税务局"},
                     {"sc0.business_system", "湖北省电子税务局"},
                     {"sc0.functions", "presentation"},
                     {"sc0.functions", "signature"},
                     {"sc0.remark", "窗口领票"},
                     {"sc1.matter", kFiling},
                     {"sc1.implementing_department", "国家税务总局武汉市税务局"},
                     {"sc1.business_system", "湖北省电子税务局"},
                     {"sc1.functions", "login"}});
  return form;
}

inline Client approved_client(const PagesHost& host, const Fields& form) {
  auto applicant = host.staff("applicant");
  const auto created = applicant.post("/admin/applications", plus(form, {{"csrf", applicant.csrf()}, {"intent", "submit"}}));
  INFO(created.body);
  REQUIRE(created.status == 303);
  Client c;
  c.application = created.location.substr(created.location.rfind('/') + 1);
  // The default stages without a provider: 受理, 业务指导部门 (reviewer), 系统运维部门 (operator).
  auto reviewer = host.staff("reviewer");
  auto op = host.staff("operator");
  const auto act = [&](StaffClient& who, const std::string& action) {
    return who.post("/admin/applications/" + c.application + "/actions",
                    {{"csrf", who.csrf()}, {"action", action}, {"opinion", "同意"}});
  };
  REQUIRE(act(reviewer, "accept").status == 303);
  REQUIRE(act(reviewer, "pass").status == 303);
  const auto page = act(op, "approve");
  REQUIRE(page.status == 200);
  c.id = between(page.body, "<div class=\"secret-box\" id=\"client-id\">");
  c.secret = between(page.body, "<div class=\"secret-box\" id=\"client-secret\">");
  REQUIRE(c.secret.size() >= 20);
  return c;
}

}  // namespace zhaoyin::test
