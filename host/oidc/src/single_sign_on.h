#pragma once
// Private to zhaoyin_oidc: the provider session in the browser (cookie
// "zhaoyin_sso", provider_sessions.h) as /oidc/authorize, /oidc/continue and
// /oidc/logout use it.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/oidc/provider_sessions.h>
#include <zhaoyin/store/application_repository.h>
#include "provider.h"

namespace zhaoyin::oidc {

inline constexpr const char* kSsoCookie = "zhaoyin_sso";

// Every zhaoyin_sso value the browser sent (a browser may hold several after
// path or domain changes; each is tried).
std::vector<std::string> sso_cookie_values(http::Exchange& ex);

// Set-Cookie for a new session: Path=/oidc (authorize, continue and logout
// see it, nothing else), HttpOnly, SameSite=Lax (sent on the top-level
// navigation from another relying party, not on cross-site POSTs or
// sub-resource requests), Secure when the issuer is https.
std::string sso_set_cookie(const Provider& p, const std::string& value);
std::string sso_clear_cookie(const Provider& p);

// The outcome of trying the browser's session for one relying party.
struct SilentSignOn {
  std::optional<nlohmann::json> claims;  // set when the holder passed every check for this relying party
  std::chrono::system_clock::time_point auth_time{};
  std::string refusal;  // why not, for error_description and the log (e.g. "no provider session")
};

// Finds an open session among the browser's cookies and, within `max_age`
// (OIDC Core §3.1.2.1) when given, verifies its holder again for `app` and
// `matter` exactly as a QR login would (certificate, chain, revocation,
// enterprise status, scope, matter, authorisation) — the session only stands
// for "this browser's holder scanned with this license". A holder-level
// refusal (revoked license, enterprise no longer active, grant withdrawn)
// ends every session of that license. On success the session's idle clock
// restarts.
SilentSignOn try_single_sign_on(http::Exchange& ex, const Provider& p, const store::Application& app,
                                const std::optional<std::string>& matter,
                                std::optional<std::chrono::seconds> max_age);

}  // namespace zhaoyin::oidc
