#pragma once
// The interface Zhaoyin uses to talk to an issuing authority: the national
// platform behind the real license wallets, or the sandbox authority that ships
// with Zhaoyin. Everything the host needs to know about licenses, holders,
// certificates, revocation and seals comes through here, so the rest of the
// host never reads an authority's files or calls its services directly.
//
// Implementations are shared between request threads: every const method must
// be safe to call concurrently, including while reload() runs.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>
#include <zhaoyin/authority/permit.h>
#include <zhaoyin/domain/license.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::authority {

// Raised when an authority's records cannot be loaded or are inconsistent.
// The message names the file (or service) at fault.
class AuthorityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Raised by a networked connector while verifying: the authority cannot be
// asked (down, slow, or its answers do not verify) and no answer it gave is
// still within its freshness plus the grace period. Verification fails closed:
// the HTTP edge answers 503 authority_unavailable, never a 500 or a pass.
class AuthorityUnavailable : public AuthorityError {
 public:
  using AuthorityError::AuthorityError;
};

// How a connector is doing, for /healthz and /metrics. A file-based connector
// is always "ok" and counts nothing.
struct ConnectorHealth {
  std::string state = "ok";         // ok | degraded (serving cached answers) | unavailable
  std::string last_error;           // the last failure, empty if none since the last success
  std::string last_success_at;      // YYYY-MM-DDTHH:MM:SSZ of the last answer received, empty if none
  std::uint64_t requests = 0;       // requests sent to the authority (each retry counts)
  std::uint64_t failures = 0;       // requests that failed (network, timeout, 5xx, bad signature, ...)
  std::uint64_t cache_hits = 0;     // answers served from the cache while fresh
  std::uint64_t shared_hits = 0;    // answers another host fetched, taken from the shared cache (Redis)
  std::uint64_t stale_answers = 0;  // answers served past their freshness, within the grace period
  std::uint64_t unavailable = 0;    // verifications refused with authority_unavailable
};

enum class CertificateState { Good, Revoked, Unknown };
std::string to_string(CertificateState s);  // "good" | "revoked" | "unknown"

struct RevocationStatus {
  CertificateState state = CertificateState::Unknown;
  std::optional<trust::TimePoint> revoked_at;  // set when revoked
  std::string reason;                           // authority's text, e.g. "key_compromise"
};

// The authority's signed statement that the legal representative authorised a holder.
struct Grant {
  std::string payload;             // base64url of the grant JSON (exact signed bytes)
  std::string signature;           // base64 DER SM2 signature over the payload bytes
  std::string signer_cert_serial;  // the legal representative's license serial (HEX)
};

struct HolderRecord {
  std::string uscc;                 // the enterprise whose license this holder holds
  std::string name;
  domain::HolderRole role = domain::HolderRole::LegalRepresentative;
  std::string cert_serial;          // upper-case hex
  trust::Certificate certificate;
  domain::Authorisation authorisation;
  std::optional<Grant> grant;       // absent for the legal representative
};

struct SealRecord {
  std::string uscc;
  std::string es_id;
  std::string type;        // company | finance | contract | invoice | legal_rep
  std::string type_label;  // 法定名称章, ...
  std::string name;
  trust::Bytes seal_der;   // GB/T 38540 SESeal
  trust::Bytes image_png;  // impression image (may be empty)
};

// One entry of the authority's seal-change feed (印章变动), oldest first by seq.
struct SealChange {
  std::int64_t seq = 0;  // increases by one per change, never reused
  std::string event;     // new | replaced | revoked
  std::string es_id;     // the seal the change is about
  std::string uscc;      // its enterprise
  std::string related;   // replaced: the new seal's code; new by replacement: the old one; else empty
  std::string at;        // when the authority recorded it, YYYY-MM-DDTHH:MM:SSZ
};

// A page of the feed after a cursor: `next` is the cursor for the next page
// (the last seq returned, or the cursor asked for when nothing followed it).
struct SealChangePage {
  std::vector<SealChange> changes;
  std::int64_t next = 0;
  bool more = false;  // further changes follow `next`
};

class AuthorityConnector {
 public:
  virtual ~AuthorityConnector() = default;
  AuthorityConnector() = default;
  AuthorityConnector(const AuthorityConnector&) = delete;
  AuthorityConnector& operator=(const AuthorityConnector&) = delete;

  // Short identifier shown in /healthz and logs, e.g. "sandbox" or "http".
  virtual std::string name() const = 0;

  // Roots, issuing CAs and the current CRLs, ready for chain validation.
  virtual trust::TrustStore trust_store() const = 0;

  // A certificate the authority issued, by serial (upper-case hex; lower case accepted).
  virtual std::optional<trust::Certificate> find_certificate(const std::string& serial_hex) const = 0;

  // Revocation state of a certificate the authority issued; Unknown if it never issued it.
  virtual RevocationStatus revocation_status(const std::string& serial_hex) const = 0;

  // The face info of a license by USCC.
  virtual std::optional<domain::FaceInfo> find_license(const std::string& uscc) const = 0;

  // The holder whose license certificate has this serial.
  virtual std::optional<HolderRecord> find_holder(const std::string& cert_serial_hex) const = 0;

  // All holders of an enterprise (legal representative first); empty if unknown.
  virtual std::vector<HolderRecord> holders_of(const std::string& uscc) const = 0;

  // The enterprise's seals; empty if unknown.
  virtual std::vector<SealRecord> seals_of(const std::string& uscc) const = 0;

  // The enterprise's associated permits (关联证照), in the authority's order,
  // each with its status on the day asked; empty if unknown or none.
  virtual std::vector<PermitRecord> permits_of(const std::string& uscc) const = 0;

  // The USCC of the enterprise registered under exactly this name (the
  // license face's 名称), if the authority has one.
  virtual std::optional<std::string> find_uscc_by_name(const std::string& name) const = 0;

  // The seal-change feed after `since` (at most `limit` changes), or nullopt
  // when this authority publishes no feed. Throws AuthorityUnavailable when it
  // does but cannot be asked now.
  virtual std::optional<SealChangePage> seal_changes(std::int64_t /*since*/, std::size_t /*limit*/) const {
    return std::nullopt;
  }

  // Re-reads the authority's records (new CRLs, new enterprises). On failure
  // the previous records stay in use and AuthorityError is thrown.
  virtual void reload() = 0;

  // The connector's state and counters (see ConnectorHealth).
  virtual ConnectorHealth health() const { return {}; }
};

// Upper-cases a serial and checks it is non-empty hex; nullopt otherwise.
std::optional<std::string> normalise_serial(const std::string& serial_hex);

}  // namespace zhaoyin::authority
