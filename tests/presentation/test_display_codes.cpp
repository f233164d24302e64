// Static display codes (亮照码, docs/PROTOCOL.md §6) against a real zhaoyin-host
// on the sandbox: refusals first (forged, tampered, a presentation code's
// signature, revoked license, 吊销 enterprise, withdrawn grant, revocations by
// the wrong people, replays, stale and malformed input, the per-address
// budget), then a code made by zhaoyin-wallet, read back by zbarimg, verified
// on the page and in JSON, and revoked by the enterprise.
#include <catch2/catch.hpp>
#include <thread>
#include <display_messages.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/display_code.h>
#include "presentation_fixture.h"

using namespace zhaoyin;
using namespace zhaoyin::test;

namespace {

PresentationHost& shared_host() {
  static TempDir dir("zhaoyin-display-codes");
  static PresentationHost host(dir.path(), shared_sandbox());
  return host;
}

wallet::Wallet wallet_of(const std::string& stem) { return sandbox_wallet(shared_sandbox(), stem); }

std::string make_code(const wallet::Wallet& w, const std::string& label = "武汉市江汉区解放大道 1 号 门店") {
  protocol::DisplayCode c;
  return wallet::make_display_code(w, label, c);
}

HttpResult verdict_json(PresentationHost& host, const std::string& code) {
  return host.get("/api/v1/display-codes/" + code);
}

std::string verdict_of(PresentationHost& host, const std::string& code) {
  const auto r = verdict_json(host, code);
  INFO(r.body);
  REQUIRE(r.status == 200);
  return r.json()["verdict"].get<std::string>();
}

HttpResult post_revocation(PresentationHost& host, const nlohmann::json& body) {
  HttpCall call;
  call.method = "POST";
  call.path = "/wallet/v1/display-codes/revocations";
  call.content_type = "application/json";
  call.body = body.dump();
  return http_call(host.port(), call);
}

void expect_refusal(const HttpResult& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(error_code(r) == code);
}

}  // namespace

TEST_CASE("display code: forged and tampered codes say bad_signature and do not show the enterprise") {
  auto& host = shared_host();
  const auto w = wallet_of("91420100YULA38GUXF-1");
  protocol::DisplayCode c;
  wallet::make_display_code(w, "门店 A", c);

  SECTION("the label changed after signing") {
    protocol::DisplayCode t = c;
    t.label = "门店 B";
    const auto r = verdict_json(host, t.text());
    REQUIRE(r.status == 200);
    CHECK(r.json()["verdict"] == "bad_signature");
    CHECK(r.json()["enterprise"].is_null());
    CHECK(r.json()["code"]["label"].is_null());
    const auto page = host.get("/v/" + t.text());
    CHECK(page.status == 200);
    CHECK(page.body.find("data-verdict=\"bad_signature\"") != std::string::npos);
    CHECK(page.body.find("91420100YULA38GUXF") == std::string::npos);
  }
  SECTION("one byte of the signature changed") {
    protocol::DisplayCode t = c;
    t.signature[10] ^= 0x01;
    CHECK(verdict_of(host, t.text()) == "bad_signature");
  }
  SECTION("signed by another enterprise's holder") {
    protocol::DisplayCode t = c;
    const auto other = wallet_of("9244030038FRL2441J-1");
    t.signature = trust::sm2_signature_to_raw(other.sign(t.signed_bytes()));
    CHECK(verdict_of(host, t.text()) == "bad_signature");
  }
  SECTION("a presentation code's signature over the same key is refused") {
    // The wallet signs a presentation code; its signature, carried into a
    // display code, must not verify (distinct context strings).
    auto p = fresh_code_fields(w);
    sign_code(w, p);
    protocol::DisplayCode t = c;
    t.signature = p.signature;
    CHECK(verdict_of(host, t.text()) == "bad_signature");
    // And a presentation code is not a display code at all.
    expect_refusal(verdict_json(host, fresh_code(w)), 422, "malformed_code");
    // Nor the other way: a display code at the counter.
    expect_refusal(host.present("banking", c.text()), 422, "malformed_code");
  }
  SECTION("unknown serial") {
    protocol::DisplayCode t = c;
    t.serial_hex = "0123456789ABCDEF0123456789ABCDEF";
    CHECK(verdict_of(host, t.text()) == "unknown_license");
  }
}

TEST_CASE("display code: the authority's state shows in the verdict") {
  auto& host = shared_host();
  SECTION("license certificate on its CA's CRL") {
    CHECK(verdict_of(host, make_code(wallet_of("914401009B874JH84T-2"))) == "license_revoked");
  }
  SECTION("吊销 enterprise: shown with its status") {
    const std::string code = make_code(wallet_of("914205002MXWXWH69U-1"));
    const auto r = verdict_json(host, code);
    REQUIRE(r.status == 200);
    CHECK(r.json()["verdict"] == "enterprise_not_active");
    CHECK(r.json()["enterprise"]["status_label"] == "吊销");
    const auto page = host.get("/v/" + code);
    CHECK(page.body.find("data-verdict=\"enterprise_not_active\"") != std::string::npos);
    CHECK(page.body.find("吊销") != std::string::npos);
  }
  SECTION("an agent whose grant expired") {
    CHECK(verdict_of(host, make_code(wallet_of("91410100QED6JLT722-3"))) == "grant_withdrawn");
  }
  SECTION("a code made under another grant than the one in force") {
    const auto w = wallet_of("91420100YULA38GUXF-3");
    protocol::DisplayCode c;
    wallet::make_display_code(w, "网店 https://shop.example.cn/42", c);
    c.grant_digest = trust::Bytes(8, 0x5A);
    c.signature = trust::sm2_signature_to_raw(w.sign(c.signed_bytes()));
    CHECK(verdict_of(host, c.text()) == "grant_withdrawn");
  }
}

TEST_CASE("display code: a change at the authority shows at the next views without anything cached") {
  // The authority's operator acts with the real CLI (zhaoyin authority ...)
  // on a private sandbox; the host re-reads it every second
  // (authority.refresh_seconds=1). Bounded by count, not asserted on time.
  TempDir dir("zhaoyin-display-live");
  const auto sandbox = copy_sandbox(dir);
  PresentationHost host(dir.path(), sandbox, {"--set", "authority.refresh_seconds=1"});
  const auto authority_cli = [&](const std::string& arguments) {
    const auto r = run_command(quote(bin("zhaoyin")) + " authority " + arguments);
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
  };
  const auto eventually = [&](const std::string& code, const std::string& verdict) {
    std::string seen;
    for (int i = 0; i < 40 && seen != verdict; ++i) {
      const auto r = verdict_json(host, code);
      if (r.status == 200) seen = r.json()["verdict"].get<std::string>();
      if (seen != verdict) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return seen;
  };
  const auto rep = sandbox_wallet(sandbox, "91420100YULA38GUXF-1");
  const auto partner = sandbox_wallet(sandbox, "9137020035XKDX5368-1");
  const std::string rep_code = make_code(rep), partner_code = make_code(partner);
  REQUIRE(verdict_of(host, rep_code) == "valid");
  REQUIRE(verdict_of(host, partner_code) == "valid");

  SECTION("the license certificate is revoked") {
    authority_cli("revoke-license " + quote(sandbox.string()) + " " + rep.license_serial() + " --reason keyCompromise");
    CHECK(eventually(rep_code, "license_revoked") == "license_revoked");
    CHECK(host.get("/v/" + rep_code).body.find("data-verdict=\"license_revoked\"") != std::string::npos);
  }
  SECTION("the enterprise becomes 吊销") {
    authority_cli("enterprise-status " + quote(sandbox.string()) + " 9137020035XKDX5368 吊销");
    CHECK(eventually(partner_code, "enterprise_not_active") == "enterprise_not_active");
    CHECK(verdict_json(host, partner_code).json()["enterprise"]["status_label"] == "吊销");
    CHECK(verdict_of(host, rep_code) == "valid");
  }
}

TEST_CASE("display code: malformed and oversized input is refused 4xx") {
  auto& host = shared_host();
  expect_refusal(verdict_json(host, "HELLO"), 422, "malformed_code");
  expect_refusal(verdict_json(host, "ZYD1AAAA"), 422, "malformed_code");
  expect_refusal(verdict_json(host, "ZYD1" + std::string(1000, 'A')), 422, "malformed_code");
  const auto page = host.get("/v/NOT-A-CODE");
  CHECK(page.status == 422);
  const auto odd = host.get("/v/ZYD1%00%FF");
  CHECK(odd.status >= 400);
  CHECK(odd.status < 500);
  CHECK(page.body.find("data-verdict=\"malformed\"") != std::string::npos);
  const auto huge = host.get("/v/" + std::string(20000, 'A'));
  CHECK(huge.status >= 400);
  CHECK(huge.status < 500);
}

TEST_CASE("display code: revocations by the wrong people, replays and stale ones are refused") {
  auto& host = shared_host();
  const std::string url = host.url();
  const auto rep = wallet_of("91420100YULA38GUXF-1");
  const std::string code = make_code(rep);

  SECTION("a holder of another enterprise: 403 and nothing changes") {
    const auto other = wallet_of("9244030038FRL2441J-1");
    expect_refusal(post_revocation(host, wallet::display_code_revocation(other, url, code)), 403,
                   "not_same_enterprise");
    CHECK(verdict_of(host, code) == "valid");
  }
  SECTION("an agent may not revoke every code of the enterprise") {
    const auto agent = wallet_of("91420100YULA38GUXF-3");
    expect_refusal(post_revocation(host, wallet::display_cutoff_revocation(agent, url, std::chrono::system_clock::now())),
                   403, "legal_representative_only");
    CHECK(verdict_of(host, code) == "valid");
  }
  SECTION("signed more than 5 minutes ago") {
    const auto old = std::chrono::system_clock::now() - std::chrono::minutes(10);
    expect_refusal(post_revocation(host, wallet::display_code_revocation(rep, url, code, old)), 422, "clock_skew");
    CHECK(verdict_of(host, code) == "valid");
  }
  SECTION("for another host") {
    expect_refusal(post_revocation(host, wallet::display_code_revocation(rep, "http://other.example", code)), 422,
                   "answer_mismatch");
  }
  SECTION("the answer changed after signing") {
    auto body = wallet::display_code_revocation(rep, url, code);
    body["answer"]["code"] = make_code(rep);
    expect_refusal(post_revocation(host, body), 422, "bad_signature");
  }
  SECTION("a revoked signer") {
    const auto revoked = wallet_of("914401009B874JH84T-2");
    expect_refusal(post_revocation(host, wallet::display_code_revocation(revoked, url, make_code(revoked))), 422,
                   "license_revoked");
  }
  SECTION("a cutoff in the future") {
    const auto now = std::chrono::system_clock::now();
    expect_refusal(post_revocation(host, wallet::display_cutoff_revocation(rep, url, now + std::chrono::hours(1), now)),
                   422, "invalid_cutoff");
  }
  SECTION("malformed bodies") {
    expect_refusal(post_revocation(host, nlohmann::json::object()), 400, "invalid_request");
    auto body = wallet::display_code_revocation(rep, url, code);
    body["answer"]["scope"] = "everything";
    expect_refusal(post_revocation(host, body), 400, "invalid_request");
    body = wallet::display_code_revocation(rep, url, "ZYD1AAAA");
    expect_refusal(post_revocation(host, body), 422, "malformed_code");
  }
}

TEST_CASE("display code: another holder of the enterprise revokes one code and a replay is refused") {
  auto& host = shared_host();
  const std::string url = host.url();
  const auto admin = wallet_of("91420100YULA38GUXF-3");  // an agent of the same enterprise
  const auto rep = wallet_of("91420100YULA38GUXF-1");
  const std::string first = make_code(rep, "门店一");
  const std::string second = make_code(admin, "网店 https://shop.example.cn");
  REQUIRE(verdict_of(host, first) == "valid");
  REQUIRE(verdict_of(host, second) == "valid");

  // An agent of the enterprise revokes the legal representative's code.
  const auto body = wallet::display_code_revocation(admin, url, first);
  const auto r = post_revocation(host, body);
  INFO(r.body);
  REQUIRE(r.status == 201);
  CHECK(r.json()["scope"] == "code");
  CHECK(r.json()["uscc"] == "91420100YULA38GUXF");
  const auto j = verdict_json(host, first).json();
  CHECK(j["verdict"] == "revoked_by_enterprise");
  CHECK(j["revoked_at"].is_string());
  CHECK(host.get("/v/" + first).body.find("data-verdict=\"revoked_by_enterprise\"") != std::string::npos);
  CHECK(verdict_of(host, second) == "valid");
  expect_refusal(post_revocation(host, body), 409, "already_revoked");

}

TEST_CASE("display code: the legal representative revokes every code issued before a time") {
  // Another enterprise than the other cases (个体工商户: its 经营者), so the
  // cutoff touches no code they rely on.
  auto& host = shared_host();
  const std::string url = host.url();
  const auto owner = wallet_of("9244030038FRL2441J-1");
  const std::string before = make_code(owner, "门店一");
  REQUIRE(verdict_of(host, before) == "valid");
  const auto now = std::chrono::system_clock::now();
  const auto all = wallet::display_cutoff_revocation(owner, url, now + std::chrono::seconds(1), now + std::chrono::seconds(1));
  const auto cut = post_revocation(host, all);
  INFO(cut.body);
  REQUIRE(cut.status == 201);
  CHECK(cut.json()["scope"] == "all");
  CHECK(verdict_of(host, before) == "revoked_by_enterprise");
  expect_refusal(post_revocation(host, all), 409, "already_revoked");
  // A code made after the cutoff is valid.
  protocol::DisplayCode later;
  const std::string fresh = wallet::make_display_code(owner, "门店二", later, now + std::chrono::seconds(2));
  CHECK(verdict_of(host, fresh) == "valid");
}

TEST_CASE("display code: zhaoyin-wallet prints a URL whose QR zbarimg reads and the host shows as valid") {
  auto& host = shared_host();
  TempDir dir("zhaoyin-display-wallet");
  const auto sandbox = shared_sandbox();
  const auto png = dir.path() / "display.png";
  const std::string wallet_args = " --wallet " + quote((sandbox / "wallets/91420100YULA38GUXF-1.wallet.json").string()) +
                                  " --password " + quote(wallet_password(sandbox, "91420100YULA38GUXF-1"));
  const auto made = run_command(quote(bin("zhaoyin-wallet")) + wallet_args + " display-code --host " +
                                quote(host.url()) + " --label " + quote("武汉市江汉区 1 号 门店") + " --png " +
                                quote(png.string()));
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  const std::string page_url = made.output.substr(0, made.output.find('\n'));
  REQUIRE(page_url.rfind(host.url("/v/ZYD1"), 0) == 0);
  const auto scanned = run_command("zbarimg --quiet --raw " + quote(png.string()) + " 2>/dev/null");
  REQUIRE(scanned.exit_code == 0);
  CHECK(scanned.output.substr(0, scanned.output.find('\n')) == page_url);

  const std::string code = page_url.substr(host.url("/v/").size());
  const auto page = host.get("/v/" + code);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("data-verdict=\"valid\"") != std::string::npos);
  CHECK(page.body.find("武汉市江汉区 1 号 门店") != std::string::npos);
  CHECK(page.header("Cache-Control") == "no-store");
  const auto j = verdict_json(host, code).json();
  CHECK(j["verdict"] == "valid");
  CHECK(j["enterprise"]["uscc"] == "91420100YULA38GUXF");
  CHECK(j["code"]["label"] == "武汉市江汉区 1 号 门店");

  const auto revoked = run_command(quote(bin("zhaoyin-wallet")) + wallet_args + " revoke-display-code --host " +
                                   quote(host.url()) + " --code " + quote(page_url));
  INFO(revoked.output);
  CHECK(revoked.exit_code == 0);
  CHECK(verdict_of(host, code) == "revoked_by_enterprise");

  const auto too_long = run_command(quote(bin("zhaoyin-wallet")) + wallet_args + " display-code --host " +
                                    quote(host.url()) + " --label " + quote(std::string(65, 'x')));
  CHECK(too_long.exit_code != 0);
}

TEST_CASE("display code: one address gets a bounded number of requests per minute") {
  TempDir dir("zhaoyin-display-rate");
  PresentationHost host(dir.path(), shared_sandbox());
  int limited = 0;
  HttpResult last;
  for (int i = 0; i < 130; ++i) {
    last = host.get("/api/v1/display-codes/HELLO");
    if (last.status == 429) ++limited;
    else CHECK(last.status == 422);
  }
  CHECK(limited == 10);
  CHECK(error_code(last) == "rate_limited");
  CHECK(!last.header("Retry-After").empty());
}

TEST_CASE("display code: an independent implementation in Node (sm-crypto) reads ours and makes codes the host accepts") {
  // tests/presentation/display-interop/display.js, written from docs/PROTOCOL.md §6.
  auto& host = shared_host();
  const auto sandbox = shared_sandbox();
  const auto node_side = [](const std::string& args) {
    return run_command("sh " + quote(std::string(ZHAOYIN_SOURCE_DIR) + "/tests/presentation/display-interop/run.sh") +
                       " " + args);
  };
  for (const std::string stem : {"91420100YULA38GUXF-1", "91420100YULA38GUXF-3"}) {  // legal representative, agent
    INFO(stem);
    const std::string wallet_file = (sandbox / ("wallets/" + stem + ".wallet.json")).string();
    const auto w = wallet_of(stem);
    protocol::DisplayCode ours;
    const std::string text = wallet::make_display_code(w, "武汉市江汉区 1 号 门店", ours);

    const auto read = node_side("verify " + quote(host.url("/v/" + text)) + " " + quote(wallet_file));
    INFO(read.output);
    REQUIRE(read.exit_code == 0);
    const auto j = nlohmann::json::parse(read.output);
    CHECK(j["ok"] == true);
    CHECK(j["serial"] == w.license_serial());
    CHECK(j["display_id"] == ours.display_id_hex());
    CHECK(j["grant_digest"] == trust::hex_encode(ours.grant_digest));
    CHECK(j["label"] == "武汉市江汉区 1 号 门店");
    // Node refuses a tampered one.
    protocol::DisplayCode tampered = ours;
    tampered.label = "别的门店";
    CHECK(node_side("verify " + quote(tampered.text()) + " " + quote(wallet_file)).exit_code == 1);

    const auto made = node_side("make " + quote(wallet_file) + " " + quote(wallet_password(sandbox, stem)) + " " +
                                quote("网店 https://shop.example.cn/1"));
    INFO(made.output);
    REQUIRE(made.exit_code == 0);
    const std::string theirs = made.output.substr(0, made.output.find('\n'));
    const auto v = verdict_json(host, theirs);
    INFO(v.body);
    REQUIRE(v.status == 200);
    CHECK(v.json()["verdict"] == "valid");
    CHECK(v.json()["code"]["label"] == "网店 https://shop.example.cn/1");
  }
}
