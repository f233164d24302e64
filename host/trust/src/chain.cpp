// Certificate path building and validation against configured SM2 trust roots.
//
// The path is built here rather than with X509_STORE_CTX: OpenSSL 3.0 verifies
// each certificate's SM2 signature with the ID stored on that X509 object
// (X509_set0_distinguishing_id), and CRL signatures with no ID at all, so the
// store would need every shared certificate mutated and still could not check
// our CRLs. Building the path ourselves keeps every signature check on
// Sm2Key::verify with the explicit ID.
#include <zhaoyin/trust/chain.h>

#include <chrono>
#include <exception>
#include <ctime>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <zhaoyin/trust/error.h>

namespace zhaoyin::trust {

namespace {

// Longest path accepted, leaf and root included; real license chains have 3.
constexpr std::size_t kMaxPathLength = 8;

bool same_certificate(const Certificate& a, const Certificate& b) {
  return a.valid() && b.valid() && X509_cmp(a.native(), b.native()) == 0;
}

bool contains(const std::vector<Certificate>& list, const Certificate& cert) {
  for (const Certificate& c : list)
    if (same_certificate(c, cert)) return true;
  return false;
}

// The issuer named by `cert` could be `candidate` (names compare as RFC 5280
// canonical forms, so case and string-type differences do not matter).
bool names_issuer(const Certificate& cert, const Certificate& candidate) {
  return X509_NAME_cmp(X509_get_issuer_name(cert.native()), X509_get_subject_name(candidate.native())) == 0;
}

bool valid_at(const Certificate& cert, TimePoint at) {
  return cert.not_before() <= at && at <= cert.not_after();
}

std::string describe(const Certificate& cert) {
  return "'" + cert.subject_line() + "' (serial " + cert.serial_hex() + ")";
}
// The same, for the members of CrlRevocation (whose own describe() hides it).
std::string name_of(const Certificate& cert) { return describe(cert); }

std::string format_time(TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

ChainResult failure(std::string code, std::string message, std::vector<Certificate> path) {
  ChainResult result;
  result.ok = false;
  result.code = std::move(code);
  result.message = std::move(message);
  result.path = std::move(path);
  return result;
}

// CRLs are equally "latest" by number when both carry one, else by thisUpdate.
bool newer_or_same(const Crl& candidate, const Crl& current) {
  const long a = candidate.crl_number();
  const long b = current.crl_number();
  if (a >= 0 && b >= 0) return a >= b;
  return candidate.this_update() >= current.this_update();
}

bool same_issuer(const Crl& a, const Crl& b) {
  return X509_NAME_cmp(X509_CRL_get_issuer(a.native()), X509_CRL_get_issuer(b.native())) == 0;
}

// The outcome of one stage of validation: empty code means "passed".
using Verdict = RevocationVerdict;

Verdict check_structure(const std::vector<Certificate>& path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    const std::uint32_t flags = X509_get_extension_flags(path[i].native());
    ERR_clear_error();
    if (flags & EXFLAG_INVALID) return {"untrusted_chain", describe(path[i]) + " has invalid extensions"};
    if (flags & EXFLAG_CRITICAL)
      return {"untrusted_chain", describe(path[i]) + " has an unsupported critical extension"};
    if (i == 0) continue;
    // Every certificate above the leaf issued the one below it.
    if (!path[i].is_ca())
      return {"not_a_ca", describe(path[i]) + " is not a CA and cannot issue " + describe(path[i - 1])};
    // pathLenConstraint counts the intermediate CAs below this one.
    const long max_below = X509_get_pathlen(path[i].native());
    if (max_below >= 0 && static_cast<long>(i) - 1 > max_below)
      return {"not_a_ca", describe(path[i]) + " may not have CA certificates below it (pathlen " +
                              std::to_string(max_below) + ")"};
  }
  return {};
}

Verdict check_validity(const std::vector<Certificate>& path, TimePoint at) {
  for (const Certificate& cert : path) {
    if (at < cert.not_before())
      return {"cert_not_yet_valid", describe(cert) + " is valid from " + format_time(cert.not_before())};
    if (at > cert.not_after())
      return {"cert_expired", describe(cert) + " expired at " + format_time(cert.not_after())};
  }
  return {};
}

// What the revocation source threw, carried past verify()'s catch-all
// (deliberately not a std::exception).
struct SourceFailure {
  std::exception_ptr error;
};

}  // namespace

RevocationVerdict CrlRevocation::check(const Certificate& subject, const Certificate& issuer, TimePoint at,
                                       bool required) const {
  const Crl* crl = nullptr;
  for (const Crl& candidate : crls_)
    if (X509_NAME_cmp(X509_CRL_get_issuer(candidate.native()), X509_get_subject_name(issuer.native())) == 0)
      crl = &candidate;
  if (!crl) {
    if (!required) return {};
    return {"crl_missing", "no CRL from " + name_of(issuer) + " to check " + name_of(subject)};
  }
  if (!crl->signed_by(issuer)) return {"crl_invalid", "the CRL of " + name_of(issuer) + " is not signed by its key"};
  const std::uint32_t usage = X509_get_key_usage(issuer.native());
  ERR_clear_error();
  if (!(usage & KU_CRL_SIGN))  // all bits are set when keyUsage is absent
    return {"crl_invalid", name_of(issuer) + " may not sign CRLs (keyUsage lacks cRLSign)"};
  if (at < crl->this_update())
    return {"crl_invalid", "the CRL of " + name_of(issuer) + " is only valid from " + format_time(crl->this_update())};
  if (!crl->has_next_update()) return {"crl_invalid", "the CRL of " + name_of(issuer) + " has no nextUpdate"};
  if (at > crl->next_update())
    return {"crl_expired", "the CRL of " + name_of(issuer) + " expired at " + format_time(crl->next_update())};
  // A listed certificate is refused whatever its revocation date: the CRL
  // is current at `at`, and a key once compromised proves nothing after.
  if (const auto entry = crl->find(subject.serial_hex()))
    return {"cert_revoked", name_of(subject) + " was revoked at " + format_time(entry->revoked_at) + " (reason " +
                                std::to_string(entry->reason) + ")"};
  return {};
}

std::string TrustStore::revocation_description() const {
  return source_ ? source_->describe() : CrlRevocation(crls_).describe();
}

void TrustStore::add_root(const Certificate& root) {
  if (root.valid() && !contains(roots_, root)) roots_.push_back(root);
}

void TrustStore::add_intermediate(const Certificate& ca) {
  if (ca.valid() && !contains(intermediates_, ca)) intermediates_.push_back(ca);
}

void TrustStore::add_crl(const Crl& crl) {
  if (!crl.valid()) return;
  for (Crl& existing : crls_) {
    if (!same_issuer(existing, crl)) continue;
    if (newer_or_same(crl, existing)) existing = crl;
    return;
  }
  crls_.push_back(crl);
}

ChainResult TrustStore::verify(const Certificate& leaf, TimePoint at, bool require_crl) const {
  std::vector<Certificate> path;
  try {
    if (!leaf.valid()) return failure("untrusted_chain", "no certificate to verify", {});
    path.push_back(leaf);

    // 1. Build leaf -> ... -> root, choosing at each step an issuer whose key
    //    verifies the signature (preferring one valid at `at`), trusted roots first.
    while (!contains(roots_, path.back())) {
      const Certificate current = path.back();
      if (path.size() >= kMaxPathLength)
        return failure("untrusted_chain", "no trusted root within " + std::to_string(kMaxPathLength) +
                                              " certificates of " + describe(leaf), path);
      std::vector<Certificate> named;
      for (const auto* pool : {&roots_, &intermediates_})
        for (const Certificate& candidate : *pool)
          if (names_issuer(current, candidate) && !contains(path, candidate)) named.push_back(candidate);
      if (named.empty()) {
        const bool self_issued = names_issuer(current, current);
        return failure("untrusted_chain",
                       self_issued ? describe(current) + " is self-issued but not a trusted root"
                                   : "no issuer of " + describe(current) + " in the trust store",
                       path);
      }
      const Certificate* chosen = nullptr;
      for (const Certificate& candidate : named) {
        if (!current.signed_by(candidate)) continue;
        if (!chosen) chosen = &candidate;
        if (valid_at(candidate, at)) {
          chosen = &candidate;
          break;
        }
      }
      // A self-signed certificate no trusted root vouches for ends the path
      // as untrusted; anything else whose issuer's key disagrees is forged.
      if (!chosen && names_issuer(current, current) && current.signed_by(current))
        return failure("untrusted_chain", describe(current) + " is self-signed but not a trusted root", path);
      if (!chosen)
        return failure("bad_signature", "the signature on " + describe(current) +
                                            " does not verify with the key of " + describe(named.front()),
                       path);
      path.push_back(*chosen);
    }

    // 2. Issuers are CAs within their path length; no unknown critical extensions.
    if (Verdict v = check_structure(path); !v.passed()) return failure(v.code, v.message, path);

    // 3. Every certificate, root included, is within its validity window at `at`.
    if (Verdict v = check_validity(path, at); !v.passed()) return failure(v.code, v.message, path);

    // 4. Every certificate below the root: its revocation status, by default
    //    from its issuer's CRL. What an installed source throws is carried out
    //    of the catch below untouched (the caller fails closed on it).
    const CrlRevocation own_crls(crls_);
    const RevocationSource& source = source_ ? *source_ : own_crls;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      RevocationVerdict v;
      try {
        v = source.check(path[i], path[i + 1], at, require_crl);
      } catch (...) {
        throw SourceFailure{std::current_exception()};
      }
      if (!v.passed()) return failure(v.code, v.message, path);
    }

    ChainResult result;
    result.ok = true;
    result.code = "ok";
    result.message = describe(leaf) + " chains to trusted root " + describe(path.back());
    result.path = std::move(path);
    return result;
  } catch (const SourceFailure& f) {
    std::rethrow_exception(f.error);
  } catch (const std::exception& e) {
    // Unparsable fields (times, names) in an input certificate: refuse, never throw.
    ERR_clear_error();
    return failure("untrusted_chain", std::string("certificate path could not be checked: ") + e.what(),
                   std::move(path));
  }
}

}  // namespace zhaoyin::trust
