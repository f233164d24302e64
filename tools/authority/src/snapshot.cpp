#include "snapshot.h"

#include <openssl/objects.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <zhaoyin/sandbox/authority_url.h>
#include <zhaoyin/trust/der.h>
#include "atomic_file.h"

namespace zhaoyin::authority_service {

using nlohmann::json;

namespace {

json read_json(const fs::path& file) {
  json doc = json::parse(read_whole_file(file), nullptr, false);
  if (!doc.is_object()) throw std::runtime_error(file.string() + ": not a JSON object");
  return doc;
}

std::string text(const json& object, const char* key, const fs::path& file) {
  if (!object.contains(key) || !object.at(key).is_string())
    throw std::runtime_error(file.string() + ": missing \"" + key + "\"");
  return object.at(key).get<std::string>();
}

CaRecord load_ca(const fs::path& dir, std::string name, const std::string& cert, const std::string& crl) {
  CaRecord ca;
  ca.name = std::move(name);
  ca.cert_file = dir / cert;
  ca.key_file = key_file_of(ca.cert_file);
  ca.crl_file = dir / crl;
  ca.cert = trust::Certificate::from_pem(read_whole_file(ca.cert_file));
  ca.key = trust::Sm2Key::from_pem(read_whole_file(ca.key_file));
  ca.crl = trust::Crl::from_pem(read_whole_file(ca.crl_file));
  if (!ca.key.same_public_key(ca.cert.public_key()))
    throw std::runtime_error(ca.key_file.string() + ": not the key of " + ca.cert_file.string());
  if (!ca.crl.signed_by(ca.cert)) throw std::runtime_error(ca.crl_file.string() + ": not signed by " + ca.name);
  return ca;
}

// DER of ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
// (RFC 5280 §4.2.1.12) with one purpose. OpenSSL encodes the OID: its arcs in
// the 2.25 UUID arc exceed 64 bits.
trust::Bytes extended_key_usage(std::string_view dotted) {
  ASN1_OBJECT* object = OBJ_txt2obj(std::string(dotted).c_str(), 1);
  unsigned char* der = nullptr;
  const int len = object ? i2d_ASN1_OBJECT(object, &der) : 0;
  ASN1_OBJECT_free(object);
  if (len <= 0) throw std::runtime_error("cannot encode the OID " + std::string(dotted));
  const trust::Bytes oid(der, der + len);
  OPENSSL_free(der);
  return trust::der::tlv(trust::der::kSequence, oid);
}

}  // namespace

fs::path key_file_of(const fs::path& cert_file) {
  fs::path key = cert_file;
  key.replace_extension(".key");
  return key;
}

std::shared_ptr<const Snapshot> Snapshot::load(const fs::path& dir) {
  auto s = std::make_shared<Snapshot>();
  s->dir = dir;
  // The operator's records first: a command writes them last, so a snapshot
  // never shows a generation whose CRL or registry it has not read yet.
  s->state = load_state(dir);
  const fs::path manifest_file = dir / "sandbox.json";
  const json manifest = read_json(manifest_file);
  const json authority = manifest.value("authority", json::object());
  s->base_url = authority.contains("url") && authority["url"].is_string() ? authority["url"].get<std::string>()
                                                                          : sandbox::kDefaultAuthorityUrl;
  s->cas.push_back(load_ca(dir, "root", text(authority, "root", manifest_file),
                           authority.value("root_crl", std::string("authority/crl-root.pem"))));
  s->root = s->cas.front().cert;
  for (const auto& ca : authority.value("issuing_cas", json::array()))
    s->cas.push_back(load_ca(dir, text(ca, "province", manifest_file), text(ca, "cert", manifest_file),
                             text(ca, "crl", manifest_file)));
  s->seal_maker = trust::Certificate::from_pem(read_whole_file(dir / text(authority, "seal_maker", manifest_file)));
  s->relying_party_ca = trust::Certificate::from_pem(read_whole_file(dir / "authority" / "rp-ca.pem"));
  // Made by the service when it first starts (ensure_status_signer); the
  // operator commands work on a sandbox that has never been served.
  std::error_code ec;
  if (fs::exists(dir / "authority" / "status-signer.pem", ec)) {
    s->status_signer = trust::Certificate::from_pem(read_whole_file(dir / "authority" / "status-signer.pem"));
    s->status_signer_key = trust::Sm2Key::from_pem(read_whole_file(dir / "authority" / "status-signer.key"));
  }
  s->sandbox = std::make_shared<authority::SandboxConnector>(dir);

  const json registry = read_json(dir / authority.value("registry", std::string("authority/registry.json")));
  for (const auto& e : registry.value("enterprises", json::array())) {
    const std::string uscc = e.value("face_info", json::object()).value("uscc", std::string());
    s->provinces[uscc] = e.value("province", std::string());
  }
  for (const auto& uscc : s->sandbox->enterprise_usccs())
    for (auto& seal : s->sandbox->seals_of(uscc)) s->seals.emplace(seal.es_id, std::move(seal));
  return s;
}

const CaRecord* Snapshot::ca_named(const std::string& name) const {
  for (const auto& ca : cas)
    if (ca.name == name) return &ca;
  return nullptr;
}

std::optional<trust::Certificate> Snapshot::find_issued(const std::string& serial) const {
  if (auto cert = sandbox->find_certificate(serial)) return cert;
  for (const auto& ca : cas)
    if (ca.name != "root" && ca.cert.serial_hex() == serial) return ca.cert;
  if (status_signer.valid() && status_signer.serial_hex() == serial) return status_signer;
  return std::nullopt;
}

const CaRecord* Snapshot::issuer_of(const trust::Certificate& cert) const {
  for (const auto& ca : cas) {
    if (ca.cert.subject().attributes == cert.issuer().attributes && cert.signed_by(ca.cert)) return &ca;
  }
  return nullptr;
}

bool ensure_status_signer(const fs::path& dir) {
  const fs::path authority = dir / "authority";
  std::error_code ec;
  if (fs::exists(authority / "status-signer.pem", ec) && fs::exists(authority / "status-signer.key", ec)) return false;
  const json manifest = read_json(dir / "sandbox.json");
  const std::string base = manifest.value("authority", json::object()).value("url", std::string(sandbox::kDefaultAuthorityUrl));
  const auto root = trust::Certificate::from_pem(read_whole_file(authority / "root.pem"));
  const auto root_key = trust::Sm2Key::from_pem(read_whole_file(authority / "root.key"));
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  trust::CertificateRequest request;
  request.subject = trust::DistinguishedName{
      {{"C", "CN"}, {"O", "Zhaoyin Sandbox"}, {"CN", "Zhaoyin Sandbox Authority Status Signer"}}};
  request.subject_key = trust::Sm2Key::generate();
  // An end entity with digitalSignature only; its extendedKeyUsage names the
  // one thing it signs, so no other sandbox key can pass for it.
  request.profile = trust::CertProfile::SealMaker;
  request.not_before = now - std::chrono::hours(24);
  request.not_after = now + std::chrono::hours(24 * 365 * 3);
  request.crl_distribution_point = sandbox::crl_url(base, "root");
  request.extra_extensions.emplace_back(
      "2.5.29.37", extended_key_usage(kStatusSigningPurpose));
  const auto cert = trust::issue_certificate(request, root_key, &root);
  write_file_atomically(authority / "status-signer.key", request.subject_key.private_pem(), FileMode::Secret);
  write_file_atomically(authority / "status-signer.pem", cert.pem());
  return true;
}

}  // namespace zhaoyin::authority_service
