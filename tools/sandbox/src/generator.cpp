// Orchestrates the sandbox: builds everything in memory first (so a failure
// leaves the folder as it was, apart from a forced removal), then writes the
// files, sandbox.json last.
#include <zhaoyin/sandbox/generator.h>

#include <fstream>
#include <set>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/uscc.h>
#include "applications.h"
#include "ca_hierarchy.h"
#include <zhaoyin/sandbox/tsa.h>
#include "files.h"
#include "holders.h"
#include "records.h"
#include "seal_upgrade.h"
#include "seals.h"

namespace zhaoyin::sandbox {

namespace {

constexpr const char* kManifest = "sandbox.json";
// The folders the generator owns inside DIR; nothing else there is touched.
constexpr const char* kOwnedFolders[] = {"authority", "seals", "wallets", "admin"};

Enterprise make_enterprise(const EnterprisePlan& plan, CaHierarchy& ca, TimePoint now,
                           const ImpressionOptions& impression) {
  Enterprise e;
  e.plan = plan;
  e.face = plan.face;
  e.face.uscc = trust::uscc_generate(plan.region, plan.entity_type, plan.seed);
  if (!trust::uscc_valid(e.face.uscc) || e.face.uscc.substr(2, 2) != plan.province) {
    throw SandboxError("generated USCC " + e.face.uscc + " for " + e.face.name + " is not valid for province " +
                       plan.province);
  }
  make_holders(e, ca, now);
  make_seals(e, ca, now, impression);
  sign_grants(e);
  apply_revocations(e, ca, now);
  return e;
}

void check_unique(const std::vector<Enterprise>& enterprises) {
  std::set<std::string> usccs;
  std::set<std::string> es_ids;
  for (const auto& e : enterprises) {
    if (!usccs.insert(e.face.uscc).second) throw SandboxError("demo data: duplicate USCC " + e.face.uscc);
    for (const auto& s : e.seals) {
      if (!es_ids.insert(s.es_id).second) throw SandboxError("demo data: duplicate seal code " + s.es_id);
    }
  }
}

bool authorisation_expired(const Holder& h, TimePoint now) {
  // ISO 8601 UTC strings of one fixed format compare in time order.
  return h.authorisation.valid_to < iso8601_utc(now);
}

nlohmann::json manifest_json(const std::vector<Enterprise>& enterprises, const CaHierarchy& ca,
                             const nlohmann::json& applications, TimePoint now) {
  nlohmann::json issuing = nlohmann::json::array();
  for (const auto& c : ca.issuing_cas()) {
    const std::string p = c.province.code;
    issuing.push_back({{"province", p},
                       {"name", c.province.name},
                       {"cert", "authority/ca-" + p + ".pem"},
                       {"crl", "authority/crl-" + p + ".pem"}});
  }
  nlohmann::json listed = nlohmann::json::array();
  nlohmann::json wallets = nlohmann::json::array();
  for (const Enterprise& e : enterprises) {
    bool any_revoked = false;
    for (const Holder& h : e.holders) {
      any_revoked = any_revoked || h.revocation.has_value();
      wallets.push_back({{"path", h.wallet_path},
                         {"holder", h.plan.name},
                         {"role", domain::to_string(h.plan.role)},
                         {"password", h.password},
                         {"uscc", e.face.uscc},
                         {"enterprise", e.face.name},
                         {"cert_serial", h.cert.serial_hex()},
                         {"cert_revoked", h.revocation.has_value()},
                         {"authorisation_expired", authorisation_expired(h, now)},
                         {"note", h.plan.note}});
    }
    listed.push_back({{"uscc", e.face.uscc},
                      {"name", e.face.name},
                      {"province", e.plan.province},
                      {"kind", domain::to_string(e.face.kind)},
                      {"status", domain::to_string(e.face.status)},
                      {"license_revoked", any_revoked}});
  }
  return nlohmann::json{{"format", "zhaoyin-sandbox/1"},
                        {"created_at", iso8601_utc(now)},
                        {"authority",
                         {{"url", ca.authority_url()},
                          {"root", "authority/root.pem"},
                          {"root_crl", "authority/crl-root.pem"},
                          {"seal_maker", "authority/seal-maker.pem"},
                          {"registry", "authority/registry.json"},
                          {"issuing_cas", issuing}}},
                        {"admin", {{"operator_token", "admin/operator-token"}}},
                        {"enterprises", listed},
                        {"wallets", wallets},
                        {"applications", applications}};
}

// The operator API token (admin.token_file defaults to this file when the host
// runs with --sandbox). Written once; true when it was written now.
bool ensure_operator_token(const fs::path& admin_dir) {
  const fs::path file = admin_dir / "operator-token";
  if (fs::exists(file)) return false;
  fs::create_directories(admin_dir);
  write_file(file, trust::hex_encode(trust::random_bytes(24)) + "\n", FileMode::Secret);
  return true;
}

// The demo staff accounts for the /admin pages, one per role, with random
// passwords: the host creates the missing ones at start (docs/ADMIN.md).
// Written once; true when it was written now.
bool ensure_staff_accounts(const fs::path& admin_dir) {
  const fs::path file = admin_dir / "staff.json";
  if (fs::exists(file)) return false;
  fs::create_directories(admin_dir);
  const auto password = [] { return trust::base64url_encode(trust::random_bytes(12)); };
  const nlohmann::json accounts = nlohmann::json::array({
      {{"username", "applicant"}, {"display_name", "演示申请人"}, {"role", "applicant"}, {"password", password()}},
      {{"username", "reviewer"}, {"display_name", "演示审核员"}, {"role", "reviewer"}, {"password", password()}},
      {{"username", "operator"}, {"display_name", "演示运维管理员"}, {"role", "operator"}, {"password", password()}},
  });
  write_json(file, {{"accounts", accounts}}, FileMode::Secret);
  return true;
}

// What the manifest's "admin" object lists: the operator token file and the
// demo staff accounts with their passwords.
nlohmann::json admin_manifest(const fs::path& admin_dir) {
  nlohmann::json admin = {{"operator_token", "admin/operator-token"}, {"staff_file", "admin/staff.json"}};
  nlohmann::json staff = nlohmann::json::array();
  std::ifstream in(admin_dir / "staff.json");
  if (in) {
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_object() && doc.contains("accounts")) staff = doc["accounts"];
  }
  admin["staff"] = staff;
  return admin;
}

void remove_owned(const fs::path& dir) {
  fs::remove(dir / kManifest);  // first: from here on the folder is no longer a complete sandbox
  for (const char* folder : kOwnedFolders) fs::remove_all(dir / folder);
}

}  // namespace

bool sandbox_exists(const fs::path& dir) { return fs::exists(dir / kManifest); }

InitResult init_sandbox(const fs::path& dir, const InitOptions& options) {
  InitResult result;
  result.manifest = dir / kManifest;
  const bool existed = sandbox_exists(dir);
  if (existed && !options.force) {
    result.outcome = InitOutcome::AlreadyPresent;
    // Sandboxes made before the host had a relying-party credential (or that
    // lack a requested host name) get one.
    add_host_names(dir / "authority", options.host_names);
    result.upgraded = ensure_host_credential(dir / "authority", std::chrono::floor<std::chrono::seconds>(
                                                                     std::chrono::system_clock::now()));
    result.upgraded = ensure_operator_token(dir / "admin") || result.upgraded;
    result.upgraded = ensure_tsa_credential(dir / "authority", std::chrono::system_clock::now()) || result.upgraded;
    result.seals_reissued = reissue_pre_standard_seals(dir);
    result.upgraded = result.seals_reissued > 0 || result.upgraded;
    if (ensure_staff_accounts(dir / "admin")) {
      // List the new accounts in the manifest too.
      std::ifstream in(dir / kManifest);
      auto manifest = nlohmann::json::parse(in, nullptr, false);
      if (manifest.is_object()) {
        manifest["admin"] = admin_manifest(dir / "admin");
        write_json(dir / kManifest, manifest, FileMode::Secret);
      }
      result.upgraded = true;
    }
    return result;
  }
  if (fs::exists(dir) && !fs::is_directory(dir)) throw SandboxError(dir.string() + " exists and is not a folder");

  const TimePoint now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  CaHierarchy ca = CaHierarchy::create(now, options.authority_url);
  std::vector<Enterprise> enterprises;
  for (const auto& plan : demo_enterprises()) enterprises.push_back(make_enterprise(plan, ca, now, options.impression));
  check_unique(enterprises);
  ca.issue_crls(now);
  const nlohmann::json applications = demo_applications();

  fs::create_directories(dir);
  remove_owned(dir);
  add_host_names(dir / "authority", options.host_names);
  ca.write(dir / "authority", now);
  ensure_tsa_credential(dir / "authority", now);
  write_json(dir / "authority" / "registry.json", registry_json(enterprises));
  fs::create_directories(dir / "seals");
  fs::create_directories(dir / "wallets");
  for (const Enterprise& e : enterprises) {
    for (const Seal& s : e.seals) {
      write_file(dir / "seals" / (s.es_id + ".seal"), s.der);
      write_file(dir / "seals" / (s.es_id + ".png"), s.png);
      ++result.seals;
    }
    for (const Holder& h : e.holders) {
      // Encrypted under the license password, but still key material.
      write_json(dir / h.wallet_path, wallet_json(e, h, ca), FileMode::Secret);
      ++result.wallets;
    }
  }
  ensure_operator_token(dir / "admin");
  ensure_staff_accounts(dir / "admin");
  // Holds every license password and client secret of the sandbox.
  nlohmann::json manifest = manifest_json(enterprises, ca, applications, now);
  manifest["admin"] = admin_manifest(dir / "admin");
  write_json(dir / kManifest, manifest, FileMode::Secret);

  result.outcome = existed ? InitOutcome::Recreated : InitOutcome::Created;
  result.enterprises = enterprises.size();
  result.applications = applications.size();
  return result;
}

}  // namespace zhaoyin::sandbox
