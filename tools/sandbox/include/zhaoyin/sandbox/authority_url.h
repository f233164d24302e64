#pragma once
// Where the sandbox authority service (`zhaoyin authority serve`,
// docs/AUTHORITY.md) publishes what the certificates point at. The URLs are
// written into the certificates' CRL distribution points (RFC 5280
// §4.2.1.13) at `sandbox init`, so they are fixed for the sandbox's lifetime;
// the base is kept in sandbox.json ("authority"."url").
#include <string>

namespace zhaoyin::sandbox {

// The base URL when `sandbox init` is given none.
inline constexpr const char* kDefaultAuthorityUrl = "http://127.0.0.1:8090";

// Checks a base URL: http:// or https://, printable ASCII, no query or
// fragment; returns it without a trailing '/'. Throws SandboxError otherwise.
std::string normalise_authority_url(const std::string& base);

// The CRL of an issuing CA ("42") or of the root ("root"): BASE/crl/<name>.crl.
std::string crl_url(const std::string& base, const std::string& ca_name);
// The path part alone ("/crl/42.crl"), what the service routes on.
std::string crl_path(const std::string& ca_name);

}  // namespace zhaoyin::sandbox
