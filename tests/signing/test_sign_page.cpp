// The hosted signing page /sign/{id} (docs/api/signing.md, "Hosted page"):
// public by its 128-bit id, it shows what is to be signed and with which
// seals, follows the task by long poll, and returns to the relying party's
// registered return_url only once every seal is on the document. It never
// shows who signed. return_url is refused unless it is a strict path or a
// registered URI, byte for byte.
#include <catch2/catch.hpp>
#include <future>

#include "signing_env.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {
const char* const kAdmin = "李娜";  // administrator of the Wuhan company: company and contract seals

std::string path_of(const std::string& url) {
  const auto scheme = url.find("://");
  return url.substr(url.find('/', scheme == std::string::npos ? 0 : scheme + 3));
}
}  // namespace

TEST_CASE("the hosted signing page shows the task, follows it and returns to the relying party once signed") {
  auto& env = SigningEnv::get();
  const auto t = env.create_pdf_task("tax", {"contract"}, "any_of", {{"return_url", "/after/sign?order=42"}});
  CHECK(t["return_url"] == "/after/sign?order=42");
  const std::string page = path_of(t["page_url"]);
  CHECK(page == "/sign/" + t["id"].get<std::string>());

  const auto html = http("GET", env.url(page));
  REQUIRE(html.status == 200);
  CHECK(html.headers.at("Content-Type").find("text/html") == 0);
  CHECK(html.body.find("contract.pdf") != std::string::npos);
  CHECK(html.body.find("合同专用章") != std::string::npos);
  CHECK(html.body.find("/api/v1/sign-tasks/" + t["id"].get<std::string>() + "/qr.svg") != std::string::npos);
  CHECK(html.body.find(t["document"]["sm3"].get<std::string>()) != std::string::npos);

  auto state = http("GET", env.url(page + "/state")).as_json();
  CHECK(state["status"] == "pending");
  CHECK(state["seals_due"] == json::array({"合同专用章"}));
  CHECK(state["return_url"].is_null());  // not before it is signed

  // The wallet fetches the request (scanned); a waiting page wakes when the task is signed.
  const auto request = env.fetch_request(t["qr_text"]);
  auto waiting = std::async(std::launch::async, [&] {
    return http("GET", env.url(page + "/state?wait=25&last=scanned")).as_json();
  });
  REQUIRE(env.sign_as(request, env.wallet(kAdmin), "contract").status == 200);
  state = waiting.get();
  if (state["status"] == "scanned") state = http("GET", env.url(page + "/state")).as_json();  // woke by its deadline first
  CHECK(state["status"] == "signed");
  CHECK(state["return_url"] == "/after/sign?order=42");
  CHECK(state["seals_due"].empty());

  // Who signed is the relying party's to know, not the page's.
  const auto after = http("GET", env.url(page));
  CHECK(after.body.find(kAdmin) == std::string::npos);
  CHECK(after.body.find("签章完成") != std::string::npos);
  CHECK(http("GET", env.url("/sign/no-such-task")).status == 404);
}

TEST_CASE("a sign task's return_url must be a strict path or a registered redirect URI") {
  auto& env = SigningEnv::get();
  for (const std::string url : {"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)",
                                "/after/%2f/evil"}) {
    INFO(url);
    const auto r = env.create("tax", {{"document", {{"name", "c.pdf"}, {"pdf", b64(sample_pdf())}}},
                                      {"seals", {{"types", {"company"}}}},
                                      {"return_url", url}});
    CHECK(r.status == 400);
    CHECK(r.code() == "invalid_return_url");
  }
  const std::string registered = env.app("tax")["redirect_uris"][0];
  const auto ok = env.create("tax", {{"document", {{"name", "c.pdf"}, {"pdf", b64(sample_pdf())}}},
                                     {"seals", {{"types", {"company"}}}},
                                     {"return_url", registered}});
  CHECK(ok.status == 201);
}
