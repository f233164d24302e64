#include <zhaoyin/app/host_config.h>

#include <Poco/Util/AbstractConfiguration.h>
#include <charconv>
#include <zhaoyin/access/review_stages.h>
#include <zhaoyin/http/client_source.h>

namespace zhaoyin::app {

namespace {

class Reader {
 public:
  Reader(const Poco::Util::AbstractConfiguration& config, const std::map<std::string, std::string>& sources)
      : config_(config), sources_(sources) {}

  std::string text(const std::string& key, const std::string& fallback) const {
    return config_.has(key) ? config_.getString(key) : fallback;
  }

  long long number(const std::string& key, long long fallback, long long min, long long max) const {
    if (!config_.has(key)) return fallback;
    const std::string raw = config_.getString(key);
    long long value = 0;
    const auto* first = raw.data();
    const auto* last = raw.data() + raw.size();
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (raw.empty() || ec == std::errc::invalid_argument || ptr != last)
      throw ConfigError(name(key) + ": '" + raw + "' is not a whole number");
    if (ec == std::errc::result_out_of_range || value < min || value > max)
      throw ConfigError(name(key) + ": " + raw + " is out of range (" + std::to_string(min) + " to " +
                        std::to_string(max) + ")");
    return value;
  }

  std::string name(const std::string& key) const {
    const auto it = sources_.find(key);
    return it == sources_.end() ? "setting " + key : "option " + it->second;
  }

 private:
  const Poco::Util::AbstractConfiguration& config_;
  const std::map<std::string, std::string>& sources_;
};

}  // namespace

HostConfig load_host_config(const Poco::Util::AbstractConfiguration& config,
                            const std::map<std::string, std::string>& sources) {
  const Reader r(config, sources);
  HostConfig c;

  c.server.host = r.text("http.host", "127.0.0.1");
  if (c.server.host.empty()) throw ConfigError(r.name("http.host") + " is empty");
  c.server.port = static_cast<int>(r.number("http.port", 8080, 0, 65535));
  c.server.max_threads = static_cast<int>(r.number("http.max_threads", 64, 1, 1024));
  c.server.max_queued = static_cast<int>(r.number("http.max_queued", 64, 1, 65535));
  c.server.timeout_seconds = static_cast<int>(r.number("http.timeout_seconds", 60, 1, 3600));
  c.server.keep_alive_seconds = static_cast<int>(r.number("http.keep_alive_seconds", 10, 1, 3600));
  c.server.header_timeout_seconds = static_cast<int>(r.number("http.header_timeout_seconds", 10, 1, 600));
  c.server.body_timeout_seconds = static_cast<int>(r.number("http.body_timeout_seconds", 30, 1, 3600));
  c.server.max_header_bytes = static_cast<int>(r.number("http.max_header_bytes", 32768, 1024, 1 << 20));
  c.server.max_header_fields = static_cast<int>(r.number("http.max_header_fields", 100, 8, 100));
  c.server.max_connections = static_cast<int>(r.number("http.max_connections", 1024, 1, 65536));
  c.server.max_connections_per_peer = static_cast<int>(r.number("http.max_connections_per_peer", 32, 1, 65536));
  c.server.preread_body_bytes = static_cast<int>(r.number("http.preread_body_bytes", 65536, 0, 16 << 20));
  c.max_body_bytes = static_cast<std::size_t>(r.number("http.max_body_bytes", 1024 * 1024, 1, 1LL << 31));
  c.public_url = r.text("http.public_url", "");
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  if (!c.public_url.empty() && c.public_url.rfind("http://", 0) != 0 && c.public_url.rfind("https://", 0) != 0)
    throw ConfigError(r.name("http.public_url") + ": '" + c.public_url + "' is not an http:// or https:// URL");

  c.store.driver = r.text("store.driver", "sqlite");
  if (c.store.driver != "sqlite" && c.store.driver != "postgresql")
    throw ConfigError(r.name("store.driver") + ": '" + c.store.driver +
                      "' is not supported (supported: sqlite, postgresql)");
  c.store.postgresql = r.text("store.postgresql", "");
  if (c.store.driver == "postgresql" && c.store.postgresql.empty())
    throw ConfigError(r.name("store.postgresql") +
                      " is empty: the postgresql driver needs a connection string (host=... dbname=... user=...)");
  c.redis.host = r.text("redis.host", "");
  c.redis.port = static_cast<int>(r.number("redis.port", 6379, 1, 65535));
  c.redis.prefix = r.text("redis.prefix", "zhaoyin:");
  c.redis.timeout_ms = static_cast<int>(r.number("redis.timeout_ms", 2000, 50, 60000));
  c.store.data_dir = r.text("store.data_dir", "var/data");
  if (c.store.data_dir.empty()) throw ConfigError(r.name("store.data_dir") + " is empty");
  c.store.max_sessions = static_cast<int>(r.number("store.max_sessions", 16, 1, 1024));
  c.store.credential_cache_ms = static_cast<int>(r.number("store.credential_cache_ms", 1000, 0, 60000));

  c.authority_driver = r.text("authority.driver", "sandbox");
  if (c.authority_driver != "sandbox" && c.authority_driver != "http" && c.authority_driver != "none")
    throw ConfigError(r.name("authority.driver") + ": '" + c.authority_driver +
                      "' is not supported (sandbox, http, none)");
  c.sandbox_dir = r.text("authority.sandbox_dir", "");
  c.authority_refresh = std::chrono::seconds(r.number("authority.refresh_seconds", 60, 1, 86400));
  c.seal_feed_interval = std::chrono::seconds(r.number("authority.seal_feed_seconds", 30, 1, 86400));
  c.authority_url = r.text("authority.url", "");
  while (!c.authority_url.empty() && c.authority_url.back() == '/') c.authority_url.pop_back();
  if (c.authority_driver == "http") {
    if (c.authority_url.empty())
      throw ConfigError(r.name("authority.url") + " is empty: the http driver needs the authority service's base URL");
    if (c.authority_url.rfind("http://", 0) != 0 && c.authority_url.rfind("https://", 0) != 0)
      throw ConfigError(r.name("authority.url") + ": '" + c.authority_url + "' is not an http:// or https:// URL");
  }
  c.authority_ca_file = r.text("authority.ca_file", "");
  if (!c.authority_ca_file.empty() && !std::filesystem::is_regular_file(c.authority_ca_file))
    throw ConfigError(r.name("authority.ca_file") + ": " + c.authority_ca_file.string() + " is not a file");
  c.authority_root = r.text("authority.root_certificate", "");
  if (c.authority_root.empty() && !c.sandbox_dir.empty()) c.authority_root = c.sandbox_dir / "authority" / "root.pem";
  if (c.authority_driver == "http" && c.authority_root.empty())
    throw ConfigError(r.name("authority.root_certificate") + " is empty: the http driver needs the authority's root");
  c.authority_timeout = std::chrono::milliseconds(r.number("authority.timeout_ms", 5000, 100, 120000));
  c.authority_retries = static_cast<int>(r.number("authority.retries", 2, 0, 10));
  c.authority_backoff = std::chrono::milliseconds(r.number("authority.retry_backoff_ms", 200, 0, 60000));
  c.authority_max_freshness = std::chrono::seconds(r.number("authority.max_freshness_seconds", 300, 0, 86400));
  c.authority_grace = std::chrono::seconds(r.number("authority.grace_seconds", 900, 0, 7 * 86400));
  c.authority_certificate_status = r.text("authority.certificate_status", "crl");
  if (c.authority_certificate_status != "crl" && c.authority_certificate_status != "ocsp")
    throw ConfigError(r.name("authority.certificate_status") + ": '" + c.authority_certificate_status +
                      "' is not supported (crl, ocsp)");
  c.identity_certificate = r.text("identity.certificate_file", "");
  c.identity_key = r.text("identity.key_file", "");
  if (c.identity_certificate.empty() != c.identity_key.empty())
    throw ConfigError(r.name("identity.certificate_file") + " and " + r.name("identity.key_file") +
                      " are set together or not at all");
  if (c.identity_certificate.empty() && !c.sandbox_dir.empty()) {
    c.identity_certificate = c.sandbox_dir / "authority" / "host.pem";
    c.identity_key = c.sandbox_dir / "authority" / "host.key";
  }

  c.token_ttl = std::chrono::seconds(r.number("oauth.token_ttl_seconds", 3600, 60, 86400));
  c.login_max_renewals = static_cast<int>(r.number("login.max_renewals", 3, 0, 20));

  // Guessing passwords and client secrets (attempt_throttle.h).
  const std::string proxies = r.text("http.trusted_proxies", "");
  for (std::string::size_type start = 0; start <= proxies.size();) {
    const auto comma = proxies.find(',', start);
    std::string item = proxies.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) {
      if (http::source_key(item).empty())
        throw ConfigError(r.name("http.trusted_proxies") + ": '" + item + "' is not an IP address");
      c.trusted_proxies.push_back(item);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  auto& t = c.throttle;
  t.per_source_account.free_failures =
      static_cast<int>(r.number("throttle.source_account.free_failures", t.per_source_account.free_failures, 1, 1000));
  t.per_source.free_failures =
      static_cast<int>(r.number("throttle.source.free_failures", t.per_source.free_failures, 1, 100000));
  t.per_account.free_failures =
      static_cast<int>(r.number("throttle.account.free_failures", t.per_account.free_failures, 1, 100000));
  t.clean_source_failures =
      static_cast<int>(r.number("throttle.clean_source_failures", t.clean_source_failures, 1, 1000));
  const auto base_delay = std::chrono::seconds(r.number("throttle.base_delay_seconds", 1, 1, 3600));
  const auto max_delay = std::chrono::seconds(r.number("throttle.max_delay_seconds", 900, 1, 86400));
  if (max_delay < base_delay)
    throw ConfigError(r.name("throttle.max_delay_seconds") + " must not be shorter than " +
                      r.name("throttle.base_delay_seconds"));
  const auto forget_after = std::chrono::seconds(r.number("throttle.forget_after_seconds", 3600, 60, 7 * 86400));
  if (forget_after < max_delay)
    throw ConfigError(r.name("throttle.forget_after_seconds") + " must not be shorter than " +
                      r.name("throttle.max_delay_seconds"));
  for (http::ThrottlePolicy* p : {&t.per_source_account, &t.per_source, &t.per_account}) {
    p->base_delay = base_delay;
    p->max_delay = max_delay;
    p->forget_after = forget_after;
  }

  const std::string level = r.text("log.level", "info");
  const auto parsed = http::log_level_from(level);
  if (!parsed) throw ConfigError(r.name("log.level") + ": '" + level + "' is not one of debug, info, warn, error, off");
  c.log_level = *parsed;

  c.plugins_dir = r.text("plugins.dir", "");
  c.scripts_dir = r.text("scripts.dir", "scripts");
  c.review_stages = r.text("access.review_stages", "");
  try {
    (void)access::parse_review_stages(c.review_stages);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(r.name("access.review_stages") + ": " + e.what());
  }
  auto& sl = c.script_limits;  // the Lua sandbox (docs/SCRIPTING.md)
  sl.instructions_per_call = static_cast<std::uint64_t>(
      r.number("scripts.instructions_per_call", static_cast<long long>(sl.instructions_per_call), 10'000, 1'000'000'000'000));
  sl.time_per_call_ms = static_cast<std::uint64_t>(
      r.number("scripts.time_per_call_ms", static_cast<long long>(sl.time_per_call_ms), 1, 3'600'000));
  sl.memory_bytes = static_cast<std::size_t>(
      r.number("scripts.memory_bytes", static_cast<long long>(sl.memory_bytes), 1LL << 20, 1LL << 34));
  sl.string_bytes = static_cast<std::size_t>(
      r.number("scripts.string_bytes", static_cast<long long>(sl.string_bytes), 1024, 1LL << 30));
  sl.states_per_application = static_cast<std::size_t>(
      r.number("scripts.states_per_application", static_cast<long long>(sl.states_per_application), 1, 256));
  c.admin_token_file = r.text("admin.token_file", "");
  if (c.admin_token_file.empty() && !c.sandbox_dir.empty()) c.admin_token_file = c.sandbox_dir / "admin" / "operator-token";

  // RFC 3161 time-stamps on seal signatures: the TSA is reached over plain
  // HTTP (RFC 3161 §3.4); the token is signed, so the channel need not be.
  c.timestamp_url = r.text("signing.timestamp.url", "");
  if (!c.timestamp_url.empty() && c.timestamp_url.rfind("http://", 0) != 0)
    throw ConfigError(r.name("signing.timestamp.url") + ": '" + c.timestamp_url + "' is not an http:// URL");
  c.timestamp_timeout = std::chrono::seconds(r.number("signing.timestamp.timeout_seconds", 10, 1, 120));
  const std::string ts_required = r.text("signing.timestamp.required", "true");
  if (ts_required != "true" && ts_required != "false")
    throw ConfigError(r.name("signing.timestamp.required") + ": '" + ts_required + "' is not true or false");
  c.timestamp_required = ts_required == "true";
  c.timestamp_trust_anchors = r.text("signing.timestamp.trust_anchors", "");
  if (c.timestamp_trust_anchors.empty() && !c.sandbox_dir.empty())
    c.timestamp_trust_anchors = c.sandbox_dir / "authority" / "root.pem";

  // Relying-party callbacks: https only and public destinations only unless
  // the operator says otherwise (callback_policy.h says why).
  auto& cb = c.callbacks;
  const std::string sso_enabled = r.text("oidc.sso.enabled", "false");
  if (sso_enabled != "true" && sso_enabled != "false")
    throw ConfigError(r.name("oidc.sso.enabled") + ": '" + sso_enabled + "' is not true or false");
  c.sso.enabled = sso_enabled == "true";
  c.sso.max_age = std::chrono::seconds(r.number("oidc.sso.max_age_seconds", 8 * 3600, 60, 7 * 86400));
  c.sso.idle = std::chrono::seconds(r.number("oidc.sso.idle_seconds", 30 * 60, 60, 7 * 86400));
  if (c.sso.idle > c.sso.max_age)
    throw ConfigError(r.name("oidc.sso.idle_seconds") + " is longer than oidc.sso.max_age_seconds");

  const std::string allow_http = r.text("callbacks.allow_http", "false");
  if (allow_http != "true" && allow_http != "false")
    throw ConfigError(r.name("callbacks.allow_http") + ": '" + allow_http + "' is not true or false");
  cb.allow_http = allow_http == "true";
  try {
    cb.set_allow_list(r.text("callbacks.allow", ""));
  } catch (const std::invalid_argument& e) {
    throw ConfigError(r.name("callbacks.allow") + ": " + e.what());
  }
  cb.pinned_ca_dir = r.text("callbacks.pinned_ca_dir", "");
  cb.connect_timeout = std::chrono::seconds(r.number("callbacks.connect_timeout_seconds", 5, 1, 60));
  cb.read_timeout = std::chrono::seconds(r.number("callbacks.read_timeout_seconds", 10, 1, 300));
  cb.workers = static_cast<int>(r.number("callbacks.workers", 4, 1, 256));
  cb.max_attempts = static_cast<int>(r.number("callbacks.max_attempts", 10, 1, 100));
  cb.retry_base = std::chrono::seconds(r.number("callbacks.retry_base_seconds", 2, 1, 3600));
  cb.retry_max = std::chrono::seconds(r.number("callbacks.retry_max_seconds", 3600, 1, 86400));
  if (cb.retry_max < cb.retry_base)
    throw ConfigError(r.name("callbacks.retry_max_seconds") + " is shorter than " + r.name("callbacks.retry_base_seconds"));
  return c;
}

}  // namespace zhaoyin::app
