// Everything an approved access application was approved for, refused at the
// HTTP edge when a request goes beyond it — one place for a reviewer to find
// each limit of issue 8 and its exact error code:
//   needs (应用需求)      403 insufficient_scope
//   scope (验证范围)      403 out_of_scope
//   channels (应用方式)   403 channel_not_approved
//   matters (授权事项)    403 matter_not_approved
//   peak rate (验证峰值)  429 rate_limited, Retry-After
//   annual volume (年验证量) 403 annual_volume_exceeded
#include <catch2/catch.hpp>

#include "quota_host.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

// 湖北 (42) tax office: login and presentation only, 本省, pc only, 电子政务/税务 only.
store::Application hubei_tax_pc() {
  auto app = quota_app("hubei-tax-pc", 0, 0);
  app.needs = {"login", "presentation"};
  app.scope = "province";
  app.province = "42";
  return app;
}

QuotaHost& enforcement_host() {
  static QuotaHost host({hubei_tax_pc(), quota_app("peak-one", 1, 0), quota_app("three-a-year", 0, 3)});
  return host;
}

void check_refused(const HttpResult& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(error_code(r) == code);
}

}  // namespace

TEST_CASE("needs: an application not approved for e-signature gets 403 insufficient_scope on sign-tasks") {
  auto& host = enforcement_host();
  check_refused(host.post("/api/v1/sign-tasks", "hubei-tax-pc", {}), 403, "insufficient_scope");
  // An application approved for it, with a token that does not carry it, is refused the same way.
  check_refused(host.post("/api/v1/sign-tasks", "peak-one", {}, "presentation"), 403, "insufficient_scope");
}

TEST_CASE("scope: a 本省 (湖北) application refuses another province's (河南) license with 403 out_of_scope") {
  auto& host = enforcement_host();
  check_refused(host.present("hubei-tax-pc", host.code_of("91410100QED6JLT722-1")), 403, "out_of_scope");
  const auto own_province = host.present("hubei-tax-pc", host.code_of("91420100YULA38GUXF-1"));
  INFO(own_province.body);
  CHECK(own_province.status == 201);
}

TEST_CASE("channels: a login session on a channel not approved gets 403 channel_not_approved") {
  auto& host = enforcement_host();
  check_refused(host.post("/api/v1/login-sessions", "hubei-tax-pc", {{"channel", "wechat_mini"}}), 403,
                "channel_not_approved");
  CHECK(host.post("/api/v1/login-sessions", "hubei-tax-pc", {{"channel", "pc"}}).status == 201);
}

TEST_CASE("matters: a matter outside the approved ones gets 403 matter_not_approved") {
  auto& host = enforcement_host();
  check_refused(host.present("hubei-tax-pc", host.code_of("91420100YULA38GUXF-1"), "电子商务/银行/对公开户"), 403,
                "matter_not_approved");
  check_refused(host.post("/api/v1/login-sessions", "hubei-tax-pc", {{"matter", "电子政务/社保/参保登记"}}), 403,
                "matter_not_approved");
}

TEST_CASE("peak rate: beyond 验证峰值 requests per second get 429 rate_limited with Retry-After") {
  auto& host = enforcement_host();
  const auto r = until_rate_limited([&] { return host.post("/api/v1/login-sessions", "peak-one", {}); });
  check_refused(r, 429, "rate_limited");
  CHECK(r.header("Retry-After") == "1");
}

TEST_CASE("annual volume: beyond 年验证量 a request gets 403 annual_volume_exceeded") {
  auto& host = enforcement_host();
  for (int i = 0; i < 3; ++i) CHECK(host.present("three-a-year", host.code_of("91420100YULA38GUXF-1")).status == 201);
  check_refused(host.present("three-a-year", host.code_of("91420100YULA38GUXF-1")), 403, "annual_volume_exceeded");
}
