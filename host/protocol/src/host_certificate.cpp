#include <zhaoyin/protocol/host_certificate.h>

#include <algorithm>
#include <cctype>
#include <arpa/inet.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::protocol {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

HostCertificateCheck refused(std::string code, std::string message) { return {false, std::move(code), std::move(message)}; }

// The binary form of an IP literal (IPv6 without its brackets), or empty.
std::string ip_bytes(std::string_view text) {
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  unsigned char raw[16];
  if (inet_pton(AF_INET, s.c_str(), raw) == 1) return std::string(reinterpret_cast<char*>(raw), 4);
  if (inet_pton(AF_INET6, s.c_str(), raw) == 1) return std::string(reinterpret_cast<char*>(raw), 16);
  return {};
}

}  // namespace

bool certificate_names_host(const trust::Certificate& cert, std::string_view scanned_host) try {
  const std::string ip = ip_bytes(scanned_host);
  if (!ip.empty()) {
    for (const auto& a : cert.ip_addresses())
      if (ip_bytes(a) == ip) return true;
    return false;
  }
  // RFC 6125 §6.4.1: DNS names compare case-insensitively; no wildcards in this profile.
  const std::string host = lower(scanned_host);
  for (const auto& name : cert.dns_names())
    if (lower(name) == host) return true;
  return false;
} catch (const trust::TrustError&) {
  return false;  // an undecodable subjectAltName names nothing
}

HostCertificateCheck check_host_certificate(const std::vector<trust::Certificate>& host_chain,
                                            const trust::Certificate& root, std::string_view scanned_host,
                                            trust::TimePoint now) {
  try {
    if (host_chain.empty() || !host_chain.front().valid()) return refused("untrusted_host", "no host certificate");
    // The path uses only the host's own intermediates: a wallet's license CA
    // must never be able to stand in for the relying-party CA.
    trust::TrustStore store;
    store.add_root(root);
    for (std::size_t i = 1; i < host_chain.size(); ++i) store.add_intermediate(host_chain[i]);
    const auto path = store.verify(host_chain.front(), now, /*require_crl=*/false);
    if (!path.ok) return refused("untrusted_host", path.message);

    const trust::Certificate& leaf = host_chain.front();
    if (leaf.is_ca() || !leaf.has_extended_key_usage(trust::kRelyingPartyHostPurpose))
      return refused("not_a_host_certificate",
                     leaf.subject_line() + " is not a relying-party host certificate (no relying-party host purpose)");
    if (path.path.size() < 2) return refused("not_a_host_certificate", "the host certificate is not issued by a CA");
    const trust::Certificate& issuer = path.path[1];
    if (issuer.der() == root.der() || !issuer.has_extended_key_usage(trust::kRelyingPartyHostPurpose))
      return refused("not_a_host_certificate",
                     "the host certificate is issued by " + issuer.subject_line() + ", which is not a relying-party CA");
    if (!certificate_names_host(leaf, scanned_host))
      return refused("host_name_mismatch", "the host certificate does not name " + std::string(scanned_host));
    return {true, "ok", "relying-party host certificate for " + std::string(scanned_host)};
  } catch (const trust::TrustError& e) {
    return refused("untrusted_host", std::string("malformed host certificate: ") + e.what());
  }
}

namespace {

// RFC 3986 §3.2.2, narrowed to what a host certificate can name: a DNS name
// or IPv4 address of letters, digits, '-' and '.' (no percent-encoding, no
// sub-delims, no raw non-ASCII: an IDN arrives as its A-label), or an IP
// literal in brackets of hex digits, ':' and '.' (IPv6, an embedded IPv4).
bool plain_host(std::string_view h) {
  return !h.empty() && std::all_of(h.begin(), h.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
  });
}

bool ip_literal(std::string_view h) {
  return h.size() > 2 && h.find(':') != std::string_view::npos && std::all_of(h.begin(), h.end(), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
  });
}

// §3.2.3: port = *DIGIT; we also bound it to a TCP port.
bool valid_port(std::string_view p) {
  if (p.empty()) return true;
  if (p.size() > 5 || !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return std::stoul(std::string(p)) <= 65535;
}

}  // namespace

std::optional<std::string> url_host(std::string_view url) {
  std::size_t start = 0;
  if (url.substr(0, 7) == "http://") start = 7;
  else if (url.substr(0, 8) == "https://") start = 8;
  else return std::nullopt;
  const std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
  const std::string_view authority = url.substr(start, end - start);
  // No userinfo (and nothing a browser would read as another separator: '\'
  // and any other character outside the host grammar fail below).
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view host = authority, port;
  if (host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    if (!rest.empty()) port = rest.substr(1);
    if (!ip_literal(host.substr(1, host.size() - 2))) return std::nullopt;
  } else {
    if (const auto colon = host.find(':'); colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
    }
    if (!plain_host(host)) return std::nullopt;
  }
  if (!valid_port(port)) return std::nullopt;
  return lower(host);
}

}  // namespace zhaoyin::protocol
