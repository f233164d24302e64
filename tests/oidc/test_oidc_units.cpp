// Unit tests of the provider's building blocks: PKCE S256, the ES256 signing
// key (checked against OpenSSL's command line), the subject identifier and
// the identity claims, and the repository's single-use code.
#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <test_support.h>
#include <zhaoyin/oidc/claims.h>
#include <zhaoyin/oidc/oidc_repository.h>
#include <zhaoyin/oidc/pkce.h>
#include <zhaoyin/oidc/provider_sessions.h>
#include <zhaoyin/oidc/signing_key.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/store/database.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/sm3.h>
#include "oidc_test_data.h"
#include "provider.h"  // KeyRing (host/oidc/src)

using namespace zhaoyin;
using namespace zhaoyin::oidc;
using zhaoyin::test::quote;
using zhaoyin::test::run_command;
using zhaoyin::test::TempDir;
using zhaoyin::test::write_file;

TEST_CASE("oidc pkce: the RFC 7636 appendix B example", "[oidc][pkce]") {
  const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const std::string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  CHECK(s256_challenge(verifier) == challenge);
  CHECK(valid_code_verifier(verifier));
  CHECK(valid_code_challenge(challenge));
  CHECK(pkce_s256_matches(verifier, challenge));
}

TEST_CASE("oidc pkce: refuses a wrong or malformed verifier", "[oidc][pkce]") {
  const std::string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  CHECK_FALSE(pkce_s256_matches("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX", challenge));
  CHECK_FALSE(pkce_s256_matches("too-short", s256_challenge("too-short")));  // 9 characters < 43
  const std::string bad_chars(43, '+');
  CHECK_FALSE(valid_code_verifier(bad_chars));
  CHECK_FALSE(pkce_s256_matches(bad_chars, s256_challenge(bad_chars)));
  CHECK_FALSE(valid_code_verifier(std::string(129, 'a')));
  CHECK(valid_code_verifier(std::string(128, 'a')));
  // "plain" would send the verifier itself as the challenge: it is not a 43-character S256 value here.
  CHECK_FALSE(pkce_s256_matches(std::string(50, 'a'), std::string(50, 'a')));
  CHECK_FALSE(valid_code_challenge(challenge + "A"));
  CHECK_FALSE(valid_code_challenge(std::string(43, '=')));
}

TEST_CASE("oidc signing key: JWK is the P-256 public key with an RFC 7638 kid", "[oidc][jws]") {
  const auto key = SigningKey::generate();
  const auto jwk = key.public_jwk();
  CHECK(jwk["kty"] == "EC");
  CHECK(jwk["crv"] == "P-256");
  CHECK(jwk["alg"] == "ES256");
  CHECK(jwk["use"] == "sig");
  CHECK(trust::base64url_decode(jwk["x"].get<std::string>()).size() == 32);
  CHECK(trust::base64url_decode(jwk["y"].get<std::string>()).size() == 32);
  const std::string canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + jwk["x"].get<std::string>() +
                                "\",\"y\":\"" + jwk["y"].get<std::string>() + "\"}";
  CHECK(jwk["kid"] == trust::base64url_encode(trust::sha256(trust::to_bytes(canonical))));

  // OpenSSL reads the PEM and prints the same point (04 || x || y).
  TempDir dir("zhaoyin-oidc-jwk");
  write_file(dir.path() / "pub.pem", key.public_pem());
  const auto r = run_command("openssl ec -pubin -in " + quote(dir / "pub.pem") + " -text -noout");
  REQUIRE(r.exit_code == 0);
  std::string hex;
  const auto start = r.output.find("pub:");
  const auto end = r.output.find("ASN1 OID");
  REQUIRE(start != std::string::npos);
  for (char c : r.output.substr(start + 4, end - start - 4)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
  }
  const auto x = trust::base64url_decode(jwk["x"].get<std::string>());
  const auto y = trust::base64url_decode(jwk["y"].get<std::string>());
  CHECK(hex == "04" + trust::hex_encode(x) + trust::hex_encode(y));
  CHECK(r.output.find("prime256v1") != std::string::npos);
}

TEST_CASE("oidc signing key: an ES256 JWS verifies with openssl dgst and fails when tampered", "[oidc][jws]") {
  const auto key = SigningKey::generate();
  const std::string jwt = key.sign_jwt({{"sub", "abc"}, {"name", "武汉长江云数科技有限公司（沙箱）"}});
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.rfind('.');
  REQUIRE(dot1 != dot2);
  const auto header = nlohmann::json::parse(trust::to_string(trust::base64url_decode(jwt.substr(0, dot1))));
  CHECK(header["alg"] == "ES256");
  CHECK(header["typ"] == "JWT");
  CHECK(header["kid"] == key.kid());
  const auto payload =
      nlohmann::json::parse(trust::to_string(trust::base64url_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1))));
  CHECK(payload["name"] == "武汉长江云数科技有限公司（沙箱）");
  const auto raw = trust::base64url_decode(jwt.substr(dot2 + 1));
  REQUIRE(raw.size() == 64);

  TempDir dir("zhaoyin-oidc-jws");
  write_file(dir.path() / "pub.pem", key.public_pem());
  write_file(dir.path() / "input", jwt.substr(0, dot2));
  write_file(dir.path() / "sig.der", trust::to_string(es256_raw_to_der(raw)));
  const std::string verify = "openssl dgst -sha256 -verify " + quote(dir / "pub.pem") + " -signature " +
                             quote(dir / "sig.der") + " ";
  const auto ok = run_command(verify + quote(dir / "input"));
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
  CHECK(ok.output.find("Verified OK") != std::string::npos);

  write_file(dir.path() / "tampered", jwt.substr(0, dot2) + "x");
  const auto bad = run_command(verify + quote(dir / "tampered"));
  CHECK(bad.exit_code != 0);
  CHECK(bad.output.find("Verification failure") != std::string::npos);
}

TEST_CASE("oidc signing key: made once with mode 0600, then reloaded", "[oidc][jws]") {
  TempDir dir("zhaoyin-oidc-key");
  const auto path = dir.path() / "oidc-signing-key.pem";
  const auto first = SigningKey::load_or_create(path);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto again = SigningKey::load_or_create(path);
  CHECK(again.kid() == first.kid());
  CHECK(SigningKey::from_pem(first.private_pem()).kid() == first.kid());
  CHECK_THROWS_AS(SigningKey::from_pem("not a key"), SigningKeyError);
  CHECK_THROWS_AS(es256_raw_to_der(trust::Bytes(63)), SigningKeyError);
}

TEST_CASE("oidc claims: sub is the enterprise's, the same whoever of its holders scans, and differs by enterprise", "[oidc][claims]") {
  const auto a = subject_identifier("91420100MA4K0000XX");
  CHECK(a == subject_identifier("91420100MA4K0000XX"));
  CHECK(a.size() == 32);
  CHECK(a != subject_identifier("91410100MA4K0000XX"));
  const auto digest = trust::sm3(std::string("zhaoyin:oidc:sub:v2|91420100MA4K0000XX"));
  CHECK(a == trust::base64url_encode(trust::Bytes(digest.begin(), digest.begin() + 24)));
  // A holder renamed, or another holder of the same enterprise: the same sub.
  auto renamed = test::sample_subject();
  renamed["holder"]["name"] = "王强强";
  auto other_holder = test::sample_subject();
  other_holder["holder"]["name"] = "张志伟";
  other_holder["holder"]["role"] = "legal_representative";
  CHECK(identity_claims(renamed)["sub"] == identity_claims(test::sample_subject())["sub"]);
  CHECK(identity_claims(other_holder)["sub"] == identity_claims(test::sample_subject())["sub"]);
  CHECK(identity_claims(renamed)["holder"]["name"] == "王强强");
}

TEST_CASE("oidc claims: identity claims from a verified subject", "[oidc][claims]") {
  const auto claims = identity_claims(test::sample_subject());
  CHECK(claims["uscc"] == test::kSampleUscc);
  CHECK(claims["name"] == "武汉长江云数科技有限公司（沙箱）");
  CHECK(claims["legal_representative"] == "张志伟");
  CHECK(claims["holder"]["name"] == "王强");
  CHECK(claims["holder"]["role"] == "agent");
  CHECK(claims["holder"]["role_label"] == "办事人");
  CHECK(claims["holder"]["matters"] == nlohmann::json::array({"电子政务/税务/发票申领"}));
  CHECK(claims["sub"] == subject_identifier(test::kSampleUscc));
  CHECK(claims["license_serial"] == "0A1B2C");

  auto broken = test::sample_subject();
  broken["face_info"].erase("uscc");
  CHECK_THROWS_AS(identity_claims(broken), std::invalid_argument);
  CHECK_THROWS_AS(identity_claims(nlohmann::json::object()), std::invalid_argument);
}

namespace {

struct Store {
  TempDir dir{"zhaoyin-oidc-store"};
  std::shared_ptr<store::Database> db;
  Store() {
    store::DatabaseSettings s;
    s.data_dir = dir.path() / "data";
    db = std::make_shared<store::Database>(s);
    db->migrate();
    store::Application app;
    app.client_id = "rp";
    app.name = "RP";
    app.needs = {"login"};
    store::ApplicationRepository(*db).create(app, "secret");
  }
  ~Store() { db->close(); }
};

CodeGrant sample_grant(TimePoint now) {
  CodeGrant g;
  g.authorization_id = "auth";
  g.client_id = "rp";
  g.redirect_uri = "https://rp.example/cb";
  g.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  g.nonce = "n-0S6_WzA2Mj";
  g.scope = "openid";
  g.claims = {{"sub", "s"}};
  g.issued_at = std::chrono::time_point_cast<std::chrono::seconds>(now);
  g.auth_time = g.issued_at;
  g.expires_at = g.issued_at + std::chrono::seconds(60);
  return g;
}

}  // namespace

TEST_CASE("oidc repository: a code is consumed exactly once and revokes its tokens on replay", "[oidc][store]") {
  Store s;
  OidcRepository repo(*s.db);
  const auto now = Clock::now();
  const std::string code = repo.issue_code(sample_grant(now));
  CHECK(code.size() == 43);
  const auto found = repo.find_code(code);
  REQUIRE(found);
  CHECK_FALSE(found->used);
  CHECK(found->nonce == "n-0S6_WzA2Mj");
  CHECK_FALSE(repo.find_code("another"));

  CHECK(repo.consume_code(code, now));
  CHECK_FALSE(repo.consume_code(code, now));  // the second use is refused
  CHECK(repo.find_code(code)->used);

  TokenGrant t;
  t.client_id = "rp";
  t.scope = "openid";
  t.claims = {{"sub", "s"}};
  t.issued_at = now;
  t.expires_at = now + std::chrono::seconds(3600);
  const std::string token = repo.issue_access_token(code, t);
  CHECK(repo.find_access_token(token));
  CHECK_FALSE(repo.find_access_token(token, now + std::chrono::seconds(3601)));  // expired
  CHECK(repo.revoke_tokens_of_code(code) == 1);
  CHECK_FALSE(repo.find_access_token(token));
}

TEST_CASE("oidc repository: an authorization completes once — purge drops expired state", "[oidc][store]") {
  Store s;
  OidcRepository repo(*s.db);
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());
  Authorization a;
  a.id = OidcRepository::random_handle();
  a.client_id = "rp";
  a.redirect_uri = "https://rp.example/cb";
  a.scope = "openid";
  a.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  a.login_session_id = "login-1";
  a.browser_hash = "h";
  a.created_at = now;
  a.expires_at = now + std::chrono::seconds(900);
  repo.save_authorization(a);
  const auto found = repo.find_authorization(a.id);
  REQUIRE(found);
  CHECK_FALSE(found->completed());
  CHECK(found->login_session_id == "login-1");
  CHECK(repo.complete_authorization(a.id, now));
  CHECK_FALSE(repo.complete_authorization(a.id, now));
  CHECK(repo.find_authorization(a.id)->completed());

  repo.issue_code(sample_grant(now));
  CHECK(repo.purge_expired(now) == 0);
  CHECK(repo.purge_expired(now + std::chrono::hours(25)) == 2);  // the authorization and the old code
  CHECK_FALSE(repo.find_authorization(a.id));
}

TEST_CASE("oidc sso sessions: open within max_age and idle, touched, ended by logout and per license", "[oidc][sso]") {
  Store s;
  ProviderSessionRepository sessions(*s.db);
  SsoOptions options;
  options.enabled = true;
  options.max_age = std::chrono::hours(8);
  options.idle = std::chrono::minutes(30);
  const TimePoint t0 = std::chrono::time_point_cast<std::chrono::seconds>(Clock::now());
  const std::string cookie = sessions.open("0A1B2C", "91420100MA4K0000XX", t0, options, t0);
  CHECK(cookie.size() == 43);  // 32 random bytes, base64url

  const auto found = sessions.find_open(cookie, options.idle, t0 + std::chrono::minutes(10));
  REQUIRE(found);
  CHECK(found->license_serial == "0A1B2C");
  CHECK(found->uscc == "91420100MA4K0000XX");
  CHECK(found->auth_time == t0);
  CHECK(found->id != cookie);  // only the hash is kept

  // Refusals: unknown or empty cookie, idle too long, past max_age.
  CHECK_FALSE(sessions.find_open("", options.idle, t0));
  CHECK_FALSE(sessions.find_open(cookie + "x", options.idle, t0));
  CHECK_FALSE(sessions.find_open(cookie, options.idle, t0 + std::chrono::minutes(31)));
  // A use restarts the idle clock, but never past the absolute lifetime.
  sessions.touch(found->id, t0 + std::chrono::minutes(25));
  CHECK(sessions.find_open(cookie, options.idle, t0 + std::chrono::minutes(50)));
  for (int i = 1; i <= 19; ++i) sessions.touch(found->id, t0 + std::chrono::minutes(25 * i));
  CHECK(sessions.find_open(cookie, options.idle, t0 + std::chrono::minutes(7 * 60 + 59)));
  CHECK_FALSE(sessions.find_open(cookie, options.idle, t0 + std::chrono::hours(8)));

  // Logout ends it once; ending by license ends every session of that holder.
  const std::string second = sessions.open("0A1B2C", "91420100MA4K0000XX", t0, options, t0);
  const std::string other = sessions.open("FFEE", "91410100MA4K0000XX", t0, options, t0);
  CHECK(sessions.end(cookie, t0 + std::chrono::minutes(1)));
  CHECK_FALSE(sessions.end(cookie, t0 + std::chrono::minutes(2)));
  CHECK_FALSE(sessions.find_open(cookie, options.idle, t0 + std::chrono::minutes(3)));
  CHECK(sessions.end_all_of("0A1B2C", t0 + std::chrono::minutes(3)) == 1);
  CHECK_FALSE(sessions.find_open(second, options.idle, t0 + std::chrono::minutes(4)));
  CHECK(sessions.find_open(other, options.idle, t0 + std::chrono::minutes(4)));
  CHECK(sessions.purge(t0 + std::chrono::minutes(5)) == 2);  // the two ended ones
  CHECK(sessions.purge(t0 + std::chrono::hours(9)) == 1);    // the expired one
}

TEST_CASE("oidc signing key: verify_jwt accepts its own tokens only", "[oidc][jws]") {
  const auto key = SigningKey::generate();
  const auto other = SigningKey::generate();
  const nlohmann::json claims = {{"iss", "https://op.example"}, {"aud", "rp"}, {"sub", "s"}};
  const std::string jwt = key.sign_jwt(claims);
  const auto read = key.verify_jwt(jwt);
  REQUIRE(read);
  CHECK(*read == claims);

  CHECK_FALSE(other.verify_jwt(jwt));  // another key (and kid)
  const auto dot1 = jwt.find('.');
  const auto dot2 = jwt.find('.', dot1 + 1);
  const std::string forged_claims =
      trust::base64url_encode(trust::to_bytes(nlohmann::json{{"iss", "https://op.example"}, {"aud", "evil"}}.dump()));
  CHECK_FALSE(key.verify_jwt(jwt.substr(0, dot1 + 1) + forged_claims + jwt.substr(dot2)));
  std::string flipped = jwt;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  CHECK_FALSE(key.verify_jwt(flipped));
  const std::string none_header = trust::base64url_encode(trust::to_bytes(R"({"alg":"none","kid":")" + key.kid() + "\"}"));
  CHECK_FALSE(key.verify_jwt(none_header + jwt.substr(dot1)));
  CHECK_FALSE(key.verify_jwt(""));
  CHECK_FALSE(key.verify_jwt("a.b"));
  CHECK_FALSE(key.verify_jwt("a.b.c.d"));
  CHECK_FALSE(key.verify_jwt("!!!.???.***"));
  CHECK_FALSE(key.verify_jwt(std::string(20000, 'a') + "." + jwt));
}

// Two hosts on one store (two Database instances on one data folder here;
// PostgreSQL in tests/cluster): one ID-token key for both, whichever asks
// first, and a key an earlier version kept in a host's data folder is the one
// adopted — tokens issued before the upgrade still verify.
TEST_CASE("oidc signing key: one key in the store for every host, an older per-host key file adopted once", "[oidc][jws]") {
  TempDir dir("zhaoyin-oidc-key-ring");
  store::DatabaseSettings settings;
  settings.data_dir = dir.path() / "data";
  auto host_a = std::make_shared<store::Database>(settings);
  host_a->migrate();
  auto host_b = std::make_shared<store::Database>(settings);
  const auto legacy = SigningKey::generate();
  write_file(dir.path() / "a-key.pem", legacy.private_pem());

  KeyRing ring_a(host_a, dir.path() / "a-key.pem");
  KeyRing ring_b(host_b, dir.path() / "b-has-none.pem");
  CHECK(ring_a.key().kid() == legacy.kid());  // A's key from before the upgrade becomes the shared one
  CHECK(ring_b.key().kid() == legacy.kid());  // B, with no file, signs with it too
  // A key file another host still holds does not replace the stored key.
  write_file(dir.path() / "c-key.pem", SigningKey::generate().private_pem());
  KeyRing ring_c(host_b, dir.path() / "c-key.pem");
  CHECK(ring_c.key().kid() == legacy.kid());
  host_b->close();
  host_a->close();
}
