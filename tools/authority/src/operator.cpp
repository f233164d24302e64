#include <zhaoyin/authority_service/operator.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <zhaoyin/authority/connector.h>
#include <zhaoyin/authority/permit.h>
#include <zhaoyin/sandbox/impression.h>
#include <zhaoyin/trust/seal.h>
#include "atomic_file.h"
#include "authority_state.h"
#include "crl_reasons.h"
#include "snapshot.h"

namespace zhaoyin::authority_service {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::system_clock;

constexpr auto kCrlLifetime = std::chrono::hours(24 * 365);  // as `sandbox init` (docs/SANDBOX.md)

fs::path registry_file(const fs::path& dir) {
  const json manifest = json::parse(read_whole_file(dir / "sandbox.json"), nullptr, false);
  std::string relative = "authority/registry.json";
  if (manifest.is_object() && manifest.contains("authority") && manifest["authority"].contains("registry"))
    relative = manifest["authority"]["registry"].get<std::string>();
  return dir / relative;
}

json read_registry(const fs::path& dir) {
  json registry = json::parse(read_whole_file(registry_file(dir)), nullptr, false);
  if (!registry.is_object() || !registry.contains("enterprises"))
    throw std::runtime_error(registry_file(dir).string() + ": not a registry");
  return registry;
}

void write_registry(const fs::path& dir, const json& registry) {
  write_file_atomically(registry_file(dir), registry.dump(2, ' ', false) + "\n");
}

// The registry's enterprise that lists the seal, and the seal's place in it.
std::pair<json*, std::size_t> find_seal(json& registry, const std::string& es_id) {
  for (auto& e : registry["enterprises"]) {
    auto& seals = e["seals"];
    for (std::size_t i = 0; i < seals.size(); ++i)
      if (seals[i].value("es_id", std::string()) == es_id) return {&e, i};
  }
  throw std::invalid_argument("no current seal with code " + es_id + " in the registry");
}

std::string new_seal_code(const json& registry, const AuthorityState& state, const std::string& old_code) {
  if (old_code.size() < 5) throw std::invalid_argument("seal code " + old_code + " is too short to derive a new one");
  const std::string prefix = old_code.substr(0, old_code.size() - 4);
  const auto used = [&](const std::string& code) {
    if (state.seals.count(code)) return true;
    for (const auto& e : registry["enterprises"])
      for (const auto& s : e["seals"])
        if (s.value("es_id", std::string()) == code) return true;
    return false;
  };
  for (int n = std::stoi(old_code.substr(old_code.size() - 4)) + 1; n <= 9999; ++n) {
    char digits[16];
    std::snprintf(digits, sizeof digits, "%04d", n);
    if (!used(prefix + digits)) return prefix + digits;
  }
  throw std::runtime_error("no free seal code after " + old_code);
}

// The impression as `sandbox init` draws it (tools/sandbox/src/seals.cpp),
// with the new code on the bottom arc.
sandbox::Impression draw_impression(const json& face, const json& seal, const std::string& es_id) {
  const std::string type = seal.value("type", std::string());
  if (type == "legal_rep")
    return sandbox::render_square_seal(sandbox::SquareSealSpec{face.value("legal_representative", std::string()), true, 20});
  sandbox::RoundSealSpec spec;
  spec.arc_text = face.value("name", std::string());
  spec.label = type == "company" ? "" : seal.value("type_label", std::string());
  spec.middle_text = type == "invoice" ? face.value("uscc", std::string()) : "";
  spec.code = es_id;
  spec.diameter_mm = 42;
  return sandbox::render_round_seal(spec);
}

}  // namespace

RevokeResult revoke_license(const fs::path& dir, const std::string& serial_text, const std::string& reason_text) {
  OperatorLock lock(dir / "authority");
  const auto serial = authority::normalise_serial(serial_text);
  if (!serial) throw std::invalid_argument("not a certificate serial (hex): " + serial_text);
  const int reason = crl_reason_code(reason_text);
  const auto snapshot = Snapshot::load(dir);
  const auto cert = snapshot->sandbox->find_certificate(*serial);
  if (!cert) throw std::invalid_argument("the sandbox issued no certificate with serial " + *serial);
  const CaRecord* ca = snapshot->issuer_of(*cert);
  if (!ca || ca->name == "root") throw std::invalid_argument("certificate " + *serial + " is not a license certificate");
  if (ca->crl.find(*serial)) throw std::invalid_argument("certificate " + *serial + " is already revoked");

  const auto now = std::chrono::floor<std::chrono::seconds>(Clock::now());
  auto entries = ca->crl.entries();
  entries.push_back(trust::RevokedEntry{*serial, now, reason});
  const long number = ca->crl.crl_number() + 1;
  // RFC 5280 §5.2.3: a CRL number that increases with every CRL the CA issues.
  const trust::Crl crl = trust::issue_crl(ca->cert, ca->key, entries, now, now + kCrlLifetime, number);
  write_file_atomically(ca->crl_file, crl.pem());

  json registry = read_registry(dir);
  if (!registry.contains("revoked") || !registry["revoked"].is_array()) registry["revoked"] = json::array();
  registry["revoked"].push_back({{"serial", *serial},
                                 {"province", ca->name},
                                 {"reason", crl_reason_name(reason)},
                                 {"revoked_at", iso8601_now()}});
  write_registry(dir, registry);

  AuthorityState state = snapshot->state;
  save_state(dir, state);
  return RevokeResult{*serial, ca->name, number};
}

void set_enterprise_status(const fs::path& dir, const std::string& uscc, const std::string& status_text) {
  OperatorLock lock(dir / "authority");
  const EnterpriseStatus status = enterprise_status_from(status_text);
  AuthorityState state = load_state(dir);
  json registry = read_registry(dir);
  bool found = false;
  for (auto& e : registry["enterprises"]) {
    auto& face = e["face_info"];
    if (face.value("uscc", std::string()) != uscc) continue;
    found = true;
    // The license's face carries 存续/吊销/注销 (domain::LicenseStatus); 迁出
    // has no place there, so a moved-out enterprise keeps its face as it was.
    if (status != EnterpriseStatus::MovedOut) {
      face["status"] = to_string(status);
      if (face.contains("status_label")) face["status_label"] = status_label(status);
    }
  }
  if (!found) throw std::invalid_argument("no enterprise with USCC " + uscc + " in the registry");
  write_registry(dir, registry);
  state.enterprises[uscc] = EnterpriseChange{status, iso8601_now()};
  save_state(dir, state);
}

std::string replace_seal(const fs::path& dir, const std::string& es_id) {
  OperatorLock lock(dir / "authority");
  AuthorityState state = load_state(dir);
  json registry = read_registry(dir);
  auto [enterprise, index] = find_seal(registry, es_id);
  json& seal = (*enterprise)["seals"][index];
  const json face = (*enterprise)["face_info"];
  const std::string new_code = new_seal_code(registry, state, es_id);

  trust::ParsedSeal old = trust::parse_seal(trust::to_bytes(read_whole_file(dir / seal.value("file", std::string()))));
  const auto maker = trust::Certificate::from_pem(read_whole_file(dir / "authority" / "seal-maker.pem"));
  const auto maker_key = trust::Sm2Key::from_pem(read_whole_file(dir / "authority" / "seal-maker.key"));
  const sandbox::Impression impression = draw_impression(face, seal, new_code);
  const auto now = std::chrono::floor<std::chrono::seconds>(Clock::now());
  trust::SealInfo info = old.info;  // same type, name and signers
  info.es_id = new_code;
  info.created = now;
  info.valid_start = now - std::chrono::hours(1);
  info.valid_end = now + std::chrono::hours(24 * 365 * 3);
  info.picture.data = impression.png;
  const trust::Bytes der = trust::build_seal_v4(info, maker_key, maker);
  write_file_atomically(dir / "seals" / (new_code + ".seal"), std::string(der.begin(), der.end()));
  write_file_atomically(dir / "seals" / (new_code + ".png"), std::string(impression.png.begin(), impression.png.end()));

  const std::string uscc = face.value("uscc", std::string());
  const std::string at = iso8601_now();
  state.seals[es_id] = SealChange{uscc, seal.value("type", std::string()), seal.value("name", std::string()),
                                  "replaced", new_code, at};
  seal["es_id"] = new_code;
  seal["file"] = "seals/" + new_code + ".seal";
  seal["image"] = "seals/" + new_code + ".png";
  write_registry(dir, registry);
  state.add_seal_event("replaced", es_id, uscc, new_code, at);
  state.add_seal_event("new", new_code, uscc, es_id, at);
  save_state(dir, state);
  return new_code;
}

void revoke_seal(const fs::path& dir, const std::string& es_id) {
  OperatorLock lock(dir / "authority");
  AuthorityState state = load_state(dir);
  json registry = read_registry(dir);
  auto [enterprise, index] = find_seal(registry, es_id);
  const json seal = (*enterprise)["seals"][index];
  const std::string uscc = (*enterprise)["face_info"].value("uscc", std::string());
  (*enterprise)["seals"].erase(index);
  write_registry(dir, registry);
  const std::string at = iso8601_now();
  state.seals[es_id] = SealChange{uscc, seal.value("type", std::string()), seal.value("name", std::string()),
                                  "revoked", "", at};
  state.add_seal_event("revoked", es_id, uscc, "", at);
  save_state(dir, state);
}

namespace {

json& enterprise_in(json& registry, const std::string& uscc) {
  for (auto& e : registry["enterprises"])
    if (e["face_info"].value("uscc", std::string()) == uscc) return e;
  throw std::invalid_argument("no enterprise with USCC " + uscc + " in the registry");
}

}  // namespace

void add_permit(const fs::path& dir, const PermitSpec& spec) {
  OperatorLock lock(dir / "authority");
  AuthorityState state = load_state(dir);
  json registry = read_registry(dir);
  json& enterprise = enterprise_in(registry, spec.uscc);
  if (!enterprise.contains("permits") || !enterprise["permits"].is_array()) enterprise["permits"] = json::array();
  json& permits = enterprise["permits"];
  for (const auto& p : permits)
    if (p.value("number", std::string()) == spec.number)
      throw std::invalid_argument("enterprise " + spec.uscc + " already holds permit " + spec.number);
  if (permits.size() >= authority::kMaxPermitsPerEnterprise)
    throw std::invalid_argument("enterprise " + spec.uscc + " holds the most permits the registry keeps");
  const json permit = {{"number", spec.number},         {"kind", spec.kind},         {"issuer", spec.issuer},
                       {"scope", spec.scope},           {"valid_from", spec.valid_from}, {"valid_to", spec.valid_to},
                       {"status", "valid"},             {"revoked_at", nullptr}};
  authority::permit_from_json(permit, spec.uscc);  // the same checks the readers make (throws invalid_argument)
  permits.push_back(permit);
  write_registry(dir, registry);
  save_state(dir, state);
}

void revoke_permit(const fs::path& dir, const std::string& uscc, const std::string& number) {
  OperatorLock lock(dir / "authority");
  AuthorityState state = load_state(dir);
  json registry = read_registry(dir);
  json& enterprise = enterprise_in(registry, uscc);
  if (!enterprise.contains("permits") || !enterprise["permits"].is_array())
    throw std::invalid_argument("enterprise " + uscc + " holds no permit " + number);
  for (auto& p : enterprise["permits"]) {
    if (p.value("number", std::string()) != number) continue;
    if (p.value("status", std::string()) == "revoked")
      throw std::invalid_argument("permit " + number + " of " + uscc + " is already revoked");
    p["status"] = "revoked";
    p["revoked_at"] = iso8601_now();
    write_registry(dir, registry);
    save_state(dir, state);
    return;
  }
  throw std::invalid_argument("enterprise " + uscc + " holds no permit " + number);
}

void withdraw_grant(const fs::path& dir, const std::string& holder_serial) {
  OperatorLock lock(dir / "authority");
  const auto serial = authority::normalise_serial(holder_serial);
  if (!serial) throw std::invalid_argument("not a certificate serial (hex): " + holder_serial);
  const authority::SandboxConnector sandbox(dir);
  const auto holder = sandbox.find_holder(*serial);
  if (!holder || !holder->grant) throw std::invalid_argument("no holder with a grant has certificate " + *serial);
  AuthorityState state = load_state(dir);
  if (state.grants.count(*serial)) throw std::invalid_argument("the grant of " + *serial + " is already withdrawn");
  state.grants[*serial] = GrantChange{"withdrawn", iso8601_now()};
  save_state(dir, state);
}

}  // namespace zhaoyin::authority_service
