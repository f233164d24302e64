// `zhaoyin sandbox init` and `zhaoyin sandbox summary`.
#include <filesystem>
#include <fstream>
#include <map>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <zhaoyin/sandbox/generator.h>
#include "commands.h"

namespace zhaoyin::cli {

namespace fs = std::filesystem;

namespace {

// Splits the arguments into one positional DIR and "--name [value]" options.
struct Parsed {
  std::string dir;
  bool force = false;
  std::optional<std::string> font;
  std::optional<std::string> port;
  std::vector<std::string> host_names;
  std::optional<std::string> authority_url;
};

Parsed parse(const std::vector<std::string>& args, bool allow_init_options, bool allow_port) {
  Parsed p;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      return args[++i];
    };
    if (allow_init_options && a == "--force") p.force = true;
    else if (allow_init_options && a == "--font") p.font = value();
    else if (allow_init_options && a == "--host-name") p.host_names.push_back(value());
    else if (allow_init_options && a == "--authority-url") p.authority_url = value();
    else if (allow_port && a == "--port") p.port = value();
    else if (!a.empty() && a[0] == '-') throw UsageError("unknown option " + a);
    else if (p.dir.empty()) p.dir = a;
    else throw UsageError("unexpected argument " + a);
  }
  if (p.dir.empty()) throw UsageError("the sandbox folder DIR is required");
  return p;
}

}  // namespace

int parse_port_number(const std::string& text) {
  std::size_t used = 0;
  int port = 0;
  try {
    port = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || port < 1 || port > 65535) throw UsageError("--port needs a number from 1 to 65535");
  return port;
}

namespace {

nlohmann::json load_manifest(const fs::path& dir) {
  const fs::path file = dir / "sandbox.json";
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw std::runtime_error("no sandbox in " + dir.string() + " (" + file.string() +
                             " is missing): run `zhaoyin sandbox init " + dir.string() + "` first");
  }
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    if (j.value("format", std::string()) != "zhaoyin-sandbox/1") throw std::runtime_error("unknown format");
    return j;
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + " is not a zhaoyin-sandbox/1 file: " + e.what());
  }
}

std::string str(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_string()) return "";
  return j.at(key).get<std::string>();
}

std::string join(const nlohmann::json& list, const char* separator) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!out.empty()) out += separator;
    out += item.is_string() ? item.get<std::string>() : item.dump();
  }
  return out;
}

std::string status_label(const std::string& status) {
  if (status == "active") return "存续";
  if (status == "revoked") return "吊销";
  if (status == "cancelled") return "注销";
  return status;
}

}  // namespace

const char* usage_text() {
  return "usage: zhaoyin <command> [options]\n"
         "\n"
         "The Zhaoyin (照印) operator CLI.\n"
         "\n"
         "commands:\n"
         "  sandbox init DIR [--force] [--font FILE] [--host-name NAME]... [--authority-url URL]\n"
         "      create the sandbox authority in DIR: CA hierarchy and CRLs, demo enterprises,\n"
         "      seals, wallets and demo applications (docs/SANDBOX.md). An existing sandbox is\n"
         "      left as it is unless --force. --font: the CJK font for seal impressions.\n"
         "      --host-name: a DNS name or IP address (the host of http.public_url) the sandbox's\n"
         "      relying-party host certificate names besides localhost, 127.0.0.1 and ::1.\n"
         "      --authority-url: base URL of `zhaoyin authority serve` that certificates name as their\n"
         "      CRL distribution point (default http://127.0.0.1:8090)\n"
         "  sandbox summary DIR [--port N]\n"
         "      print the demo pages (host on port N, default 8080), wallets with their\n"
         "      passwords, and application credentials\n"
         "  authority serve DIR [--port N] [--tls-cert FILE --tls-key FILE]\n"
         "      serve the sandbox authority on 127.0.0.1:N (default: the port of the sandbox's authority\n"
         "      URL, 8090): CRLs, OCSP, signed status answers for relying-party hosts (docs/AUTHORITY.md)\n"
         "  authority revoke-license DIR SERIAL [--reason R]\n"
         "  authority enterprise-status DIR USCC 存续|吊销|注销|迁出\n"
         "  authority replace-seal DIR ESID\n"
         "  authority revoke-seal DIR ESID\n"
         "  authority withdraw-grant DIR SERIAL\n"
         "  authority add-permit DIR USCC --number N --kind K --issuer I --from YYYY-MM-DD --to YYYY-MM-DD [--scope S]\n"
         "  authority revoke-permit DIR USCC NUMBER\n"
         "      change the sandbox authority, also while `authority serve` runs (it reloads)\n"
         "  tsa serve --sandbox DIR [--port N]\n"
         "      run the sandbox time-stamping authority (RFC 3161 over HTTP, SM2/SM3) on\n"
         "      127.0.0.1:N (default 3161) until interrupted; prints its URL first\n"
         "  plugins list [--dir DIR] [--json]\n"
         "      load the department plugins in DIR (default: the host's <bin>/../lib/zhaoyin/plugins)\n"
         "      and list what each declares, and why any is refused; exit 1 if one is refused\n"
         "  plugins check FILE [--json]\n"
         "      load one plugin file as the host would; exit 1 if it is refused\n"
         "  admin create-user --data DIR [--config FILE] --username U --role ROLE\n"
         "        [--display-name NAME] (--password-file FILE | --password-stdin)\n"
         "      create a staff account for the /admin pages in the host's store (ROLE: applicant,\n"
         "      reviewer or operator; the password's first line, at least 8 characters)\n"
         "  --help\n"
         "      this text\n"
         "\n"
         "exit codes: 0 done, 1 failed, 2 usage error\n";
}

int sandbox_init(const std::vector<std::string>& args) {
  const Parsed p = parse(args, true, false);
  sandbox::InitOptions options;
  options.force = p.force;
  if (p.font) options.impression.font_file = *p.font;
  options.host_names = p.host_names;
  if (p.authority_url) options.authority_url = *p.authority_url;
  const sandbox::InitResult r = sandbox::init_sandbox(p.dir, options);
  switch (r.outcome) {
    case sandbox::InitOutcome::AlreadyPresent:
      if (r.seals_reissued > 0)
        std::cout << "sandbox already present in " << p.dir << "; re-issued " << r.seals_reissued
                  << " seals made before GB/T 38540-2020 section 6.1 was followed (the seal maker's signature now "
                     "covers SES_SealInfo alone; same seal codes, signers and images) in seals/ and wallets/. "
                     "Restart a running host to load them.\n";
      else if (r.upgraded)
        std::cout << "sandbox already present in " << p.dir
                  << "; issued the relying-party CA and host credential (authority/rp-ca.pem, host.pem) this version needs. "
                     "Restart a running host to load them.\n";
      else
        std::cout << "sandbox already present in " << p.dir << " (" << r.manifest.string()
                  << "); nothing changed. Use --force to recreate it.\n";
      break;
    case sandbox::InitOutcome::Created:
    case sandbox::InitOutcome::Recreated:
      std::cout << (r.outcome == sandbox::InitOutcome::Created ? "created" : "recreated") << " the sandbox in "
                << p.dir << ": " << r.enterprises << " enterprises, " << r.wallets << " wallets, " << r.seals
                << " seals, " << r.applications << " applications\n"
                << "see `zhaoyin sandbox summary " << p.dir << "`\n";
      break;
  }
  return kExitOk;
}

int sandbox_summary(const std::vector<std::string>& args) {
  const Parsed p = parse(args, false, true);
  const int port = p.port ? parse_port_number(*p.port) : 8080;
  const fs::path dir = fs::absolute(p.dir);
  const nlohmann::json m = load_manifest(dir);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  const auto path_of = [&dir](const std::string& relative) { return (dir / relative).lexically_normal().string(); };

  std::ostringstream out;
  out << "Zhaoyin sandbox in " << dir.string() << " (created " << str(m, "created_at")
      << ") — SANDBOX data, not real enterprises\n\n";

  out << "Demo pages (host on " << base << "):\n"
      << "  " << base << "/healthz    health check\n"
      << "  " << base << "/metrics    Prometheus metrics\n\n";

  const auto& admin = m.value("admin", nlohmann::json::object());
  const auto& staff = admin.value("staff", nlohmann::json::array());
  if (!staff.empty()) {
    out << "Staff pages (" << base << "/admin/login; docs/ADMIN.md):\n";
    for (const auto& s : staff)
      out << "  " << str(s, "username") << " (" << str(s, "role") << ")  password  " << str(s, "password") << "\n";
    out << "\n";
  }

  const auto& authority = m.value("authority", nlohmann::json::object());
  out << "Authority:\n"
      << "  root CA      " << path_of(str(authority, "root")) << "\n"
      << "  seal maker   " << path_of(str(authority, "seal_maker")) << "\n";
  for (const auto& ca : authority.value("issuing_cas", nlohmann::json::array())) {
    out << "  CA " << str(ca, "province") << " " << str(ca, "name") << "     " << path_of(str(ca, "cert")) << "  (CRL "
        << path_of(str(ca, "crl")) << ")\n";
  }
  out << "\n";

  std::map<std::string, std::string> enterprise_names;
  out << "Enterprises:\n";
  for (const auto& e : m.value("enterprises", nlohmann::json::array())) {
    enterprise_names[str(e, "uscc")] = str(e, "name");
    out << "  " << str(e, "uscc") << "  " << str(e, "name") << "  [" << str(e, "kind") << ", province "
        << str(e, "province") << ", " << status_label(str(e, "status"))
        << (e.value("license_revoked", false) ? ", a holder's certificate is revoked" : "") << "]\n";
  }
  out << "\n";

  out << "Demo wallets (zhaoyin-wallet --wallet PATH --password PASSWORD show):\n";
  for (const auto& w : m.value("wallets", nlohmann::json::array())) {
    const std::string enterprise = w.contains("enterprise") ? str(w, "enterprise") : enterprise_names[str(w, "uscc")];
    out << "  " << str(w, "holder") << " (" << str(w, "role") << ") of " << enterprise << "\n"
        << "    wallet    " << path_of(str(w, "path")) << "\n"
        << "    password  " << str(w, "password") << "\n";
    if (!str(w, "note").empty()) out << "    note      " << str(w, "note") << "\n";
  }
  out << "\n";

  out << "Demo applications:\n";
  std::string example_id;
  std::string example_secret;
  for (const auto& a : m.value("applications", nlohmann::json::array())) {
    if (example_id.empty()) {
      example_id = str(a, "client_id");
      example_secret = str(a, "client_secret");
    }
    const std::string scope = str(a, "scope") == "national" ? "national" : "province " + str(a, "province");
    out << "  " << str(a, "name") << " [" << str(a, "department") << ", " << scope << "]\n"
        << "    client_id      " << str(a, "client_id") << "\n"
        << "    client_secret  " << str(a, "client_secret") << "\n"
        << "    needs " << join(a.value("needs", nlohmann::json::array()), ", ") << "; matters "
        << join(a.value("matters", nlohmann::json::array()), ", ") << "\n";
  }
  out << "\n";

  if (!example_id.empty()) {
    out << "Get an access token (OAuth 2.0 client credentials):\n"
        << "  curl -s -X POST " << base << "/oauth/token -u '" << example_id << ":" << example_secret
        << "' -d grant_type=client_credentials\n";
  }
  std::cout << out.str();
  return kExitOk;
}

}  // namespace zhaoyin::cli
