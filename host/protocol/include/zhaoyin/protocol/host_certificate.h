#pragma once
// The relying-party host certificate profile (docs/PROTOCOL.md §2.3) and the
// check a wallet makes before it shows a QR request to the holder.
//
// Every holder's license certificate chains to the same root as the host's, so
// "chains to the root" alone would let anyone with a license sign requests a
// wallet accepts and relay a victim's answer. A host certificate is therefore
// recognised by two things a license holder cannot obtain:
//   - it carries extendedKeyUsage trust::kRelyingPartyHostPurpose, and so does
//     the CA certificate that issued it (the relying-party CA — license CAs
//     never carry that purpose); and
//   - its subjectAltName names the host the wallet scanned (dNSName, compared
//     case-insensitively, or iPAddress) — so a genuine host cannot speak for
//     another host's QR codes.
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::protocol {

struct HostCertificateCheck {
  bool ok = false;
  // "ok", "untrusted_host" (no valid path to the wallet's root),
  // "not_a_host_certificate" (the leaf or its issuer lacks the profile),
  // "host_name_mismatch" (the scanned host is not named in the certificate).
  std::string code;
  std::string message;
};

// host_chain[0] is the host certificate, then its issuer (the relying-party
// CA) and any further intermediates, as in a wallet request's
// "host_certificates". `root` is the wallet's trust anchor; `scanned_host` the
// host part of the scanned QR URL (a name, an IPv4 address or a bracketed IPv6
// address; no port). Never throws.
HostCertificateCheck check_host_certificate(const std::vector<trust::Certificate>& host_chain,
                                            const trust::Certificate& root, std::string_view scanned_host,
                                            trust::TimePoint now);

// True when `cert`'s subjectAltName names `host` (dNSName, case-insensitive,
// or iPAddress; "[::1]" and "::1" both match iPAddress ::1).
bool certificate_names_host(const trust::Certificate& cert, std::string_view host);

// The host of an absolute http(s) URL ("http://127.0.0.1:8080/x" → "127.0.0.1",
// "https://[::1]/x" → "[::1]"), lower-cased; nullopt for anything else,
// including a URL with userinfo ("http://a@b/").
std::optional<std::string> url_host(std::string_view url);

}  // namespace zhaoyin::protocol
