#include <zhaoyin/app/host_application.h>

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionCallback.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <csignal>
#include <filesystem>
#include <sstream>
#include <fstream>
#include <iostream>
#include <pthread.h>
#include <unistd.h>
#include <zhaoyin/app/host_config.h>
#include <zhaoyin/app/sandbox_import.h>
#include <zhaoyin/authority/http_connector.h>
#include <zhaoyin/authority/sandbox_connector.h>
#include <zhaoyin/app/host_routes.h>
#include <zhaoyin/cluster/redis.h>
#include <zhaoyin/flow/event_bus.h>
#include <zhaoyin/quota/usage_gate.h>
#include <zhaoyin/scripting/script_engine.h>
#include <zhaoyin/flow/host_identity.h>
#include <zhaoyin/protocol/host_certificate.h>
#include <zhaoyin/http/server.h>
#include <zhaoyin/login/login_service.h>
#include <zhaoyin/plugins/manager.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/sm3.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::app {

namespace {

std::string read_whole(const std::filesystem::path& file, const std::string& what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(what + " " + file.string() + " cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// authority.driver = http: the authority's service, trusted through the
// configured root, asked with requests the host's identity signs.
std::shared_ptr<authority::HttpAuthorityConnector> make_http_connector(const HostConfig& cfg) {
  if (cfg.identity_certificate.empty())
    throw ConfigError("authority.driver = http signs its requests with the host's identity: set identity.* or --sandbox");
  authority::HttpConnectorSettings s;
  s.url = cfg.authority_url;
  s.ca_file = cfg.authority_ca_file.string();
  try {
    s.root = trust::Certificate::from_pem(read_whole(cfg.authority_root, "authority.root_certificate"));
    const auto chain = trust::Certificate::bundle_from_pem(read_whole(cfg.identity_certificate, "identity.certificate_file"));
    if (chain.empty()) throw ConfigError("identity.certificate_file holds no certificate");
    s.host_certificate = chain.front();
    s.host_key = trust::Sm2Key::from_pem(read_whole(cfg.identity_key, "identity.key_file"));
  } catch (const trust::TrustError& e) {
    throw ConfigError(std::string("authority.driver = http: ") + e.what());
  }
  s.timeout = cfg.authority_timeout;
  s.retries = cfg.authority_retries;
  s.retry_backoff = cfg.authority_backoff;
  s.max_freshness = cfg.authority_max_freshness;
  s.grace = cfg.authority_grace;
  s.certificate_status = cfg.authority_certificate_status == "ocsp" ? authority::CertificateStatusSource::Ocsp
                                                                     : authority::CertificateStatusSource::Crl;
  // Several hosts: what one fetched, the others use within the same freshness.
  if (!cfg.redis.host.empty()) s.shared_cache = cluster::make_redis_answer_cache(cfg.redis);
  try {
    return std::make_shared<authority::HttpAuthorityConnector>(std::move(s));
  } catch (const authority::AuthorityError& e) {
    throw ConfigError(e.what());
  }
}

// Wallets accept a request only when the host certificate is a relying-party
// host certificate naming the QR code's host (docs/PROTOCOL.md §2.3). A host
// whose certificate cannot pass still serves the counter and the APIs, so this
// is a loud warning rather than a refusal to start.
void warn_if_wallets_will_refuse(http::JsonLog& log, const flow::HostIdentity& identity, const std::string& public_url) {
  const auto& cert = identity.certificate();
  if (!cert.has_extended_key_usage(trust::kRelyingPartyHostPurpose)) {
    log.warn("the host certificate " + cert.subject_line() +
                       " is not a relying-party host certificate: wallets will refuse every QR request "
                       "(re-run `zhaoyin sandbox init`, or ask the authority's relying-party CA)");
    return;
  }
  const auto host = protocol::url_host(public_url);
  if (!host) return;
  if (!protocol::certificate_names_host(cert, *host))
    log.warn("the host certificate does not name " + *host + " (http.public_url " + public_url +
                       "): wallets will refuse its QR requests (sandbox: `zhaoyin sandbox init DIR --host-name " +
                       *host + "`)");
}


const char* const kDefaultConfig = "config/zhaoyin.properties";

// The signals the main thread takes with sigwait(): the termination signals,
// and SIGHUP, which re-reads the plugins and scripts (systemctl reload).
sigset_t control_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGQUIT);
  sigaddset(&set, SIGHUP);
  return set;
}

// They must be blocked before any thread starts so that no worker thread
// receives one and kills the process with the default action (SIGHUP's
// default action is to terminate, too).
void block_control_signals() {
  const sigset_t set = control_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client hanging up must not kill the host
}

// SIGHUP: the same re-reads as the operator's reload buttons (plugins.dir
// scanned again, every bound script compiled again; a script that fails keeps
// its previous version). The configuration file is not read again: settings
// need a restart.
void reload_extensions(const http::HostContext& ctx, http::JsonLog& log) {
  for (const auto& source : ctx.extensions->sources()) {
    try {
      if (auto plugins = std::dynamic_pointer_cast<plugins::PluginManager>(source)) {
        const auto g = plugins->reload();
        nlohmann::json failed = nlohmann::json::array();
        for (const auto& f : g->failures) failed.push_back(f.file);
        log.info("plugins reloaded (SIGHUP)",
                 {{"dir", plugins->plugins_dir()}, {"generation", g->number}, {"loaded", g->plugins.size()},
                  {"failed", failed}});
      } else if (auto scripts = std::dynamic_pointer_cast<scripting::ScriptEngine>(source)) {
        const auto status = scripts->reload_all();
        std::size_t with_errors = 0;
        for (const auto& s : status["scripts"])
          if (s.contains("last_error") && !s["last_error"].is_null()) ++with_errors;
        log.info("scripts reloaded (SIGHUP)", {{"dir", scripts->scripts_dir().string()},
                                                {"scripts", status["scripts"].size()},
                                                {"with_errors", with_errors}});
      }
    } catch (const std::exception& e) {
      log.error(std::string("reload (SIGHUP) failed: ") + e.what());
    }
  }
}

// Serves until a termination signal; each SIGHUP meanwhile reloads the extensions.
void wait_for_termination(const http::HostContext& ctx, http::JsonLog& log) {
  const sigset_t set = control_signals();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig != SIGHUP) return;
    reload_extensions(ctx, log);
  }
}

// The operator API token is kept only as its SHA-256; no file means no admin API.
// The token is the file's first line (a trailing newline is not part of it).
std::string load_admin_token_hash(const std::filesystem::path& file) {
  if (file.empty() || !std::filesystem::exists(file)) return {};
  std::ifstream in(file);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.size() < 16) throw ConfigError("admin.token_file " + file.string() + ": the token is shorter than 16 characters");
  return trust::hex_encode(trust::sha256(trust::Bytes(token.begin(), token.end())));
}

}  // namespace

HostApplication::HostApplication() : log_(std::make_shared<http::JsonLog>(std::cerr)) {
  // Poco's own messages (option errors, Net warnings) become JSON lines too.
  Poco::AutoPtr<http::JsonLogChannel> channel(new http::JsonLogChannel(log_));
  Poco::Logger::setChannel("", channel);
  Poco::Logger::root().setChannel(channel);
  setUnixOptions(true);
}

void HostApplication::defineOptions(Poco::Util::OptionSet& options) {
  ServerApplication::defineOptions(options);
  using Poco::Util::Option;
  using Callback = Poco::Util::OptionCallback<HostApplication>;
  options.addOption(Option("help", "h", "print this help and exit")
                        .required(false).repeatable(false)
                        .callback(Callback(this, &HostApplication::handle_help)));
  options.addOption(Option("config", "c", "configuration file (Poco .properties; default " + std::string(kDefaultConfig) + ")")
                        .required(false).repeatable(false).argument("FILE")
                        .callback(Callback(this, &HostApplication::handle_config)));
  options.addOption(Option("port", "p", "TCP port to listen on (0: any free port); overrides http.port")
                        .required(false).repeatable(false).argument("N")
                        .callback(Callback(this, &HostApplication::handle_override)));
  options.addOption(Option("data", "d", "folder of the store (created if missing); overrides store.data_dir")
                        .required(false).repeatable(false).argument("DIR")
                        .callback(Callback(this, &HostApplication::handle_override)));
  options.addOption(Option("sandbox", "s", "trust this sandbox authority folder and import its demo applications; "
                                           "overrides authority.sandbox_dir")
                        .required(false).repeatable(false).argument("DIR")
                        .callback(Callback(this, &HostApplication::handle_override)));
  options.addOption(Option("set", "", "override any setting, e.g. --set scripts.dir=/srv/scripts (repeatable)")
                        .required(false).repeatable(true).argument("KEY=VALUE")
                        .callback(Callback(this, &HostApplication::handle_override)));
}

void HostApplication::handle_help(const std::string&, const std::string&) {
  help_requested_ = true;
  stopOptionsProcessing();
}

void HostApplication::handle_config(const std::string&, const std::string& value) {
  config_file_ = value;
  config_given_ = true;
}

void HostApplication::handle_override(const std::string& name, const std::string& value) {
  if (name == "port") {
    overrides_["http.port"] = value;
    sources_["http.port"] = "--port";
  } else if (name == "data") {
    overrides_["store.data_dir"] = value;
    sources_["store.data_dir"] = "--data";
  } else if (name == "sandbox") {
    overrides_["authority.sandbox_dir"] = value;
    overrides_["authority.driver"] = "sandbox";
    sources_["authority.sandbox_dir"] = "--sandbox";
  } else if (name == "set") {
    const auto eq = value.find('=');
    if (eq == std::string::npos || eq == 0) {
      set_error_ = "--set " + value + ": expected KEY=VALUE";
      return;
    }
    overrides_[value.substr(0, eq)] = value.substr(eq + 1);
    sources_[value.substr(0, eq)] = "--set " + value.substr(0, eq);
  }
}

int HostApplication::main(const std::vector<std::string>& args) {
  if (help_requested_) {
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setUsage("[--config FILE] [--port N] [--data DIR] [--sandbox DIR]");
    help.setHeader("Zhaoyin (照印) host: electronic business license and e-seal platform for relying parties.");
    help.format(std::cout);
    return EXIT_OK;
  }
  if (!args.empty()) {
    log_->error("configuration error: unexpected argument '" + args.front() + "' (see --help)");
    return EXIT_USAGE;
  }
  if (!set_error_.empty()) {
    log_->error("configuration error: " + set_error_);
    return EXIT_USAGE;
  }
  block_control_signals();

  // ---- configuration, store, authority: any failure is one clear line and EX_CONFIG ----
  std::shared_ptr<http::HostContext> ctx;
  std::unique_ptr<http::HttpServer> server;
  try {
    const std::string file = config_given_ ? config_file_ : kDefaultConfig;
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> properties;
    const bool from_file = config_given_ || std::filesystem::exists(file);
    if (from_file) {
      try {
        properties = new Poco::Util::PropertyFileConfiguration(file);
      } catch (const Poco::Exception& e) {
        throw ConfigError("cannot read the configuration file " + file + ": " + e.displayText());
      }
    } else {
      properties = new Poco::Util::PropertyFileConfiguration;  // built-in defaults
    }
    for (const auto& [key, value] : overrides_) properties->setString(key, value);
    const HostConfig cfg = load_host_config(*properties, sources_);
    log_->set_level(cfg.log_level);
    log_->info("starting", {{"version", http::build_version()},
                            {"config", from_file ? file : std::string("(built-in defaults)")},
                            {"pid", static_cast<long>(::getpid())}});

    ctx = std::make_shared<http::HostContext>();
    ctx->settings.max_body_bytes = cfg.max_body_bytes;
    ctx->settings.token_ttl = cfg.token_ttl;
    login::set_max_renewals(cfg.login_max_renewals);
    ctx->settings.authority_refresh = cfg.authority_refresh;
    ctx->settings.seal_feed_interval = cfg.seal_feed_interval;
    ctx->settings.version = http::build_version();
    ctx->metrics = std::make_shared<http::Metrics>();
    ctx->log = log_;
    ctx->events = cfg.redis.host.empty() ? flow::make_local_event_bus() : cluster::make_redis_event_bus(cfg.redis, log_);
    ctx->settings.plugins_dir =
        (cfg.plugins_dir.empty() ? std::filesystem::path(config().getString("application.dir", ".")) / ".." / "lib" /
                                       "zhaoyin" / "plugins"
                                 : cfg.plugins_dir)
            .lexically_normal()
            .string();
    ctx->settings.scripts_dir = cfg.scripts_dir.string();
    ctx->settings.script_limits = cfg.script_limits;
    ctx->settings.admin_token_sha256 = load_admin_token_hash(cfg.admin_token_file);
    ctx->settings.sandbox_dir = cfg.sandbox_dir.string();
    ctx->settings.callbacks = cfg.callbacks;
    ctx->settings.trusted_proxies = cfg.trusted_proxies;
    ctx->settings.timestamp.url = cfg.timestamp_url;
    ctx->settings.timestamp.timeout = cfg.timestamp_timeout;
    ctx->settings.timestamp.required = cfg.timestamp_required;
    if (!cfg.timestamp_trust_anchors.empty() && std::filesystem::exists(cfg.timestamp_trust_anchors)) {
      std::ifstream anchors(cfg.timestamp_trust_anchors);
      std::stringstream pem;
      pem << anchors.rdbuf();
      ctx->settings.timestamp.trust_anchors = trust::Certificate::bundle_from_pem(pem.str());
    } else if (!cfg.timestamp_url.empty()) {
      throw ConfigError("signing.timestamp.url is set but signing.timestamp.trust_anchors (" +
                        cfg.timestamp_trust_anchors.string() + ") names no certificate file");
    }
    ctx->staff_sign_in_guard = std::make_shared<http::CredentialGuard>(cfg.throttle);
    ctx->client_auth_guard = std::make_shared<http::CredentialGuard>(cfg.throttle);
    if (!cfg.identity_certificate.empty()) {
      if (!std::filesystem::exists(cfg.identity_certificate))
        throw ConfigError("the host's signing certificate " + cfg.identity_certificate.string() +
                          " does not exist (an older sandbox? run `zhaoyin sandbox init DIR` to add it)");
      try {
        ctx->identity = std::make_shared<const flow::HostIdentity>(
            flow::HostIdentity::load(cfg.identity_certificate, cfg.identity_key));
      } catch (const flow::HostIdentityError& e) {
        throw ConfigError(std::string("identity: ") + e.what());
      }
    } else {
      log_->warn("no host identity configured: QR login and signing are unavailable (set identity.* or --sandbox)");
    }

    // The authority first: a broken sandbox is refused before the store is touched.
    // With the http driver the sandbox folder (when given) still supplies the
    // demo applications and the host identity; the authority's records come
    // from its service.
    std::shared_ptr<authority::SandboxConnector> sandbox;
    if ((cfg.authority_driver == "sandbox" || cfg.authority_driver == "http") && !cfg.sandbox_dir.empty())
      sandbox = std::make_shared<authority::SandboxConnector>(cfg.sandbox_dir);
    std::shared_ptr<authority::HttpAuthorityConnector> networked;
    if (cfg.authority_driver == "http") networked = make_http_connector(cfg);
    // The sandbox demo (http/sandbox_demo.h) runs over http only against the
    // sandbox's own service: the folder's wallets hold licenses of its root.
    if (networked && sandbox &&
        networked->settings().root.der() !=
            trust::Certificate::from_pem(read_whole(cfg.sandbox_dir / "authority" / "root.pem", "the sandbox's root")).der()) {
      log_->warn("authority.root_certificate is not the sandbox's root: the sandbox demo is off",
                 {{"sandbox_dir", cfg.sandbox_dir.string()}, {"root_certificate", cfg.authority_root.string()}});
      ctx->settings.sandbox_dir.clear();
    }

    ctx->db = std::make_shared<store::Database>(cfg.store);
    const std::size_t applied = ctx->db->migrate();
    log_->info("store open", {{"driver", cfg.store.driver},
                              {"file", ctx->db->file().string()},
                              {"migrations_applied", applied},
                              {"schema_version", ctx->db->schema_version()}});
    ctx->usage = std::make_shared<quota::UsageGate>(
        ctx->db, cfg.redis.host.empty() ? quota::make_local_rate_window() : cluster::make_redis_rate_window(cfg.redis));

    if (sandbox) {
      store::ApplicationRepository apps(*ctx->db);
      const auto imported = import_sandbox_applications(*sandbox, apps);
      store::ExtensionBindingRepository bindings(*ctx->db);
      import_sandbox_bindings(*sandbox, bindings);
      log_->info("sandbox authority loaded", {{"dir", cfg.sandbox_dir.string()},
                                              {"enterprises", sandbox->enterprise_usccs().size()},
                                              {"applications_inserted", imported.inserted},
                                              {"applications_updated", imported.updated}});
      ctx->authority = std::move(sandbox);
    }
    if (networked) {
      log_->info("http authority configured", {{"url", cfg.authority_url},
                                               {"max_freshness_seconds", cfg.authority_max_freshness.count()},
                                               {"grace_seconds", cfg.authority_grace.count()},
                                               {"certificate_status", cfg.authority_certificate_status}});
      try {
        networked->reload();  // warm the trust store; a host may start while the authority is down
      } catch (const authority::AuthorityError& e) {
        log_->warn("the authority cannot answer yet", {{"error", e.what()}});
      }
      ctx->authority = std::move(networked);
    } else if (!sandbox) {
      log_->warn("no authority configured: licenses cannot be verified (set authority.sandbox_dir or --sandbox)");
    }

    auto router = std::make_shared<http::Router>();
    register_host_routes(*router, ctx, cfg.sso, cfg.review_stages);
    server = std::make_unique<http::HttpServer>(cfg.server, router, ctx);
    ctx->settings.public_url = cfg.public_url.empty() ? server->url() : cfg.public_url;
    if (ctx->identity) warn_if_wallets_will_refuse(*log_, *ctx->identity, ctx->settings.public_url);
    server->start();
  } catch (const ConfigError& e) {
    log_->error(std::string("configuration error: ") + e.what());
    return EXIT_CONFIG;
  } catch (const Poco::Exception& e) {
    log_->error("cannot start: " + e.displayText());
    return EXIT_CONFIG;
  } catch (const std::exception& e) {
    log_->error(std::string("cannot start: ") + e.what());
    return EXIT_CONFIG;
  }

  log_->announce("ready", {{"url", server->url()}, {"authority", ctx->authority_name()}});
  wait_for_termination(*ctx, *log_);

  // A Lua script in the middle of a long call would hold its request (and
  // server->stop(), which waits for it) until its budget or deadline: stop
  // every script at its next check instead.
  scripting::set_scripts_shutting_down(true);
  log_->info("stopping: finishing requests in flight");
  try {
    ctx->events->close();  // long-polls and event streams return now instead of at their deadline
    server->stop();
    server.reset();
    if (ctx->usage) ctx->usage->flush();  // counts not yet written
    ctx->db->close();
  } catch (const std::exception& e) {
    log_->error(std::string("error while stopping: ") + e.what());
    return EXIT_SOFTWARE;
  }
  log_->info("stopped");
  return EXIT_OK;
}

}  // namespace zhaoyin::app
