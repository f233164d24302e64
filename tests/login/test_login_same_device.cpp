// The same-device flow (issue 22; docs/protocol/login.md, "Same-device flow"):
// the relying party's app opens the wallet on the same phone with the
// session's wallet_link instead of showing a QR code; the wallet sends the
// holder back to the registered return_url with a single-use token that the
// relying party's server redeems with its own credentials. The real
// zhaoyin-host and zhaoyin-wallet, and every refusal.
#include <catch2/catch.hpp>
#include <zhaoyin/http/form.h>

#include "login_env.h"

using namespace zhaoyin::test;

namespace {

// The value of `name` in a URL's query (percent-decoded).
std::string query_value(const std::string& url, const std::string& name) {
  const auto q = url.find('?');
  if (q == std::string::npos) return "";
  for (const auto& [k, v] : zhaoyin::http::parse_form(url.substr(q + 1)))
    if (k == name) return v;
  return "";
}

json same_device_body(LoginEnv& env) {
  return {{"channel", "app"}, {"same_device", true}, {"return_url", env.app("tax")["redirect_uris"][0]}};
}

json reply_json(const CommandResult& r) {
  const auto brace = r.output.find('{');
  REQUIRE(brace != std::string::npos);
  return json::parse(r.output.substr(brace, r.output.rfind('}') - brace + 1));
}

}  // namespace

TEST_CASE("same device: wallet link, the wallet's signed return, one redemption") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax", same_device_body(env));
  const std::string id = s["id"];
  CHECK(s["same_device"] == true);
  CHECK(s["return_redeemed"] == false);
  const std::string link = s["wallet_link"];
  CHECK(link.rfind("zhaoyin-wallet://request?url=", 0) == 0);
  CHECK(zhaoyin::http::form_decode(link.substr(std::string("zhaoyin-wallet://request?url=").size())) == s["qr_text"]);

  // Before the wallet answers there is nothing to redeem.
  const std::string redeem_url = env.url("/api/v1/login-sessions/" + id + "/return");
  const auto early = http("POST", redeem_url, json{{"return_token", "x"}}.dump(), bearer(env.token("tax")));
  CHECK(early.status == 409);
  CHECK(early.code() == "not_answered");

  // The wallet opens the link exactly as if it had scanned the request URL.
  const auto answered = env.wallet_cli("张志伟", "scan " + quote(link) + " --approve");
  INFO(answered.output);
  REQUIRE(answered.exit_code == 0);
  const json reply = reply_json(answered);
  CHECK(reply["status"] == "confirmed");
  const std::string back = reply["return_url"];
  const std::string registered = env.app("tax")["redirect_uris"][0];
  CHECK(back.rfind(registered + "?", 0) == 0);
  CHECK(query_value(back, "login_session") == id);
  CHECK(query_value(back, "result") == "confirmed");
  const std::string token = query_value(back, "return_token");
  CHECK(token.size() == 43);

  // The relying party's server redeems the token once, with its credentials.
  const auto other_app = http("POST", redeem_url, json{{"return_token", token}}.dump(), bearer(env.token("banking")));
  CHECK(other_app.status == 404);  // another application's session does not exist for it
  const auto wrong = http("POST", redeem_url, json{{"return_token", token.substr(1) + "A"}}.dump(), bearer(env.token("tax")));
  CHECK(wrong.status == 403);
  CHECK(wrong.code() == "invalid_return_token");
  CHECK(http("POST", redeem_url, json{{"return_token", token}, {"more", 1}}.dump(), bearer(env.token("tax"))).status == 400);
  const auto redeemed = http("POST", redeem_url, json{{"return_token", token}}.dump(), bearer(env.token("tax")));
  REQUIRE(redeemed.status == 200);
  CHECK(redeemed.as_json()["status"] == "confirmed");
  CHECK(redeemed.as_json()["return_redeemed"] == true);
  CHECK(redeemed.as_json()["subject"]["holder"]["name"] == "张志伟");
  // Replays: the return link a second time, and the wallet link a second time.
  const auto replayed = http("POST", redeem_url, json{{"return_token", token}}.dump(), bearer(env.token("tax")));
  CHECK(replayed.status == 409);
  CHECK(replayed.code() == "return_token_used");
  const auto again = env.wallet_cli("张志伟", "scan " + quote(link) + " --approve");
  CHECK(again.exit_code != 0);
  CHECK(again.output.find("already_answered") != std::string::npos);
}

TEST_CASE("same device: a rejection returns too, with result=rejected") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax", same_device_body(env));
  const auto r = env.wallet_cli("张志伟", "scan " + quote(s["wallet_link"]) + " --reject");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const json reply = reply_json(r);
  CHECK(reply["status"] == "rejected");
  CHECK(query_value(reply["return_url"], "result") == "rejected");
  const auto redeemed = http("POST", env.url("/api/v1/login-sessions/" + s["id"].get<std::string>() + "/return"),
                             json{{"return_token", query_value(reply["return_url"], "return_token")}}.dump(),
                             bearer(env.token("tax")));
  CHECK(redeemed.status == 200);
  CHECK(redeemed.as_json()["status"] == "rejected");
}

TEST_CASE("same device refusals: channel not approved or not on the phone, no or unregistered return_url, QR sessions") {
  auto& env = LoginEnv::get();
  const std::string registered = env.app("tax")["redirect_uris"][0];
  // tax is approved for pc and app: wechat_mini is not approved, pc is not on the phone.
  const auto not_approved = env.create("tax", {{"channel", "wechat_mini"}, {"same_device", true}, {"return_url", registered}});
  CHECK(not_approved.status == 403);
  CHECK(not_approved.code() == "channel_not_approved");
  const auto pc = env.create("tax", {{"channel", "pc"}, {"same_device", true}, {"return_url", registered}});
  CHECK(pc.status == 422);
  CHECK(pc.code() == "same_device_not_for_channel");
  const auto no_channel = env.create("tax", {{"same_device", true}, {"return_url", registered}});
  CHECK(no_channel.status == 422);
  CHECK(no_channel.code() == "same_device_not_for_channel");
  const auto no_return = env.create("tax", {{"channel", "app"}, {"same_device", true}});
  CHECK(no_return.status == 400);
  CHECK(no_return.code() == "invalid_return_url");
  const auto path_return = env.create("tax", {{"channel", "app"}, {"same_device", true}, {"return_url", "/after"}});
  CHECK(path_return.code() == "invalid_return_url");
  const auto evil = env.create("tax", {{"channel", "app"}, {"same_device", true}, {"return_url", "https://evil.example/r"}});
  CHECK(evil.status == 400);
  CHECK(evil.code() == "invalid_return_url");
  CHECK(env.create("tax", {{"channel", "app"}, {"same_device", "yes"}, {"return_url", registered}}).code() ==
        "invalid_request");

  // A QR session has no wallet link, its signed request no return_url, its answer no return.
  const auto qr = env.create_ok("tax", {{"channel", "app"}, {"return_url", registered}});
  CHECK_FALSE(qr.contains("wallet_link"));
  CHECK(qr["same_device"] == false);
  const auto answered = env.wallet_cli("张志伟", "scan " + quote(qr["qr_text"]) + " --approve");
  REQUIRE(answered.exit_code == 0);
  CHECK_FALSE(reply_json(answered).contains("return_url"));
  const auto redeem = http("POST", env.url("/api/v1/login-sessions/" + qr["id"].get<std::string>() + "/return"),
                           json{{"return_token", "x"}}.dump(), bearer(env.token("tax")));
  CHECK(redeem.status == 409);
  CHECK(redeem.code() == "not_same_device");
}

TEST_CASE("same device: the wallet refuses a malformed link") {
  auto& env = LoginEnv::get();
  const auto s = env.create_ok("tax", same_device_body(env));
  const std::string link = s["wallet_link"];
  const auto extra = env.wallet_cli("张志伟", "scan " + quote(link + "&url=https%3A%2F%2Fevil.example%2Fx") + " --approve");
  CHECK(extra.exit_code != 0);
  CHECK(extra.output.find("not_a_wallet_request") != std::string::npos);
  const auto bad_escape = env.wallet_cli("张志伟", "scan " + quote("zhaoyin-wallet://request?url=%zz") + " --approve");
  CHECK(bad_escape.exit_code != 0);
  CHECK(bad_escape.output.find("not_a_wallet_request") != std::string::npos);
  CHECK(env.session("tax", s["id"])["status"] == "pending");
}
