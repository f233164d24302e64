#pragma once
// What handlers share: settings, the store, the authority connector, metrics
// and the log. Built once by the application (or a test) and handed to every
// handler factory as a shared_ptr; everything in it is thread-safe.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/flow/event_bus.h>
#include <zhaoyin/flow/extensions.h>
#include <zhaoyin/flow/host_identity.h>
#include <zhaoyin/http/callback_policy.h>
#include <zhaoyin/http/attempt_throttle.h>
#include <zhaoyin/http/log.h>
#include <zhaoyin/http/metrics.h>
#include <zhaoyin/quota/usage_gate.h>
#include <zhaoyin/store/database.h>

namespace zhaoyin::http {

struct HostSettings {
  std::size_t max_body_bytes = 1024 * 1024;        // http.max_body_bytes
  std::chrono::seconds token_ttl{3600};           // oauth.token_ttl_seconds
  std::string version = "0.0.0";                   // build version, for /healthz and zhaoyin_build_info
  // Where wallets and browsers reach this host (http.public_url; by default
  // http://<http.host>:<bound port>). QR texts and page links start with it.
  std::string public_url;
  std::chrono::seconds authority_refresh{60};  // authority.refresh_seconds: re-read CRLs and records
  // authority.seal_feed_seconds: how often the seal-change feed is read for
  // seal watches (signing/src/seal_watch.h).
  std::chrono::seconds seal_feed_interval{30};
  std::string plugins_dir;          // plugins.dir, resolved: where department plugins are loaded from
  std::string scripts_dir;          // scripts.dir: the integrators' Lua scripts
  // scripts.*: the Lua sandbox's limits (docs/SCRIPTING.md, "The sandbox").
  struct ScriptLimits {
    std::uint64_t instructions_per_call = 20'000'000;  // scripts.instructions_per_call
    std::uint64_t time_per_call_ms = 5000;             // scripts.time_per_call_ms
    std::size_t memory_bytes = 32u * 1024 * 1024;      // scripts.memory_bytes
    std::size_t string_bytes = 4u * 1024 * 1024;       // scripts.string_bytes
    std::size_t states_per_application = 4;            // scripts.states_per_application
  } script_limits;
  // SHA-256 (hex) of the operator API token (admin.token_file); empty: the
  // admin API refuses everyone. See authenticate_operator in auth.h.
  std::string admin_token_sha256;
  // The sandbox authority's folder when one is loaded (authority.sandbox_dir),
  // e.g. for the demo staff accounts in <sandbox>/admin/; empty otherwise.
  std::string sandbox_dir;
  // Relying-party callbacks: destination policy, TLS trust, timeouts, retries
  // (callbacks.*; see callback_policy.h and callback_dispatcher.h).
  CallbackSettings callbacks;
  // Reverse proxies whose X-Forwarded-For is believed (http.trusted_proxies;
  // literal IP addresses). See client_source.h.
  std::vector<std::string> trusted_proxies;
  // signing.timestamp.*: RFC 3161 time-stamps on seal signatures (docs/SEALS.md,
  // "Long-term validation").
  struct Timestamping {
    std::string url;                      // signing.timestamp.url: the TSA (http://); empty: no time-stamps
    std::chrono::seconds timeout{10};     // signing.timestamp.timeout_seconds
    bool required = true;                 // signing.timestamp.required: refuse to sign without one
    // signing.timestamp.trust_anchors: the certificates a TSA must chain to
    // (also used to verify time-stamps on reports when url is empty).
    std::vector<trust::Certificate> trust_anchors;
  } timestamp;
};

struct HostContext {
  HostSettings settings;
  std::shared_ptr<store::Database> db;
  std::shared_ptr<authority::AuthorityConnector> authority;  // null when none is configured
  std::shared_ptr<Metrics> metrics;
  std::shared_ptr<JsonLog> log;
  std::shared_ptr<flow::EventBus> events;               // wakes long-polls, SSE streams and hosted pages
  std::shared_ptr<const flow::HostIdentity> identity;   // signs wallet requests; null when none is configured
  // Plugins and scripts at the flow points (never null; empty until sources are added).
  std::shared_ptr<flow::Extensions> extensions = std::make_shared<flow::Extensions>();
  // Each application's declared peak rate and annual volume (null: not enforced,
  // e.g. in unit tests that build a context by hand).
  std::shared_ptr<quota::UsageGate> usage;
  // Slow down guessing (attempt_throttle.h): staff passwords on /admin/login;
  // client secrets on /oauth/token and /oidc/token (one guard: the same secrets).
  std::shared_ptr<CredentialGuard> staff_sign_in_guard = std::make_shared<CredentialGuard>();
  std::shared_ptr<CredentialGuard> client_auth_guard = std::make_shared<CredentialGuard>();

  std::string authority_name() const { return authority ? authority->name() : "none"; }
};

// The build's version (the CMake project version).
std::string build_version();

}  // namespace zhaoyin::http
