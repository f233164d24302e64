// The provider over HTTP in-process, with a scripted login gateway in place of
// the QR login (the end-to-end test drives the real one): discovery, JWKS,
// /oidc/authorize refusals (page vs. redirect), /oidc/continue, /oidc/token
// refusals with their exact OAuth error codes, and /oidc/userinfo.
#include <Poco/Net/HTTPRequest.h>
#include <Poco/StreamCopier.h>
#include <bound_session.h>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <zhaoyin/http/attempt_throttle.h>
#include <zhaoyin/http/form.h>
#include <zhaoyin/oidc/claims.h>
#include <zhaoyin/oidc/pkce.h>
#include <zhaoyin/oidc/routes.h>
#include <zhaoyin/oidc/signing_key.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>
#include "host_fixture.h"
#include "oidc_test_data.h"

using namespace zhaoyin;
using zhaoyin::test::HttpResult;
using zhaoyin::test::TestHost;

namespace {

const char* const kForm = "application/x-www-form-urlencoded";
const std::string kRedirect = "https://rp.example/oidc/callback";
const std::string kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const std::string kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

// Logins whose outcome the test decides.
class ScriptedLogins final : public oidc::LoginGateway {
 public:
  oidc::LoginStarted start(const store::Application& app, const oidc::LoginStart& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string id = "login-" + std::to_string(++count_);
    states_[id] = oidc::LoginState{"pending", nullptr, std::nullopt, id};
    last_client = app.client_id;
    last_request = request;
    return {id, "page-token-" + std::to_string(count_)};
  }
  std::optional<oidc::LoginState> find(const std::string& id) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = states_.find(id);
    if (it == states_.end()) return std::nullopt;
    return it->second;
  }
  void set(const std::string& id, const std::string& status) {
    std::lock_guard<std::mutex> lock(mutex_);
    states_[id].status = status;
    if (status == "confirmed") {
      states_[id].subject = test::sample_subject();
      states_[id].authenticated_at = std::chrono::system_clock::now();
    }
  }
  std::string last_client;
  oidc::LoginStart last_request;

 private:
  mutable std::mutex mutex_;
  int count_ = 0;
  std::map<std::string, oidc::LoginState> states_;
};

struct Provider {
  std::shared_ptr<ScriptedLogins> logins = std::make_shared<ScriptedLogins>();
  TestHost host;
  std::string issuer;

  explicit Provider(oidc::ProviderOptions options = {})
      : host([this, options](http::Router& r, const std::shared_ptr<http::HostContext>& ctx) {
          oidc::register_oidc_routes(r, ctx, logins, options);
        }) {
    issuer = "http://127.0.0.1:" + std::to_string(host.server->port());
    host.ctx->settings.public_url = issuer;
    add_app("rp", "rp-secret", {"login"});
    add_app("other", "other-secret", {"login"});
    add_app("no-login", "s", {"presentation"});
  }

  void add_app(const std::string& id, const std::string& secret, std::vector<std::string> needs) {
    store::Application app;
    app.client_id = id;
    app.name = "App " + id;
    app.department = "tax";
    app.scope = "national";
    app.needs = std::move(needs);
    app.channels = {"pc"};
    app.matters = {"电子政务/税务"};
    app.redirect_uris = {kRedirect, "http://127.0.0.1:8080/demo/oidc/callback"};
    store::ApplicationRepository(*host.ctx->db).create(app, secret);
  }

  HttpResult authorize(std::map<std::string, std::string> overrides = {}) const {
    std::map<std::string, std::string> p = {{"client_id", "rp"},           {"redirect_uri", kRedirect},
                                            {"response_type", "code"},      {"scope", "openid profile"},
                                            {"state", "st&te 1"},           {"nonce", "n-0S6_WzA2Mj"},
                                            {"code_challenge", kChallenge}, {"code_challenge_method", "S256"}};
    for (auto& [k, v] : overrides) {
      if (v == "<absent>") p.erase(k); else p[k] = v;
    }
    std::string q;
    for (auto& [k, v] : p) q += (q.empty() ? "?" : "&") + http::form_encode(k) + "=" + http::form_encode(v);
    return host.get("/oidc/authorize" + q);
  }

  // authorize → the login confirmed → continue; the final redirect.
  HttpResult login(const std::string& outcome = "confirmed") {
    const auto a = authorize();
    REQUIRE(a.status == 302);
    std::string session = a.header("Location").substr((issuer + "/login/").size());
    session = session.substr(0, session.find('#'));  // #page_token=... is for the hosted page
    logins->set(session, outcome);
    return continue_with(a);
  }

  HttpResult continue_with(const HttpResult& authorize_result, bool with_cookie = true) const {
    const std::string cookie = authorize_result.header("Set-Cookie");
    const auto path_at = cookie.find("Path=");
    const std::string path = cookie.substr(path_at + 5, cookie.find(';', path_at) - path_at - 5);
    std::vector<std::pair<std::string, std::string>> headers;
    if (with_cookie) headers.emplace_back("Cookie", "other=1; " + cookie.substr(0, cookie.find(';')));
    return host.get(path, headers);
  }

  HttpResult token(const std::string& code, std::map<std::string, std::string> overrides = {}) const {
    std::map<std::string, std::string> p = {{"grant_type", "authorization_code"},
                                            {"code", code},
                                            {"redirect_uri", kRedirect},
                                            {"code_verifier", kVerifier},
                                            {"client_id", "rp"},
                                            {"client_secret", "rp-secret"}};
    for (auto& [k, v] : overrides) {
      if (v == "<absent>") p.erase(k); else p[k] = v;
    }
    std::string body;
    for (auto& [k, v] : p) body += (body.empty() ? "" : "&") + http::form_encode(k) + "=" + http::form_encode(v);
    return host.post("/oidc/token", body, kForm);
  }
};

std::map<std::string, std::string> query_of(const std::string& location) {
  std::map<std::string, std::string> out;
  const auto q = location.find('?');
  if (q == std::string::npos) return out;
  for (auto& [k, v] : http::parse_form(location.substr(q + 1))) out[k] = v;
  return out;
}

std::string code_of(const HttpResult& r) {
  REQUIRE(r.status == 302);
  return query_of(r.header("Location"))["code"];
}

void check_redirect_error(const HttpResult& r, const std::string& error) {
  INFO(r.body);
  REQUIRE(r.status == 302);
  const std::string location = r.header("Location");
  CHECK(location.rfind(kRedirect + "?", 0) == 0);
  auto q = query_of(location);
  CHECK(q["error"] == error);
  CHECK(q["state"] == "st&te 1");
  CHECK_FALSE(q["error_description"].empty());
}

void check_page_error(const HttpResult& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK_FALSE(r.response.has("Location"));
  CHECK(r.header("Content-Type").rfind("text/html", 0) == 0);
  CHECK(r.body.find("<code>" + code + "</code>") != std::string::npos);
}

void check_oauth_error(const HttpResult& r, int status, const std::string& error) {
  INFO(r.body);
  CHECK(r.status == status);
  const auto j = r.json();
  CHECK(j["error"] == error);
  CHECK(j["error_description"].is_string());
}

nlohmann::json jwt_payload(const std::string& jwt) {
  const auto a = jwt.find('.');
  const auto b = jwt.rfind('.');
  return nlohmann::json::parse(trust::to_string(trust::base64url_decode(jwt.substr(a + 1, b - a - 1))));
}

// The ID-token signing key the host keeps in its store (migration 29: one
// key for every host on the store, no longer a file in the data folder).
std::string stored_signing_key(const std::filesystem::path& data_dir) {
  const auto r = test::run_command("sqlite3 -cmd \".timeout 10000\" " + test::quote(data_dir / "zhaoyin.db") +
                                   " \"SELECT private_pem FROM oidc_signing_keys WHERE id = 1\"");
  if (r.exit_code != 0) throw std::runtime_error("sqlite3: " + r.output);
  return r.output;
}

}  // namespace

TEST_CASE("oidc http: discovery and JWKS describe the provider", "[oidc][http]") {
  Provider p;
  const auto d = p.host.get("/.well-known/openid-configuration");
  REQUIRE(d.status == 200);
  const auto m = d.json();
  CHECK(m["issuer"] == p.issuer);
  CHECK(m["authorization_endpoint"] == p.issuer + "/oidc/authorize");
  CHECK(m["token_endpoint"] == p.issuer + "/oidc/token");
  CHECK(m["userinfo_endpoint"] == p.issuer + "/oidc/userinfo");
  CHECK(m["jwks_uri"] == p.issuer + "/oidc/jwks");
  CHECK(m["response_types_supported"] == nlohmann::json::array({"code"}));
  CHECK(m["id_token_signing_alg_values_supported"] == nlohmann::json::array({"ES256"}));
  CHECK(m["code_challenge_methods_supported"] == nlohmann::json::array({"S256"}));
  CHECK(m["subject_types_supported"] == nlohmann::json::array({"public"}));
  CHECK(m["grant_types_supported"] == nlohmann::json::array({"authorization_code"}));

  const auto j = p.host.get("/oidc/jwks");
  REQUIRE(j.status == 200);
  const auto keys = j.json()["keys"];
  REQUIRE(keys.size() == 1);
  CHECK(keys[0]["alg"] == "ES256");
  CHECK(keys[0].contains("kid"));
  CHECK_FALSE(keys[0].contains("d"));  // never the private part
  // The key persists in the store, not as a file of this host's data folder.
  CHECK(oidc::SigningKey::from_pem(stored_signing_key(p.host.dir.path() / "data")).public_jwk() == keys[0]);
  CHECK_FALSE(std::filesystem::exists(p.host.dir.path() / "data" / "oidc-signing-key.pem"));
}

TEST_CASE("oidc http: authorize starts a QR login and binds the browser", "[oidc][http]") {
  Provider p;
  const auto r = p.authorize({{"matter", "电子政务/税务/发票申领"}});
  INFO(r.body);
  REQUIRE(r.status == 302);
  // The page token travels in the fragment: the hosted page reads it, no server sees it.
  CHECK(r.header("Location") == p.issuer + "/login/login-1#page_token=page-token-1");
  const std::string cookie = r.header("Set-Cookie");
  CHECK(cookie.rfind("zhaoyin_oidc=", 0) == 0);
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("Path=/oidc/continue/") != std::string::npos);
  CHECK(p.logins->last_client == "rp");
  CHECK(p.logins->last_request.matter == std::optional<std::string>("电子政务/税务/发票申领"));
  CHECK(p.logins->last_request.return_url.rfind("/oidc/continue/", 0) == 0);
}

TEST_CASE("oidc http: client and redirect_uri errors stay on an error page", "[oidc][http]") {
  Provider p;
  check_page_error(p.authorize({{"client_id", "nobody"}}), 400, "invalid_client");
  check_page_error(p.authorize({{"client_id", "<absent>"}}), 400, "invalid_request");
  check_page_error(p.authorize({{"redirect_uri", "https://evil.example/cb"}}), 400, "invalid_redirect_uri");
  check_page_error(p.authorize({{"redirect_uri", kRedirect + "/"}}), 400, "invalid_redirect_uri");  // exact match
  check_page_error(p.authorize({{"redirect_uri", "<absent>"}}), 400, "invalid_request");
  check_page_error(p.host.get("/oidc/authorize?client_id=rp&client_id=other&redirect_uri=" + http::form_encode(kRedirect)),
                   400, "invalid_request");
}

// Issue 17 item 6: redirect URIs a browser would read differently from the
// registered one are refused on the page (RFC 6749 §4.1.2.1: never redirected
// to), each with its reason; the registered one, byte for byte, is accepted.
TEST_CASE("oidc http: tricky redirect_uris are refused on the page, never redirected to", "[oidc][http][redirect]") {
  Provider p;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/\t/evil.example/", "control_character"},
      {"https://rp.example\\@evil.example/oidc/callback", "backslash"},
      {"//evil.example", "not_absolute"},
      {"https://rp.example@evil.example/oidc/callback", "userinfo"},
      {"https://evil.example%2f@rp.example/oidc/callback", "userinfo"},
      {"https://evil.example%2frp.example/oidc/callback", "percent_encoded_authority"},
      {"https://例子.测试/oidc/callback", "non_ascii"},
      {"https://rp.example./oidc/callback", "trailing_dot_host"},
      {"https://RP.example/oidc/callback", "host_not_lowercase"},
      {"javascript:alert(document.domain)//https://rp.example/oidc/callback", "scheme_not_allowed"},
      {"https://rp.example/oidc/callback\t", "control_character"},
      {"https://rp.example/oidc/callback#x", "fragment"},
      {"http://rp.example/oidc/callback", "http_not_loopback"},
      {"https://rp.example:443/oidc/callback", "not_registered"},
      {"https://rp.example/oidc/callback?x=1", "not_registered"},
      {"https://rp.example/OIDC/callback", "not_registered"},
  };
  for (const auto& [uri, reason] : cases) {
    INFO(uri);
    const auto r = p.authorize({{"redirect_uri", uri}});
    check_page_error(r, 400, "invalid_redirect_uri");
    CHECK(r.body.find("(" + reason + ")") != std::string::npos);
    CHECK(r.header("Set-Cookie").empty());
  }
  // Exactly as registered: accepted (the loopback http one too).
  CHECK(p.authorize().status == 302);
  CHECK(p.authorize({{"redirect_uri", "http://127.0.0.1:8080/demo/oidc/callback"}}).status == 302);
}

TEST_CASE("oidc http: other authorize errors go back to the client with state", "[oidc][http]") {
  Provider p;
  check_redirect_error(p.authorize({{"code_challenge", "<absent>"}}), "invalid_request");          // PKCE required
  check_redirect_error(p.authorize({{"code_challenge_method", "<absent>"}}), "invalid_request");   // plain by default
  check_redirect_error(p.authorize({{"code_challenge_method", "plain"}}), "invalid_request");
  check_redirect_error(p.authorize({{"code_challenge", "short"}}), "invalid_request");
  check_redirect_error(p.authorize({{"response_type", "token"}}), "unsupported_response_type");
  check_redirect_error(p.authorize({{"response_type", "<absent>"}}), "invalid_request");
  check_redirect_error(p.authorize({{"scope", "profile"}}), "invalid_scope");
  check_redirect_error(p.authorize({{"prompt", "none"}}), "login_required");
  check_redirect_error(p.authorize({{"request", "eyJ..."}}), "request_not_supported");
  check_redirect_error(p.authorize({{"client_id", "no-login"}}), "unauthorized_client");
  check_redirect_error(p.authorize({{"matter", "电子商务/银行/对公开户"}}), "invalid_request");
  store::ApplicationRepository(*p.host.ctx->db).set_status("other", store::ApplicationStatus::Suspended);
  check_redirect_error(p.authorize({{"client_id", "other"}}), "unauthorized_client");
  CHECK(query_of(p.authorize({{"scope", "profile"}}).header("Location"))["iss"] == p.issuer);
}

TEST_CASE("oidc http: continue waits, refuses another browser and ends rejected logins with access_denied",
          "[oidc][http]") {
  Provider p;
  const auto a = p.authorize();
  REQUIRE(a.status == 302);
  const auto waiting = p.continue_with(a);
  CHECK(waiting.status == 200);
  CHECK(waiting.body.find("/login/login-1") != std::string::npos);

  p.logins->set("login-1", "confirmed");
  check_page_error(p.continue_with(a, false), 403, "browser_mismatch");

  check_redirect_error(p.login("rejected"), "access_denied");
  check_redirect_error(p.login("expired"), "access_denied");
  CHECK(p.host.get("/oidc/continue/unknown").status == 404);
}

TEST_CASE("oidc http: a confirmed login gives a code, state and iss — the authorization is then used up",
          "[oidc][http]") {
  Provider p;
  const auto a = p.authorize();
  p.logins->set("login-1", "confirmed");
  const auto c = p.continue_with(a);
  REQUIRE(c.status == 302);
  const auto q = query_of(c.header("Location"));
  CHECK(c.header("Location").rfind(kRedirect + "?", 0) == 0);
  CHECK(q.at("code").size() == 43);
  CHECK(q.at("state") == "st&te 1");
  CHECK(q.at("iss") == p.issuer);
  check_page_error(p.continue_with(a), 409, "authorization_used");
}

TEST_CASE("oidc http: the code buys an ES256 ID token and a userinfo access token", "[oidc][http]") {
  Provider p;
  const auto t = p.token(code_of(p.login()));
  INFO(t.body);
  REQUIRE(t.status == 200);
  CHECK(t.header("Cache-Control") == "no-store");
  const auto body = t.json();
  CHECK(body["token_type"] == "Bearer");
  CHECK(body["scope"] == "openid profile");
  CHECK(body["expires_in"].get<long>() > 0);
  const std::string id_token = body["id_token"];
  const auto claims = jwt_payload(id_token);
  CHECK(claims["iss"] == p.issuer);
  CHECK(claims["aud"] == "rp");
  CHECK(claims["nonce"] == "n-0S6_WzA2Mj");
  CHECK(claims["acr"] == oidc::kAcrLicenseQr);
  CHECK(claims["uscc"] == test::kSampleUscc);
  CHECK(claims["name"] == "武汉长江云数科技有限公司（沙箱）");
  CHECK(claims["legal_representative"] == "张志伟");
  CHECK(claims["holder"]["name"] == "王强");
  CHECK(claims["sub"] == oidc::subject_identifier(test::kSampleUscc));
  CHECK(claims["exp"].get<long long>() > claims["iat"].get<long long>());
  CHECK(claims.contains("auth_time"));
  const std::string access = body["access_token"];
  auto half = trust::sha256(trust::to_bytes(access));
  half.resize(16);
  CHECK(claims["at_hash"] == trust::base64url_encode(half));

  // The signature verifies against the published JWK's key with OpenSSL.
  const auto jwk = p.host.get("/oidc/jwks").json()["keys"][0];
  const auto header = nlohmann::json::parse(trust::to_string(trust::base64url_decode(id_token.substr(0, id_token.find('.')))));
  CHECK(header["kid"] == jwk["kid"]);
  CHECK(header["alg"] == "ES256");
  const auto key = oidc::SigningKey::from_pem(stored_signing_key(p.host.dir.path() / "data"));
  CHECK(key.public_jwk() == jwk);
  test::TempDir dir("zhaoyin-oidc-idtoken");
  test::write_file(dir.path() / "pub.pem", key.public_pem());
  test::write_file(dir.path() / "input", id_token.substr(0, id_token.rfind('.')));
  test::write_file(dir.path() / "sig.der",
                   trust::to_string(oidc::es256_raw_to_der(trust::base64url_decode(id_token.substr(id_token.rfind('.') + 1)))));
  const auto v = test::run_command("openssl dgst -sha256 -verify " + test::quote(dir / "pub.pem") + " -signature " +
                                   test::quote(dir / "sig.der") + " " + test::quote(dir / "input"));
  INFO(v.output);
  CHECK(v.output.find("Verified OK") != std::string::npos);

  // userinfo, GET and POST.
  const auto u = p.host.get("/oidc/userinfo", {{"Authorization", "Bearer " + access}});
  INFO(u.body);
  REQUIRE(u.status == 200);
  CHECK(u.json()["sub"] == claims["sub"]);
  CHECK(u.json()["uscc"] == test::kSampleUscc);
  CHECK(p.host.post("/oidc/userinfo", "", kForm, {{"Authorization", "Bearer " + access}}).status == 200);
}

TEST_CASE("oidc http: client_secret_basic works and a wrong secret is invalid_client", "[oidc][http]") {
  Provider p;
  const std::string basic = "Basic " + trust::base64_encode(trust::to_bytes("rp:rp-secret"));
  const auto code = code_of(p.login());
  std::string body = "grant_type=authorization_code&code=" + http::form_encode(code) +
                     "&redirect_uri=" + http::form_encode(kRedirect) + "&code_verifier=" + kVerifier;
  const auto wrong = p.host.post("/oidc/token", body, kForm,
                                 {{"Authorization", "Basic " + trust::base64_encode(trust::to_bytes("rp:nope"))}});
  check_oauth_error(wrong, 401, "invalid_client");
  CHECK(wrong.header("WWW-Authenticate").rfind("Basic", 0) == 0);
  check_oauth_error(p.token(code, {{"client_secret", "nope"}}), 401, "invalid_client");
  check_oauth_error(p.token(code, {{"client_secret", "<absent>"}}), 401, "invalid_client");
  // The refused attempts did not use the code up.
  const auto ok = p.host.post("/oidc/token", body, kForm, {{"Authorization", basic}});
  INFO(ok.body);
  CHECK(ok.status == 200);
}

TEST_CASE("oidc http: a code is single use and its replay revokes the tokens", "[oidc][http]") {
  Provider p;
  const auto code = code_of(p.login());
  const auto first = p.token(code);
  REQUIRE(first.status == 200);
  const std::string access = first.json()["access_token"];
  REQUIRE(p.host.get("/oidc/userinfo", {{"Authorization", "Bearer " + access}}).status == 200);

  check_oauth_error(p.token(code), 400, "invalid_grant");
  const auto after = p.host.get("/oidc/userinfo", {{"Authorization", "Bearer " + access}});
  check_oauth_error(after, 401, "invalid_token");
  CHECK(after.header("WWW-Authenticate").find("error=\"invalid_token\"") != std::string::npos);
}

TEST_CASE("oidc http: token refusals: verifier, redirect_uri, client, grant type, missing PKCE", "[oidc][http]") {
  Provider p;
  {
    const auto code = code_of(p.login());
    check_oauth_error(p.token(code, {{"code_verifier", std::string(43, 'a')}}), 400, "invalid_grant");
    check_oauth_error(p.token(code), 400, "invalid_grant");  // a wrong verifier burns the code
  }
  {
    const auto code = code_of(p.login());
    check_oauth_error(p.token(code, {{"redirect_uri", "http://127.0.0.1:8080/demo/oidc/callback"}}), 400,
                      "invalid_grant");
  }
  {
    const auto code = code_of(p.login());
    // Another client cannot redeem it, and does not burn it.
    check_oauth_error(p.token(code, {{"client_id", "other"}, {"client_secret", "other-secret"}}), 400, "invalid_grant");
    check_oauth_error(p.token(code, {{"code_verifier", "<absent>"}}), 400, "invalid_request");
    check_oauth_error(p.token(code, {{"grant_type", "client_credentials"}}), 400, "unsupported_grant_type");
    check_oauth_error(p.token(code, {{"grant_type", "<absent>"}}), 400, "invalid_request");
    check_oauth_error(p.token(code, {{"redirect_uri", "<absent>"}}), 400, "invalid_request");
    CHECK(p.token(code).status == 200);
  }
  check_oauth_error(p.token("no-such-code"), 400, "invalid_grant");
  check_oauth_error(p.token("x", {{"client_id", "no-login"}, {"client_secret", "s"}}), 400, "unauthorized_client");
  check_oauth_error(p.host.post("/oidc/token", "{}", "application/json"), 415, "invalid_request");
}

TEST_CASE("oidc http: an expired code is invalid_grant", "[oidc][http]") {
  oidc::ProviderOptions options;
  options.code_ttl = std::chrono::seconds(0);  // expired as soon as it is issued
  Provider p(options);
  const auto t = p.token(code_of(p.login()));
  check_oauth_error(t, 400, "invalid_grant");
  CHECK(t.json()["error_description"].get<std::string>().find("expired") != std::string::npos);
}

TEST_CASE("oidc http: userinfo refuses missing and unknown tokens", "[oidc][http]") {
  Provider p;
  const auto none = p.host.get("/oidc/userinfo");
  check_oauth_error(none, 401, "invalid_token");
  CHECK(none.header("WWW-Authenticate") == "Bearer realm=\"zhaoyin\"");
  const auto bad = p.host.get("/oidc/userinfo", {{"Authorization", "Bearer not-a-token"}});
  check_oauth_error(bad, 401, "invalid_token");
  CHECK(bad.header("WWW-Authenticate").find("error=\"invalid_token\"") != std::string::npos);
  check_oauth_error(p.host.get("/oidc/userinfo", {{"Authorization", "Basic abc"}}), 401, "invalid_token");
}

TEST_CASE("oidc http: without a login gateway authorize answers 503", "[oidc][http]") {
  TestHost host([](http::Router& r, const std::shared_ptr<http::HostContext>& ctx) {
    oidc::register_oidc_routes(r, ctx, nullptr);
  });
  store::Application app;
  app.client_id = "rp";
  app.name = "RP";
  app.needs = {"login"};
  app.redirect_uris = {kRedirect};
  store::ApplicationRepository(*host.ctx->db).create(app, "s");
  const auto r = host.get("/oidc/authorize?client_id=rp&response_type=code&scope=openid&code_challenge_method=S256"
                          "&code_challenge=" + kChallenge + "&redirect_uri=" + http::form_encode(kRedirect));
  check_page_error(r, 503, "login_unavailable");
}

namespace {

// POST from another loopback address: another source for the throttle.
HttpResult post_from(const std::string& source, std::uint16_t port, const std::string& path, const std::string& body) {
  auto session = test::session_from(source, port);
  Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setHost("127.0.0.1", port);
  request.setContentType(kForm);
  request.setContentLength64(static_cast<long long>(body.size()));
  session->sendRequest(request) << body;
  HttpResult result;
  std::istream& in = session->receiveResponse(result.response);
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  result.body = out.str();
  result.status = static_cast<int>(result.response.getStatus());
  return result;
}

}  // namespace

TEST_CASE("oidc http: a client secret guesser gets 429 too_many_attempts while a clean address still gets tokens",
          "[oidc][http][throttle]") {
  Provider p;
  http::CredentialGuardPolicy tight;
  tight.per_source_account = {3, std::chrono::seconds(3600), std::chrono::seconds(86400), std::chrono::seconds(86400)};
  p.host.ctx->client_auth_guard = std::make_shared<http::CredentialGuard>(tight);
  const auto code = code_of(p.login());
  const std::string body = "grant_type=authorization_code&code=" + http::form_encode(code) +
                           "&redirect_uri=" + http::form_encode(kRedirect) + "&code_verifier=" + kVerifier +
                           "&client_id=rp&client_secret=";
  for (int i = 1; i <= 3; ++i)
    check_oauth_error(post_from("127.0.0.2", p.host.server->port(), "/oidc/token", body + "guess"), 401, "invalid_client");
  const auto refused = post_from("127.0.0.2", p.host.server->port(), "/oidc/token", body + "rp-secret");
  check_oauth_error(refused, 429, "too_many_attempts");
  CHECK(std::stoi(refused.header("Retry-After")) >= 1);
  // The relying party's server, at another address, exchanges the code.
  const auto ok = p.token(code);
  INFO(ok.body);
  CHECK(ok.status == 200);
}

TEST_CASE("oidc http: rotating the client secret ends its userinfo tokens", "[oidc][http][tokens]") {
  Provider p;
  const auto t = p.token(code_of(p.login()));
  REQUIRE(t.status == 200);
  const std::string access = t.json()["access_token"];
  REQUIRE(p.host.get("/oidc/userinfo", {{"Authorization", "Bearer " + access}}).status == 200);
  REQUIRE(store::ApplicationRepository(*p.host.ctx->db).set_secret("rp", "rotated-secret"));
  const auto after = p.host.get("/oidc/userinfo", {{"Authorization", "Bearer " + access}});
  check_oauth_error(after, 401, "invalid_token");
}
