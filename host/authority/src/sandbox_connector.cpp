#include <zhaoyin/authority/sandbox_connector.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/uscc.h>

namespace zhaoyin::authority {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct RegistryRevocation {
  std::string reason;
  std::optional<trust::TimePoint> revoked_at;
};

struct Enterprise {
  domain::FaceInfo face;
  std::string province;
  std::vector<HolderRecord> holders;
  std::vector<SealRecord> seals;
  std::vector<PermitRecord> permits;  // status as stored: valid | revoked
};

}  // namespace

struct SandboxConnector::State {
  trust::Certificate root;
  trust::Certificate seal_maker;
  std::vector<trust::Certificate> issuing_cas;
  std::vector<trust::Crl> crls;
  trust::TrustStore trust;
  std::map<std::string, trust::Certificate> certificates;  // by upper-case serial
  std::vector<std::string> usccs;                          // registry order
  std::map<std::string, Enterprise> enterprises;           // by USCC
  std::map<std::string, std::pair<std::string, std::size_t>> holder_index;  // serial -> (uscc, index)
  std::map<std::string, RegistryRevocation> revoked;       // by serial
  std::vector<SandboxApplication> applications;
  fs::path registry_file;
};

namespace {

[[noreturn]] void fail(const fs::path& file, const std::string& what) {
  throw AuthorityError("sandbox: " + file.string() + ": " + what);
}

std::string read_text(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) fail(file, "missing (not a regular file)");
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(file, "cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

trust::Bytes read_bytes(const fs::path& file) { return trust::to_bytes(read_text(file)); }

json read_json(const fs::path& file) {
  const std::string text = read_text(file);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    fail(file, std::string("not valid JSON: ") + e.what());
  }
}

trust::Certificate load_certificate(const fs::path& file) {
  const std::string pem = read_text(file);
  try {
    auto cert = trust::Certificate::from_pem(pem);
    if (!cert.valid()) fail(file, "not a PEM certificate");
    return cert;
  } catch (const trust::TrustError& e) {
    fail(file, std::string("not a usable PEM certificate: ") + e.what());
  }
}

trust::Crl load_crl(const fs::path& file) {
  const std::string pem = read_text(file);
  try {
    auto crl = trust::Crl::from_pem(pem);
    if (!crl.valid()) fail(file, "not a PEM CRL");
    return crl;
  } catch (const trust::TrustError& e) {
    fail(file, std::string("not a usable PEM CRL: ") + e.what());
  }
}

// A path from a JSON file, relative to the sandbox folder; never outside it.
fs::path inside(const fs::path& dir, const fs::path& json_file, const std::string& relative) {
  const fs::path rel(relative);
  if (relative.empty() || rel.is_absolute()) fail(json_file, "path '" + relative + "' must be relative to the sandbox folder");
  for (const auto& part : rel) {
    if (part == "..") fail(json_file, "path '" + relative + "' leaves the sandbox folder");
  }
  return dir / rel;
}

// JSON accessors that name the file and the field on a mismatch.
const json& member(const json& object, const char* key, const fs::path& file, const std::string& where) {
  if (!object.is_object() || !object.contains(key)) fail(file, where + ": missing \"" + key + "\"");
  return object.at(key);
}

std::string string_member(const json& object, const char* key, const fs::path& file, const std::string& where) {
  const json& v = member(object, key, file, where);
  if (!v.is_string()) fail(file, where + ": \"" + key + "\" must be a string");
  return v.get<std::string>();
}

std::string optional_string(const json& object, const char* key) {
  if (object.is_object() && object.contains(key) && object.at(key).is_string()) return object.at(key).get<std::string>();
  return {};
}

std::vector<std::string> string_list(const json& object, const char* key, const fs::path& file, const std::string& where) {
  std::vector<std::string> out;
  if (!object.contains(key)) return out;
  const json& v = object.at(key);
  if (!v.is_array()) fail(file, where + ": \"" + key + "\" must be a list");
  for (const auto& item : v) {
    if (!item.is_string()) fail(file, where + ": \"" + key + "\" must hold strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::int64_t int_member(const json& object, const char* key, const fs::path& file, const std::string& where) {
  if (!object.contains(key)) return 0;
  const json& v = object.at(key);
  if (!v.is_number_integer()) fail(file, where + ": \"" + key + "\" must be an integer");
  return v.get<std::int64_t>();
}

// "2026-11-23T10:00:00Z" (seconds and the zone are optional); nullopt otherwise.
std::optional<trust::TimePoint> parse_utc(const std::string& text) {
  std::tm tm{};
  std::istringstream in(text);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail()) return std::nullopt;
  const time_t t = timegm(&tm);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

std::string crl_reason_name(int reason) {
  static const char* const names[] = {"unspecified", "key_compromise", "ca_compromise", "affiliation_changed",
                                      "superseded", "cessation_of_operation", "certificate_hold", "unused",
                                      "remove_from_crl", "privilege_withdrawn", "aa_compromise"};
  if (reason >= 0 && reason < static_cast<int>(std::size(names))) return names[reason];
  return "unspecified";
}

void load_authority(const fs::path& dir, const json& sandbox, const fs::path& sandbox_file,
                    SandboxConnector::State& s) {
  const json& authority = member(sandbox, "authority", sandbox_file, "sandbox");
  s.root = load_certificate(inside(dir, sandbox_file, string_member(authority, "root", sandbox_file, "authority")));
  s.seal_maker =
      load_certificate(inside(dir, sandbox_file, string_member(authority, "seal_maker", sandbox_file, "authority")));
  const json& cas = member(authority, "issuing_cas", sandbox_file, "authority");
  if (!cas.is_array() || cas.empty()) fail(sandbox_file, "authority: \"issuing_cas\" must be a non-empty list");
  for (const auto& ca : cas) {
    const std::string where = "issuing CA " + optional_string(ca, "province");
    s.issuing_cas.push_back(load_certificate(inside(dir, sandbox_file, string_member(ca, "cert", sandbox_file, where))));
    s.crls.push_back(load_crl(inside(dir, sandbox_file, string_member(ca, "crl", sandbox_file, where))));
  }
  // The root's CRL covers the issuing CAs and the seal maker.
  const std::string root_crl = optional_string(authority, "root_crl");
  s.crls.push_back(load_crl(root_crl.empty() ? dir / "authority" / "crl-root.pem" : inside(dir, sandbox_file, root_crl)));

  s.trust.add_root(s.root);
  for (const auto& ca : s.issuing_cas) s.trust.add_intermediate(ca);
  for (const auto& crl : s.crls) s.trust.add_crl(crl);
}

void load_certificates(const fs::path& dir, SandboxConnector::State& s) {
  const fs::path certs = dir / "authority" / "certs";
  std::error_code ec;
  if (!fs::is_directory(certs, ec)) fail(certs, "missing (not a folder)");
  for (const auto& entry : fs::directory_iterator(certs)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".pem") continue;
    auto cert = load_certificate(entry.path());
    const std::string serial = cert.serial_hex();
    const auto named = normalise_serial(entry.path().stem().string());
    if (!named || *named != serial) fail(entry.path(), "holds the certificate with serial " + serial + ", not its file name");
    s.certificates.emplace(serial, std::move(cert));
  }
}

HolderRecord load_holder(const fs::path& dir, const fs::path& registry_file, const json& h, const std::string& uscc,
                         const SandboxConnector::State& s) {
  const std::string where = "enterprise " + uscc + ", holder " + optional_string(h, "name");
  HolderRecord rec;
  rec.uscc = uscc;
  rec.name = string_member(h, "name", registry_file, where);
  try {
    rec.role = domain::holder_role_from(string_member(h, "role", registry_file, where));
    rec.authorisation = domain::authorisation_from_json(member(h, "authorisation", registry_file, where));
  } catch (const std::invalid_argument& e) {
    fail(registry_file, where + ": " + e.what());
  }
  const auto serial = normalise_serial(string_member(h, "cert_serial", registry_file, where));
  if (!serial) fail(registry_file, where + ": \"cert_serial\" is not hex");
  rec.cert_serial = *serial;
  const fs::path cert_file = inside(dir, registry_file, string_member(h, "cert", registry_file, where));
  rec.certificate = load_certificate(cert_file);
  if (rec.certificate.serial_hex() != rec.cert_serial) fail(cert_file, "serial does not match " + where);
  if (!s.certificates.count(rec.cert_serial)) fail(registry_file, where + ": certificate " + rec.cert_serial + " is not in authority/certs/");

  const json& grant = h.contains("grant") ? h.at("grant") : json();
  if (!grant.is_null()) {
    Grant g;
    g.payload = string_member(grant, "payload", registry_file, where + ", grant");
    g.signature = string_member(grant, "signature", registry_file, where + ", grant");
    const auto signer = normalise_serial(string_member(grant, "signer_cert_serial", registry_file, where + ", grant"));
    if (!signer) fail(registry_file, where + ": grant \"signer_cert_serial\" is not hex");
    g.signer_cert_serial = *signer;
    rec.grant = std::move(g);
  } else if (rec.role != domain::HolderRole::LegalRepresentative) {
    fail(registry_file, where + ": only the legal representative may hold an authorisation without a grant");
  }
  return rec;
}

SealRecord load_seal(const fs::path& dir, const fs::path& registry_file, const json& j, const std::string& uscc) {
  const std::string where = "enterprise " + uscc + ", seal " + optional_string(j, "es_id");
  SealRecord seal;
  seal.uscc = uscc;
  seal.es_id = string_member(j, "es_id", registry_file, where);
  seal.type = string_member(j, "type", registry_file, where);
  seal.type_label = optional_string(j, "type_label");
  seal.name = string_member(j, "name", registry_file, where);
  seal.seal_der = read_bytes(inside(dir, registry_file, string_member(j, "file", registry_file, where)));
  const std::string image = optional_string(j, "image");
  if (!image.empty()) seal.image_png = read_bytes(inside(dir, registry_file, image));
  return seal;
}

void load_registry(const fs::path& dir, const fs::path& file, SandboxConnector::State& s) {
  const json registry = read_json(file);
  if (optional_string(registry, "format") != "zhaoyin-registry/1")
    fail(file, "\"format\" is not zhaoyin-registry/1");
  const json& enterprises = member(registry, "enterprises", file, "registry");
  if (!enterprises.is_array()) fail(file, "\"enterprises\" must be a list");
  for (const auto& e : enterprises) {
    Enterprise ent;
    try {
      ent.face = domain::face_info_from_json(member(e, "face_info", file, "enterprise"));
    } catch (const std::invalid_argument& ex) {
      fail(file, "enterprise " + optional_string(e.value("face_info", json::object()), "uscc") + ": " + ex.what());
    }
    const std::string& uscc = ent.face.uscc;
    if (!trust::uscc_valid(uscc)) fail(file, "enterprise \"" + uscc + "\": not a valid unified social credit code");
    if (s.enterprises.count(uscc)) fail(file, "enterprise " + uscc + " is listed twice");
    ent.province = optional_string(e, "province");
    const json& holders = member(e, "holders", file, "enterprise " + uscc);
    if (!holders.is_array()) fail(file, "enterprise " + uscc + ": \"holders\" must be a list");
    for (const auto& h : holders) {
      auto rec = load_holder(dir, file, h, uscc, s);
      if (s.holder_index.count(rec.cert_serial)) fail(file, "certificate " + rec.cert_serial + " belongs to two holders");
      s.holder_index.emplace(rec.cert_serial, std::make_pair(uscc, ent.holders.size()));
      ent.holders.push_back(std::move(rec));
    }
    if (e.contains("seals")) {
      if (!e.at("seals").is_array()) fail(file, "enterprise " + uscc + ": \"seals\" must be a list");
      for (const auto& seal : e.at("seals")) ent.seals.push_back(load_seal(dir, file, seal, uscc));
    }
    if (e.contains("permits")) {
      const json& permits = e.at("permits");
      if (!permits.is_array() || permits.size() > kMaxPermitsPerEnterprise)
        fail(file, "enterprise " + uscc + ": \"permits\" must be a list of at most " +
                       std::to_string(kMaxPermitsPerEnterprise));
      for (const auto& p : permits) {
        try {
          ent.permits.push_back(permit_from_json(p, uscc));
        } catch (const std::invalid_argument& ex) {
          fail(file, "enterprise " + uscc + ": " + ex.what());
        }
      }
    }
    s.usccs.push_back(uscc);
    s.enterprises.emplace(uscc, std::move(ent));
  }
  if (registry.contains("revoked")) {
    if (!registry.at("revoked").is_array()) fail(file, "\"revoked\" must be a list");
    for (const auto& r : registry.at("revoked")) {
      const auto serial = normalise_serial(string_member(r, "serial", file, "revoked entry"));
      if (!serial) fail(file, "revoked entry: \"serial\" is not hex");
      s.revoked[*serial] = RegistryRevocation{optional_string(r, "reason"), parse_utc(optional_string(r, "revoked_at"))};
    }
  }
}

void load_applications(const json& sandbox, const fs::path& file, SandboxConnector::State& s) {
  if (!sandbox.contains("applications")) return;
  const json& apps = sandbox.at("applications");
  if (!apps.is_array()) fail(file, "\"applications\" must be a list");
  for (const auto& a : apps) {
    const std::string where = "application " + optional_string(a, "client_id");
    SandboxApplication app;
    app.client_id = string_member(a, "client_id", file, where);
    app.client_secret = string_member(a, "client_secret", file, where);
    if (app.client_id.empty() || app.client_secret.empty()) fail(file, where + ": empty client_id or client_secret");
    app.name = string_member(a, "name", file, where);
    app.department = optional_string(a, "department");
    app.scope = optional_string(a, "scope");
    app.province = optional_string(a, "province");
    app.needs = string_list(a, "needs", file, where);
    app.channels = string_list(a, "channels", file, where);
    app.matters = string_list(a, "matters", file, where);
    app.annual_volume = int_member(a, "annual_volume", file, where);
    app.peak_rate = int_member(a, "peak_rate", file, where);
    if (a.contains("redirect_uris")) app.redirect_uris = string_list(a, "redirect_uris", file, where);
    if (a.contains("plugins")) app.plugins = string_list(a, "plugins", file, where);
    if (a.contains("scripts")) app.scripts = string_list(a, "scripts", file, where);
    s.applications.push_back(std::move(app));
  }
}

std::shared_ptr<const SandboxConnector::State> load_state(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw AuthorityError("sandbox: " + dir.string() + ": not a folder");
  auto s = std::make_shared<SandboxConnector::State>();
  const fs::path sandbox_file = dir / "sandbox.json";
  const json sandbox = read_json(sandbox_file);
  if (optional_string(sandbox, "format") != "zhaoyin-sandbox/1")
    fail(sandbox_file, "\"format\" is not zhaoyin-sandbox/1");
  load_authority(dir, sandbox, sandbox_file, *s);
  load_certificates(dir, *s);
  const std::string registry = optional_string(sandbox.value("authority", json::object()), "registry");
  s->registry_file = registry.empty() ? dir / "authority" / "registry.json" : inside(dir, sandbox_file, registry);
  load_registry(dir, s->registry_file, *s);
  load_applications(sandbox, sandbox_file, *s);
  return s;
}

// The CRL of the CA that issued `cert` (matched by issuer name), if loaded.
const trust::Crl* crl_for(const SandboxConnector::State& s, const trust::Certificate& cert) {
  const auto issuer = cert.issuer().attributes;
  for (const auto& crl : s.crls) {
    if (crl.issuer().attributes == issuer) return &crl;
  }
  return nullptr;
}

}  // namespace

SandboxConnector::SandboxConnector(fs::path dir) : dir_(std::move(dir)), state_(load_state(dir_)) {}

SandboxConnector::~SandboxConnector() = default;

std::shared_ptr<const SandboxConnector::State> SandboxConnector::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

// The operator's commands (`zhaoyin authority replace-seal | revoke-seal`,
// tools/authority) append to the feed in DIR/authority/authority-state.json;
// read afresh at each call, so a change shows without a reload. No file: the
// authority has changed nothing yet, an empty feed.
std::optional<SealChangePage> SandboxConnector::seal_changes(std::int64_t since, std::size_t limit) const {
  SealChangePage page;
  page.next = since;
  const fs::path file = dir_ / "authority" / "authority-state.json";
  std::error_code ec;
  if (!fs::exists(file, ec)) return page;
  const json doc = read_json(file);
  try {
    for (const auto& e : doc.value("seal_changes", json::array())) {
      const auto seq = e.at("seq").get<std::int64_t>();
      if (seq <= since) continue;
      if (page.changes.size() >= limit) {
        page.more = true;
        break;
      }
      page.changes.push_back({seq, e.at("event").get<std::string>(), e.at("es_id").get<std::string>(),
                              e.at("uscc").get<std::string>(), e.value("related", std::string()),
                              e.value("at", std::string())});
      page.next = seq;
    }
  } catch (const json::exception& e) {
    fail(file, std::string("seal_changes: ") + e.what());
  }
  return page;
}

void SandboxConnector::reload() {
  auto fresh = load_state(dir_);  // throws before anything changes
  std::lock_guard lock(mutex_);
  state_ = std::move(fresh);
}

trust::TrustStore SandboxConnector::trust_store() const { return state()->trust; }

std::optional<trust::Certificate> SandboxConnector::find_certificate(const std::string& serial_hex) const {
  const auto serial = normalise_serial(serial_hex);
  if (!serial) return std::nullopt;
  const auto s = state();
  if (auto it = s->certificates.find(*serial); it != s->certificates.end()) return it->second;
  return std::nullopt;
}

RevocationStatus SandboxConnector::revocation_status(const std::string& serial_hex) const {
  RevocationStatus status;
  const auto serial = normalise_serial(serial_hex);
  if (!serial) return status;
  const auto s = state();
  const auto cert = s->certificates.find(*serial);
  if (cert == s->certificates.end()) return status;  // never issued by this authority
  status.state = CertificateState::Good;
  if (const trust::Crl* crl = crl_for(*s, cert->second)) {
    if (auto entry = crl->find(*serial)) {
      status.state = CertificateState::Revoked;
      status.revoked_at = entry->revoked_at;
      status.reason = crl_reason_name(entry->reason);
    }
  }
  if (auto it = s->revoked.find(*serial); it != s->revoked.end()) {
    status.state = CertificateState::Revoked;
    if (!it->second.reason.empty()) status.reason = it->second.reason;
    if (!status.revoked_at) status.revoked_at = it->second.revoked_at;
  }
  return status;
}

std::optional<domain::FaceInfo> SandboxConnector::find_license(const std::string& uscc) const {
  const auto s = state();
  if (auto it = s->enterprises.find(uscc); it != s->enterprises.end()) return it->second.face;
  return std::nullopt;
}

std::optional<HolderRecord> SandboxConnector::find_holder(const std::string& cert_serial_hex) const {
  const auto serial = normalise_serial(cert_serial_hex);
  if (!serial) return std::nullopt;
  const auto s = state();
  const auto it = s->holder_index.find(*serial);
  if (it == s->holder_index.end()) return std::nullopt;
  return s->enterprises.at(it->second.first).holders.at(it->second.second);
}

std::vector<HolderRecord> SandboxConnector::holders_of(const std::string& uscc) const {
  const auto s = state();
  const auto it = s->enterprises.find(uscc);
  if (it == s->enterprises.end()) return {};
  auto holders = it->second.holders;
  std::stable_partition(holders.begin(), holders.end(), [](const HolderRecord& h) {
    return h.role == domain::HolderRole::LegalRepresentative;
  });
  return holders;
}

std::vector<SealRecord> SandboxConnector::seals_of(const std::string& uscc) const {
  const auto s = state();
  const auto it = s->enterprises.find(uscc);
  if (it == s->enterprises.end()) return {};
  return it->second.seals;
}

std::vector<PermitRecord> SandboxConnector::permits_of(const std::string& uscc) const {
  const auto s = state();
  const auto it = s->enterprises.find(uscc);
  if (it == s->enterprises.end()) return {};
  // Read again from registry.json on every call: a permit the operator adds
  // or revokes (`zhaoyin authority revoke-permit`) is seen at once, as the
  // http driver sees it with freshness 0. Checked as at load time.
  std::vector<PermitRecord> out;
  const json registry = read_json(s->registry_file);
  const json& enterprises = member(registry, "enterprises", s->registry_file, "registry");
  if (!enterprises.is_array()) fail(s->registry_file, "\"enterprises\" must be a list");
  for (const auto& e : enterprises) {
    if (optional_string(e.value("face_info", json::object()), "uscc") != uscc || !e.contains("permits")) continue;
    const json& permits = e.at("permits");
    if (!permits.is_array() || permits.size() > kMaxPermitsPerEnterprise)
      fail(s->registry_file, "enterprise " + uscc + ": \"permits\" must be a list of at most " +
                                 std::to_string(kMaxPermitsPerEnterprise));
    for (const auto& p : permits) {
      try {
        out.push_back(permit_from_json(p, uscc));
      } catch (const std::invalid_argument& ex) {
        fail(s->registry_file, "enterprise " + uscc + ": " + ex.what());
      }
    }
  }
  const auto now = std::chrono::system_clock::now();
  for (auto& p : out) p.status = permit_status_on(p.status, p.valid_to, now);
  return out;
}

std::optional<std::string> SandboxConnector::find_uscc_by_name(const std::string& name) const {
  const auto s = state();
  for (const auto& uscc : s->usccs)
    if (s->enterprises.at(uscc).face.name == name) return uscc;
  return std::nullopt;
}

std::vector<SandboxApplication> SandboxConnector::applications() const { return state()->applications; }

std::vector<std::string> SandboxConnector::enterprise_usccs() const { return state()->usccs; }

trust::Certificate SandboxConnector::root_certificate() const { return state()->root; }

trust::Certificate SandboxConnector::seal_maker_certificate() const { return state()->seal_maker; }

}  // namespace zhaoyin::authority
