#pragma once
// The host's settings, read from a Poco configuration (config/zhaoyin.properties
// plus command-line overrides) and validated in one place. Every problem is a
// ConfigError whose message names the setting (or the option that set it).
#include <chrono>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>
#include <zhaoyin/cluster/redis.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/http/callback_policy.h>
#include <zhaoyin/http/attempt_throttle.h>
#include <zhaoyin/http/log.h>
#include <zhaoyin/http/server.h>
#include <zhaoyin/oidc/provider_sessions.h>
#include <zhaoyin/store/database.h>

namespace Poco::Util {
class AbstractConfiguration;
}

namespace zhaoyin::app {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HostConfig {
  http::ServerSettings server;                 // http.host, http.port, http.max_threads, ...
  std::size_t max_body_bytes = 1024 * 1024;    // http.max_body_bytes
  store::DatabaseSettings store;               // store.driver, store.data_dir, store.max_sessions, store.postgresql
  cluster::RedisSettings redis;                // redis.host, redis.port, redis.prefix, redis.timeout_ms (empty host: none)
  std::string authority_driver = "sandbox";    // authority.driver: sandbox | http | none
  std::filesystem::path sandbox_dir;           // authority.sandbox_dir (empty: no authority)
  std::chrono::seconds authority_refresh{60};  // authority.refresh_seconds (1 to 86400)
  std::chrono::seconds seal_feed_interval{30};  // authority.seal_feed_seconds (1 to 86400): seal watches' feed reads
  // authority.* of the http driver (docs/AUTHORITY.md, "The host's http connector").
  std::string authority_url;                   // authority.url (required with driver http)
  std::filesystem::path authority_ca_file;     // authority.ca_file: https: CAs to trust (PEM; empty: the system's store)
  std::filesystem::path authority_root;        // authority.root_certificate (empty: <sandbox>/authority/root.pem)
  std::chrono::milliseconds authority_timeout{5000};      // authority.timeout_ms (100 to 120000)
  int authority_retries = 2;                              // authority.retries (0 to 10)
  std::chrono::milliseconds authority_backoff{200};       // authority.retry_backoff_ms (0 to 60000)
  std::chrono::seconds authority_max_freshness{300};      // authority.max_freshness_seconds (0 to 86400)
  std::chrono::seconds authority_grace{900};              // authority.grace_seconds (0 to 604800)
  std::string authority_certificate_status = "crl";       // authority.certificate_status: crl | ocsp (http driver)
  std::chrono::seconds token_ttl{3600};        // oauth.token_ttl_seconds
  int login_max_renewals = 3;                  // login.max_renewals (0 to 20)
  std::string public_url;                      // http.public_url (empty: http://<http.host>:<port>)
  std::filesystem::path identity_certificate;  // identity.certificate_file (empty: <sandbox>/authority/host.pem)
  std::filesystem::path identity_key;          // identity.key_file (empty: <sandbox>/authority/host.key)
  http::LogLevel log_level = http::LogLevel::Info;  // log.level
  std::filesystem::path plugins_dir;           // plugins.dir (empty: <binary dir>/../lib/zhaoyin/plugins)
  std::filesystem::path scripts_dir;           // scripts.dir (default "scripts": the department Lua scripts)
  // access.review_stages: the access review's stages (access/review_stages.h),
  // checked here; empty: 受理 → 技术服务方确认 → 业务指导部门 → 系统运维部门.
  std::string review_stages;
  http::HostSettings::ScriptLimits script_limits;  // scripts.instructions_per_call, time_per_call_ms, memory_bytes, ...
  std::filesystem::path admin_token_file;      // admin.token_file: the operator API token
                                               // (empty: <sandbox>/admin/operator-token when it exists)
  http::CallbackSettings callbacks;            // callbacks.allow_http, callbacks.allow, callbacks.pinned_ca_dir,
                                               // callbacks.*_timeout_seconds, callbacks.workers, callbacks.max_attempts,
                                               // callbacks.retry_base_seconds, callbacks.retry_max_seconds
  std::vector<std::string> trusted_proxies;    // http.trusted_proxies: comma-separated IP addresses
  // signing.timestamp.*: RFC 3161 time-stamps on seal signatures (docs/SEALS.md, "Long-term validation").
  std::string timestamp_url;                   // signing.timestamp.url (empty: none; http:// only)
  std::chrono::seconds timestamp_timeout{10};  // signing.timestamp.timeout_seconds (1 to 120)
  bool timestamp_required = true;              // signing.timestamp.required
  std::filesystem::path timestamp_trust_anchors;  // signing.timestamp.trust_anchors (PEM; empty: <sandbox>/authority/root.pem)
  // throttle.*: staff sign-in and client authentication (the same numbers for both).
  http::CredentialGuardPolicy throttle;
  // oidc.sso.*: single sign-on across relying parties (off unless enabled).
  oidc::SsoOptions sso;
};

// `sources` maps a key to where its value came from (e.g. "http.port" ->
// "--port") so messages name what the operator typed.
HostConfig load_host_config(const Poco::Util::AbstractConfiguration& config,
                            const std::map<std::string, std::string>& sources = {});

}  // namespace zhaoyin::app
