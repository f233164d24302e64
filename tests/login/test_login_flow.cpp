// The QR login flow end to end with the real zhaoyin-host and zhaoyin-wallet.
#include <catch2/catch.hpp>
#include <future>
#include <regex>
#include <thread>

#include "login_env.h"

using namespace zhaoyin::test;

namespace {

std::string qr_text_in_page(const std::string& html) {
  std::smatch m;
  const std::regex re("id=\"qr-text\" data-qr-text=\"([^\"]+)\"");
  return std::regex_search(html, m, re) ? m[1].str() : std::string();
}

}  // namespace

TEST_CASE("create a login session: QR text, images, pending, expiry") {
  auto& env = LoginEnv::get();
  const auto r = env.create("tax", {{"matter", "电子政务/税务/发票申领"}, {"correlation_id", "order-17"}, {"channel", "pc"}, {"ttl", 60}});
  REQUIRE(r.status == 201);
  const auto s = r.as_json();
  CHECK(s["status"] == "pending");
  CHECK(s["id"].get<std::string>().size() == 22);
  CHECK(s["qr_text"].get<std::string>().rfind(env.url("/wallet/v1/requests/"), 0) == 0);
  CHECK(s["correlation_id"] == "order-17");
  CHECK(s["matter"] == "电子政务/税务/发票申领");
  CHECK(s["events"].size() == 1);
  CHECK(r.headers.at("Location") == "/api/v1/login-sessions/" + s["id"].get<std::string>());
  CHECK(zhaoyin::protocol::parse_rfc3339(s["expires_at"].get<std::string>()).has_value());

  const auto png = http("GET", s["qr_png_url"].get<std::string>());
  CHECK(png.status == 200);
  CHECK(png.headers.at("Content-Type") == "image/png");
  CHECK(png.body.substr(1, 3) == "PNG");
  const auto svg = http("GET", s["qr_svg_url"].get<std::string>());
  CHECK(svg.status == 200);
  CHECK(svg.body.find("<svg") != std::string::npos);
  CHECK(http("GET", env.url("/api/v1/login-sessions/nope/qr.png")).status == 404);
}

TEST_CASE("create refuses bad input and missing authorisation") {
  auto& env = LoginEnv::get();
  CHECK(http("POST", env.url("/api/v1/login-sessions"), "{}").status == 401);
  CHECK(env.create("tax", {{"ttl", 5}}).code() == "invalid_request");
  CHECK(env.create("tax", {{"ttl", 601}}).code() == "invalid_request");
  CHECK(env.create("tax", {{"colour", "red"}}).code() == "invalid_request");
  CHECK(env.create("tax", {{"return_url", "https://evil.example/"}}).code() == "invalid_return_url");
  CHECK(env.create("tax", {{"return_url", "//evil.example/"}}).code() == "invalid_return_url");
  CHECK(env.create("tax", {{"callback_url", "ftp://x"}}).code() == "invalid_request");
  // The application is approved for pc and app only.
  const auto channel = env.create("tax", {{"channel", "wechat_mini"}});
  CHECK(channel.status == 403);
  CHECK(channel.code() == "channel_not_approved");
  const auto matter = env.create("tax", {{"matter", "电子政务/社保/参保登记"}});
  CHECK(matter.status == 403);
  CHECK(matter.code() == "matter_not_approved");
  // real_estate has no login need: its token cannot carry the login scope.
  const auto re = env.create("real_estate");
  CHECK(re.status == 403);
  CHECK(re.code() == "insufficient_scope");
}

// Issue 17 item 6: a return_url is a strict path on this host or one of the
// application's registered redirect URIs, byte for byte; everything a browser
// could read as another site is refused with 400 invalid_return_url.
TEST_CASE("return_url: tricky targets are refused at creation, the registered one is accepted") {
  auto& env = LoginEnv::get();
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"/\t/evil.example/", "control_character"},
      {"/\n/evil.example/", "control_character"},
      {"https://etax.hubei.sandbox.invalid\\@evil.example/", "backslash"},
      {"/\\evil.example", "backslash"},
      {"//evil.example", "scheme_relative"},
      {"https://etax.hubei.sandbox.invalid@evil.example/", "userinfo"},
      {"https://evil.example%2f@etax.hubei.sandbox.invalid", "userinfo"},
      {"https://例子.测试/", "non_ascii"},
      {"https://etax.hubei.sandbox.invalid./oidc/callback", "trailing_dot_host"},
      {"https://ETAX.hubei.sandbox.invalid/oidc/callback", "host_not_lowercase"},
      {"javascript:alert(document.domain)", "scheme_not_allowed"},
      {"/%2f/evil.example", "encoded_separator"},
      {"https://evil.example/", "not_registered"},
      {"https://etax.hubei.sandbox.invalid/oidc/callback/", "not_registered"},
  };
  for (const auto& [url, reason] : refused) {
    INFO(url);
    const auto r = env.create("tax", {{"return_url", url}});
    CHECK(r.status == 400);
    CHECK(r.code() == "invalid_return_url");
    CHECK(r.as_json()["error"]["message"].get<std::string>().find("(" + reason + ")") != std::string::npos);
  }
  // Exactly as registered by the application (sandbox.json redirect_uris), and a path on this host.
  const std::string registered = env.app("tax")["redirect_uris"][0];
  const auto ok = env.create("tax", {{"return_url", registered}});
  CHECK(ok.status == 201);
  CHECK(http("GET", env.url("/login/" + ok.as_json()["id"].get<std::string>() + "/state")).as_json()["return_url"] == registered);
  CHECK(env.create("tax", {{"return_url", "/after/login?x=1"}}).status == 201);
}

TEST_CASE("the real wallet logs in: scan --approve confirms with the verified subject") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax", {{"matter", "电子政务/税务/发票申领"}});
  const std::string id = s["id"];
  const auto scan = env.wallet_cli("张志伟", "scan " + quote(s["qr_text"]) + " --approve");
  INFO(scan.output);
  REQUIRE(scan.exit_code == 0);
  CHECK(scan.output.find("\"confirmed\"") != std::string::npos);
  CHECK(scan.output.find("湖北省电子税务局") != std::string::npos);  // shown to the holder

  const auto got = env.session("tax", id);
  REQUIRE(got["status"] == "confirmed");
  CHECK(got["subject"]["face_info"]["name"].get<std::string>().find("武汉长江云数科技有限公司") == 0);
  CHECK(got["subject"]["holder"]["name"] == "张志伟");
  CHECK(got["subject"]["holder"]["role"] == "legal_representative");
  CHECK(got["subject"]["holder"]["authorisation"]["scope"] == "full");
  CHECK(got["subject"]["license_serial"] == env.wallet_entry("张志伟")["cert_serial"]);
  CHECK(got["authenticated_at"].is_string());
  std::vector<std::string> statuses;
  for (const auto& e : got["events"]) statuses.push_back(e["status"]);
  CHECK(statuses == std::vector<std::string>{"pending", "scanned", "confirmed"});
}

TEST_CASE("an agent with a precise authorisation covering the matter logs in") {
  auto& env = LoginEnv::get();
  std::string id;
  const auto r = env.login_as("tax", "王强", {{"matter", "电子政务/税务/发票申领"}}, &id);
  INFO(r.body);
  REQUIRE(r.status == 200);
  const auto got = env.session("tax", id);
  CHECK(got["subject"]["holder"]["role"] == "agent");
  CHECK(got["subject"]["holder"]["authorisation"]["scope"] == "precise");
}

TEST_CASE("scan --image decodes the PNG the host serves") {
  auto& env = LoginEnv::get();
  TempDir dir;
  const auto s = env.create_ok("banking");
  write_file(dir.path() / "qr.png", http("GET", s["qr_png_url"].get<std::string>()).body);
  const auto scan = env.wallet_cli("吴刚", "scan --image " + quote(dir / "qr.png") + " --approve");
  INFO(scan.output);
  REQUIRE(scan.exit_code == 0);
  CHECK(env.session("banking", s["id"])["status"] == "confirmed");
}

TEST_CASE("scan without a decision shows the request and marks the session scanned") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax", {{"matter", "电子政务/税务"}});
  const auto scan = env.wallet_cli("张志伟", "scan " + quote(s["qr_text"]));
  INFO(scan.output);
  REQUIRE(scan.exit_code == 0);
  CHECK(scan.output.find("电子政务/税务") != std::string::npos);
  CHECK(env.session("tax", s["id"])["status"] == "scanned");
}

TEST_CASE("scan --reject records rejected") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax");
  const auto scan = env.wallet_cli("张志伟", "scan " + quote(s["qr_text"]) + " --reject");
  INFO(scan.output);
  REQUIRE(scan.exit_code == 0);
  const auto got = env.session("tax", s["id"]);
  CHECK(got["status"] == "rejected");
  CHECK_FALSE(got.contains("subject"));
}

TEST_CASE("a long-poll returns when the wallet answers") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax");
  const std::string id = s["id"];
  const auto request = env.fetch_request(s["qr_text"]);  // scanned
  const std::string token = env.token("tax");
  auto poll = std::async(std::launch::async, [&] {
    return http("GET", env.url("/api/v1/login-sessions/" + id + "?wait=30&last=scanned"), "", bearer(token)).as_json();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto w = env.wallet("张志伟");
  REQUIRE(env.post_answer(request, w.signed_answer(env.answer_for(request, w))).status == 200);
  const auto woke = poll.get();
  CHECK(woke["status"] == "confirmed");
  CHECK(woke["subject"]["holder"]["name"] == "张志伟");
  // A different status returns at once; bad waits are refused.
  CHECK(env.session("tax", id, "?wait=30&last=pending")["status"] == "confirmed");
  CHECK(http("GET", env.url("/api/v1/login-sessions/" + id + "?wait=31"), "", bearer(token)).code() == "invalid_request");
  CHECK(http("GET", env.url("/api/v1/login-sessions/" + id + "?wait=x"), "", bearer(token)).code() == "invalid_request");
}

TEST_CASE("the event stream sends scanned and confirmed, then ends") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax");
  const std::string id = s["id"];
  const std::string token = env.token("tax");
  auto stream = std::async(std::launch::async, [&] {
    return http("GET", env.url("/api/v1/login-sessions/" + id + "/events"), "", bearer(token));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto scan = env.wallet_cli("张志伟", "scan " + quote(s["qr_text"]) + " --approve");
  REQUIRE(scan.exit_code == 0);
  const auto r = stream.get();  // the stream ends after the final state
  CHECK(r.status == 200);
  CHECK(r.headers.at("Content-Type").find("text/event-stream") == 0);
  const auto pending = r.body.find("\"status\":\"pending\"");
  const auto scanned = r.body.find("\"status\":\"scanned\"");
  const auto confirmed = r.body.find("\"status\":\"confirmed\"");
  CHECK(pending != std::string::npos);
  CHECK(scanned != std::string::npos);
  CHECK(confirmed != std::string::npos);
  CHECK(pending < scanned);
  CHECK(scanned < confirmed);
  CHECK(r.body.find("event: status") != std::string::npos);
}

TEST_CASE("a session belongs to the application that created it") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax");
  const std::string id = s["id"];
  const std::string other = env.token("banking");
  CHECK(http("GET", env.url("/api/v1/login-sessions/" + id), "", bearer(other)).status == 404);
  CHECK(http("GET", env.url("/api/v1/login-sessions/" + id + "/events"), "", bearer(other)).status == 404);
  CHECK(http("DELETE", env.url("/api/v1/login-sessions/" + id), "", bearer(other)).status == 404);
  CHECK(http("GET", env.url("/api/v1/login-sessions/" + id)).status == 401);
  CHECK(env.session("tax", id)["status"] == "pending");
}

TEST_CASE("DELETE cancels — the wallet can no longer fetch or answer") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax");
  const std::string id = s["id"];
  const auto request = env.fetch_request(s["qr_text"]);
  const auto del = http("DELETE", env.url("/api/v1/login-sessions/" + id), "", bearer(env.token("tax")));
  REQUIRE(del.status == 200);
  CHECK(del.as_json()["status"] == "cancelled");
  CHECK(http("DELETE", env.url("/api/v1/login-sessions/" + id), "", bearer(env.token("tax"))).code() == "already_final");
  const auto fetch = http("GET", s["qr_text"].get<std::string>());
  CHECK(fetch.status == 409);
  CHECK(fetch.code() == "already_answered");
  const auto w = env.wallet("张志伟");
  CHECK(env.post_answer(request, w.signed_answer(env.answer_for(request, w))).code() == "already_answered");
}

TEST_CASE("a session expires at its ttl: status, long-poll wake, answer refused with session_expired") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax", {{"ttl", 10}});
  const std::string id = s["id"];
  const auto request = env.fetch_request(s["qr_text"]);
  // The long-poll wakes at expiry (not at its 30 s deadline; no time is asserted, only the status).
  const auto woke = env.session("tax", id, "?wait=30&last=scanned");
  CHECK(woke["status"] == "expired");
  const auto w = env.wallet("张志伟");
  const auto late = env.post_answer(request, w.signed_answer(env.answer_for(request, w)));
  CHECK(late.status == 410);
  CHECK(late.code() == "session_expired");
  CHECK(http("GET", s["qr_text"].get<std::string>()).code() == "session_expired");
  const auto scan = env.wallet_cli("张志伟", "scan " + quote(s["qr_text"]) + " --approve");
  CHECK(scan.exit_code == 1);
  CHECK(scan.output.find("session_expired") != std::string::npos);
}

TEST_CASE("the hosted page shows the QR and follows the state without the subject") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax", {{"matter", "电子政务/税务/发票申领"}, {"return_url", "/after?x=<1>"}});
  const std::string id = s["id"];
  const auto page = http("GET", env.url("/login/" + id));
  REQUIRE(page.status == 200);
  CHECK(qr_text_in_page(page.body) == s["qr_text"]);
  CHECK(page.body.find("湖北省电子税务局") != std::string::npos);
  CHECK(page.body.find("Sandbox") != std::string::npos);
  CHECK(page.body.find("/after?x=&lt;1&gt;") != std::string::npos);  // escaped
  CHECK(page.body.find("<1>") == std::string::npos);
  REQUIRE(env.wallet_cli("张志伟", "scan " + quote(s["qr_text"]) + " --approve").exit_code == 0);
  const auto state = http("GET", env.url("/login/" + id + "/state?wait=5&last=pending")).as_json();
  CHECK(state["status"] == "confirmed");
  CHECK(state["return_url"] == "/after?x=<1>");
  CHECK_FALSE(state.contains("subject"));
  CHECK(http("GET", env.url("/login/unknown")).status == 404);
  // Only an expired session can be renewed (and only with a credential: test_login_renewal.cpp).
  CHECK(http("POST", env.url("/login/" + id + "/renew"), "", {{"X-Login-Page-Token", s["page_url"].get<std::string>().substr(
                                                                  s["page_url"].get<std::string>().find("#page_token=") + 12)}})
            .code() == "not_expired");
}

TEST_CASE("the demo: /demo/login, scan --image of the page's QR, result page with enterprise and holder") {
  auto& env = LoginEnv::get();
  const auto start = http("GET", env.url("/demo/login"));
  REQUIRE(start.status == 303);
  const std::string location = start.headers.at("Location");
  REQUIRE(location.rfind("/login/", 0) == 0);
  const std::string id = location.substr(7, location.find('#') - 7);  // "#page_token=..." is for the page
  const auto page = http("GET", env.url(location));
  const std::string qr_text = qr_text_in_page(page.body);
  REQUIRE_FALSE(qr_text.empty());
  TempDir dir;
  write_file(dir.path() / "qr.png", http("GET", env.url("/api/v1/login-sessions/" + id + "/qr.png")).body);
  const auto scan = env.wallet_cli("张志伟", "scan --image " + quote(dir / "qr.png") + " --approve");
  INFO(scan.output);
  REQUIRE(scan.exit_code == 0);
  const auto state = http("GET", env.url("/login/" + id + "/state")).as_json();
  CHECK(state["status"] == "confirmed");
  CHECK(state["return_url"] == "/demo/login/" + id + "/result");
  const auto result = http("GET", env.url("/demo/login/" + id + "/result"));
  REQUIRE(result.status == 200);
  CHECK(result.body.find("武汉长江云数科技有限公司") != std::string::npos);
  CHECK(result.body.find("张志伟") != std::string::npos);
  CHECK(result.body.find("Demo only") != std::string::npos);
  // A relying party's own session never shows its subject on the demo page.
  const auto rp = env.create_ok("tax");
  CHECK(http("GET", env.url("/demo/login/" + rp["id"].get<std::string>() + "/result")).status == 404);
}

TEST_CASE("an expired hosted page offers a new QR code") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax", {{"ttl", 10}, {"matter", "电子政务/税务"}});
  const std::string id = s["id"];
  const auto state = http("GET", env.url("/login/" + id + "/state?wait=30&last=pending")).as_json();
  REQUIRE(state["status"] == "expired");
  const std::string page_url = s["page_url"];
  const auto renew = http("POST", env.url("/login/" + id + "/renew"), "",
                          {{"X-Login-Page-Token", page_url.substr(page_url.find("#page_token=") + 12)}});
  REQUIRE(renew.status == 201);
  const std::string fresh = renew.as_json()["id"];
  CHECK(fresh != id);
  const auto got = env.session("tax", fresh);
  CHECK(got["status"] == "pending");
  CHECK(got["matter"] == "电子政务/税务");
}
