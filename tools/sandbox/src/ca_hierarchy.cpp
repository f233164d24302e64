#include "ca_hierarchy.h"

#include <algorithm>
#include <sstream>
#include <zhaoyin/sandbox/error.h>
#include <zhaoyin/sandbox/authority_url.h>
#include "files.h"

namespace zhaoyin::sandbox {

namespace {

constexpr int kYear = 365;
// The sandbox is kept for a long time between `init`s; a CRL that expired
// would make every chain check fail with crl_expired, so its next update is a
// year away (a real CA publishes far more often).
constexpr int kCrlLifetimeDays = kYear;

trust::DistinguishedName dn(std::vector<std::pair<std::string, std::string>> attributes) {
  return trust::DistinguishedName{std::move(attributes)};
}

trust::Certificate issue(const trust::DistinguishedName& subject, const trust::Sm2Key& subject_key,
                         trust::CertProfile profile, TimePoint not_before, TimePoint not_after,
                         const trust::Sm2Key& issuer_key, const trust::Certificate* issuer,
                         const std::string& crl_distribution_point = {}) {
  trust::CertificateRequest request;
  request.crl_distribution_point = crl_distribution_point;
  request.subject = subject;
  request.subject_key = subject_key;
  request.profile = profile;
  request.not_before = not_before;
  request.not_after = not_after;
  return trust::issue_certificate(request, issuer_key, issuer);
}

}  // namespace

CaHierarchy CaHierarchy::create(TimePoint now, const std::string& authority_url) {
  CaHierarchy ca;
  ca.authority_url_ = normalise_authority_url(authority_url);
  // Every certificate but the (self-signed) root names the CRL its issuer
  // publishes on the authority service (RFC 5280 §4.2.1.13).
  const std::string root_crl = crl_url(ca.authority_url_, "root");
  const TimePoint start = now - days(1);  // tolerate clocks a little behind ours
  ca.root_key_ = trust::Sm2Key::generate();
  ca.root_ = issue(dn({{"C", "CN"}, {"O", "Zhaoyin Sandbox"}, {"CN", "Zhaoyin Sandbox Root CA"}}), ca.root_key_,
                   trust::CertProfile::RootCa, start, now + days(20 * kYear), ca.root_key_, nullptr);
  for (const Province& p : sandbox_provinces()) {
    IssuingCa issuing;
    issuing.province = p;
    issuing.key = trust::Sm2Key::generate();
    issuing.cert = issue(dn({{"C", "CN"},
                             {"ST", p.full_name},
                             {"O", "Zhaoyin Sandbox"},
                             {"CN", "Zhaoyin Sandbox " + p.pinyin + " License CA"}}),
                         issuing.key, trust::CertProfile::IssuingCa, start, now + days(10 * kYear), ca.root_key_,
                         &ca.root_, root_crl);
    ca.issuing_.push_back(std::move(issuing));
  }
  ca.seal_maker_key_ = trust::Sm2Key::generate();
  ca.seal_maker_ = issue(dn({{"C", "CN"}, {"O", "Zhaoyin Sandbox"}, {"CN", "Zhaoyin Sandbox Seal Maker"}}),
                         ca.seal_maker_key_, trust::CertProfile::SealMaker, start, now + days(10 * kYear),
                         ca.root_key_, &ca.root_, root_crl);
  ca.end_entities_.push_back(ca.seal_maker_);
  return ca;
}

const IssuingCa& CaHierarchy::issuing_ca(const std::string& province_code) const {
  for (const auto& ca : issuing_) {
    if (ca.province.code == province_code) return ca;
  }
  throw SandboxError("the sandbox has no issuing CA for province " + province_code);
}

IssuingCa& CaHierarchy::issuing_ca_mutable(const std::string& province_code) {
  for (auto& ca : issuing_) {
    if (ca.province.code == province_code) return ca;
  }
  throw SandboxError("the sandbox has no issuing CA for province " + province_code);
}

trust::Certificate CaHierarchy::issue_license(const std::string& province_code,
                                              const trust::DistinguishedName& subject,
                                              const trust::Sm2Key& holder_key, TimePoint now) {
  const IssuingCa& ca = issuing_ca(province_code);
  trust::Certificate cert = issue(subject, holder_key, trust::CertProfile::License, now - std::chrono::hours(1),
                                  now + days(3 * kYear), ca.key, &ca.cert, crl_url(authority_url_, province_code));
  end_entities_.push_back(cert);
  return cert;
}

trust::RevokedEntry CaHierarchy::revoke(const std::string& province_code, const trust::Certificate& cert,
                                        int reason, TimePoint at) {
  trust::RevokedEntry entry;
  entry.serial_hex = cert.serial_hex();
  entry.revoked_at = at;
  entry.reason = reason;
  issuing_ca_mutable(province_code).revoked.push_back(entry);
  return entry;
}

void CaHierarchy::issue_crls(TimePoint now) {
  const TimePoint this_update = now - std::chrono::minutes(1);
  const TimePoint next_update = now + days(kCrlLifetimeDays);
  root_crl_ = trust::issue_crl(root_, root_key_, {}, this_update, next_update, 1);
  for (auto& ca : issuing_) {
    ca.crl = trust::issue_crl(ca.cert, ca.key, ca.revoked, this_update, next_update, 1);
  }
}

void CaHierarchy::write(const std::filesystem::path& dir, TimePoint now) const {
  if (!root_crl_.valid()) throw SandboxError("internal error: CRLs were not issued before writing");
  write_file(dir / "root.pem", root_.pem());
  write_file(dir / "root.key", root_key_.private_pem(), FileMode::Secret);
  write_file(dir / "crl-root.pem", root_crl_.pem());
  for (const auto& ca : issuing_) {
    const std::string p = ca.province.code;
    write_file(dir / ("ca-" + p + ".pem"), ca.cert.pem());
    write_file(dir / ("ca-" + p + ".key"), ca.key.private_pem(), FileMode::Secret);
    write_file(dir / ("crl-" + p + ".pem"), ca.crl.pem());
  }
  write_file(dir / "seal-maker.pem", seal_maker_.pem());
  write_file(dir / "seal-maker.key", seal_maker_key_.private_pem(), FileMode::Secret);
  for (const auto& cert : end_entities_) {
    write_file(dir / "certs" / (cert.serial_hex() + ".pem"), cert.pem());
  }
  write_host_credential(dir, root_, root_key_, now);
}

std::vector<std::string> sandbox_host_names(const std::filesystem::path& dir) {
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
  std::error_code ec;
  if (std::filesystem::exists(dir / "host-names.txt", ec)) {
    std::istringstream lines(read_text_file(dir / "host-names.txt"));
    for (std::string line; std::getline(lines, line);) {
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (!line.empty() && line.front() != '#' && std::find(names.begin(), names.end(), line) == names.end())
        names.push_back(line);
    }
  }
  return names;
}

void add_host_names(const std::filesystem::path& dir, const std::vector<std::string>& names) {
  if (names.empty()) return;
  auto known = sandbox_host_names(dir);
  std::string text;
  std::error_code ec;
  if (std::filesystem::exists(dir / "host-names.txt", ec)) text = read_text_file(dir / "host-names.txt");
  for (const auto& name : names) {
    if (name.empty() || name.find_first_of(" \t\r\n/#") != std::string::npos)
      throw SandboxError("not a host name: \"" + name + "\"");
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    known.push_back(name);
    text += name + "\n";
  }
  std::filesystem::create_directories(dir);
  write_file(dir / "host-names.txt", text);
}

void write_host_credential(const std::filesystem::path& dir, const trust::Certificate& root,
                           const trust::Sm2Key& root_key, TimePoint now) {
  const trust::Sm2Key rp_ca_key = trust::Sm2Key::generate();
  const trust::Certificate rp_ca =
      issue(dn({{"C", "CN"}, {"O", "Zhaoyin Sandbox"}, {"CN", "Zhaoyin Sandbox Relying-Party CA"}}), rp_ca_key,
            trust::CertProfile::RelyingPartyCa, now - days(1), now + days(10 * kYear), root_key, &root);
  trust::CertificateRequest request;
  request.subject = dn({{"C", "CN"}, {"O", "Zhaoyin Sandbox"}, {"CN", "Zhaoyin Sandbox Relying-Party Host"}});
  request.subject_key = trust::Sm2Key::generate();
  request.profile = trust::CertProfile::RelyingPartyHost;
  request.not_before = now - days(1);
  request.not_after = now + days(3 * kYear);
  for (const auto& name : sandbox_host_names(dir)) {
    const bool ip = name.find(':') != std::string::npos ||
                    name.find_first_not_of("0123456789.") == std::string::npos;
    (ip ? request.ip_addresses : request.dns_names).push_back(name);
  }
  const trust::Certificate cert = trust::issue_certificate(request, rp_ca_key, &rp_ca);
  write_file(dir / "rp-ca.pem", rp_ca.pem());
  write_file(dir / "rp-ca.key", rp_ca_key.private_pem(), FileMode::Secret);
  write_file(dir / "host.pem", cert.pem() + rp_ca.pem());
  write_file(dir / "host.key", request.subject_key.private_pem(), FileMode::Secret);
}

bool ensure_host_credential(const std::filesystem::path& dir, TimePoint now) {
  if (std::filesystem::exists(dir / "host.pem") && std::filesystem::exists(dir / "host.key") &&
      std::filesystem::exists(dir / "rp-ca.pem")) {
    const auto chain = trust::Certificate::bundle_from_pem(read_text_file(dir / "host.pem"));
    if (!chain.empty() && chain.front().has_extended_key_usage(trust::kRelyingPartyHostPurpose)) {
      auto named = chain.front().dns_names();
      for (const auto& ip : chain.front().ip_addresses()) named.push_back(ip);
      bool all = true;
      for (const auto& name : sandbox_host_names(dir))
        all = all && std::find(named.begin(), named.end(), name) != named.end();
      if (all) return false;
    }
  }
  const trust::Certificate root = trust::Certificate::from_pem(read_text_file(dir / "root.pem"));
  const trust::Sm2Key root_key = trust::Sm2Key::from_pem(read_text_file(dir / "root.key"));
  write_host_credential(dir, root, root_key, now);
  return true;
}

}  // namespace zhaoyin::sandbox
