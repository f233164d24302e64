#include "single_sign_on.h"

#include <Poco/Net/NameValueCollection.h>
#include <set>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/oidc/claims.h>
#include <zhaoyin/verification/relying_party.h>
#include <zhaoyin/verification/subject_verifier.h>

namespace zhaoyin::oidc {

namespace {

using Clock = std::chrono::system_clock;

// Refusals about the holder, not about this relying party: after one of these
// the session stands for nobody any more. (out_of_scope, matter_not_approved,
// matter_not_covered concern one relying party; revocation_unavailable is the
// authority's state, not the holder's.)
bool holder_level(const std::string& code) {
  static const std::set<std::string> codes = {
      "unknown_license",      "untrusted_chain",       "license_not_yet_valid", "license_expired",
      "license_revoked",      "enterprise_not_active", "authorisation_missing", "bad_grant",
      "authorisation_superseded", "authorisation_expired"};
  return codes.count(code) > 0;
}

std::string cookie_attributes(const Provider& p) {
  std::string a = "; Path=/oidc; HttpOnly; SameSite=Lax";
  if (p.issuer().rfind("https://", 0) == 0) a += "; Secure";
  return a;
}

// Runs every check of a QR login again for this relying party.
SilentSignOn verify_again(http::Exchange& ex, const Provider& p, const store::Application& app,
                          const std::optional<std::string>& matter, ProviderSessionRepository& sessions,
                          const ProviderSession& session, Clock::time_point now) {
  SilentSignOn out;
  const auto& authority = *p.host->authority;
  const auto certificate = authority.find_certificate(session.license_serial);
  const auto holder = authority.find_holder(session.license_serial);
  if (!certificate || !holder) {
    sessions.end_all_of(session.license_serial, now);
    out.refusal = "unknown_license: the authority no longer knows the session's license";
    return out;
  }
  // The grant the authority holds now: the same one a fresh QR login would
  // have to present (verify_subject refuses any other).
  nlohmann::json grant = nullptr;
  if (holder->grant)
    grant = {{"payload", holder->grant->payload},
             {"signature", holder->grant->signature},
             {"signer_cert_serial", holder->grant->signer_cert_serial}};
  verification::Check session_check{"session", true, "ok",
                                    "provider session from a QR login at " +
                                        std::to_string(Clock::to_time_t(session.auth_time))};
  verification::SubjectEvidence evidence{*certificate, grant, matter, now, {session_check}};
  try {
    const auto subject = verification::verify_subject(authority, verification::relying_party_of(app), evidence);
    out.claims = identity_claims(subject.to_json());
  } catch (const verification::VerificationFailed& e) {
    if (holder_level(e.code())) sessions.end_all_of(session.license_serial, now);
    p.host->log->info("oidc: single sign-on refused", {{"request_id", ex.request_id()},
                                                       {"client_id", app.client_id},
                                                       {"code", e.code()}});
    out.refusal = e.code() + ": " + e.what();
    return out;
  } catch (const std::invalid_argument& e) {
    out.refusal = std::string("the verified subject is incomplete: ") + e.what();
    return out;
  }
  sessions.touch(session.id, now);
  out.auth_time = session.auth_time;
  return out;
}

}  // namespace

std::vector<std::string> sso_cookie_values(http::Exchange& ex) {
  Poco::Net::NameValueCollection cookies;
  ex.request().getCookies(cookies);
  std::vector<std::string> out;
  for (const auto& [name, value] : cookies) {
    if (name == kSsoCookie && !value.empty() && out.size() < 4) out.push_back(value);
  }
  return out;
}

std::string sso_set_cookie(const Provider& p, const std::string& value) {
  return std::string(kSsoCookie) + "=" + value + "; Max-Age=" + std::to_string(p.options.sso.max_age.count()) +
         cookie_attributes(p);
}

std::string sso_clear_cookie(const Provider& p) {
  return std::string(kSsoCookie) + "=; Max-Age=0" + cookie_attributes(p);
}

SilentSignOn try_single_sign_on(http::Exchange& ex, const Provider& p, const store::Application& app,
                                const std::optional<std::string>& matter,
                                std::optional<std::chrono::seconds> max_age) {
  SilentSignOn out;
  if (!p.options.sso.enabled) {
    out.refusal = "single sign-on is not enabled on this provider";
    return out;
  }
  if (!p.host->authority) {
    out.refusal = "no authority to verify the holder with";
    return out;
  }
  ProviderSessionRepository sessions(*p.host->db);
  const auto now = Clock::now();
  std::optional<ProviderSession> session;
  for (const auto& value : sso_cookie_values(ex)) {
    session = sessions.find_open(value, p.options.sso.idle, now);
    if (session) break;
  }
  if (!session) {
    out.refusal = "no provider session in this browser (none, ended, expired or idle too long)";
    return out;
  }
  if (max_age && now - session->auth_time > *max_age) {
    out.refusal = "the holder's QR login is older than max_age";
    return out;
  }

  try {
    return verify_again(ex, p, app, matter, sessions, *session, now);
  } catch (const authority::AuthorityError& e) {
    out.refusal = std::string("the authority cannot answer: ") + e.what();
    return out;
  }
}

}  // namespace zhaoyin::oidc
