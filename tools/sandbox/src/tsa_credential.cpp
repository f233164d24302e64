// The sandbox TSA's certificate and key (include/zhaoyin/sandbox/tsa.h).
#include <zhaoyin/sandbox/tsa.h>

#include <zhaoyin/sandbox/error.h>
#include <zhaoyin/trust/error.h>
#include "files.h"

namespace zhaoyin::sandbox {

namespace {

namespace fs = std::filesystem;

// Shorter than the root's ten years; a TSA key is rolled over more often.
constexpr auto kTsaLifetime = std::chrono::hours(24 * 365 * 5);

bool usable(const fs::path& dir, std::chrono::system_clock::time_point now) {
  if (!fs::exists(dir / "tsa.pem") || !fs::exists(dir / "tsa.key")) return false;
  try {
    const auto cert = trust::Certificate::from_pem(read_text_file(dir / "tsa.pem"));
    const auto root = trust::Certificate::from_pem(read_text_file(dir / "root.pem"));
    const auto key = trust::Sm2Key::from_pem(read_text_file(dir / "tsa.key"));
    return cert.signed_by(root) && key.same_public_key(cert.public_key()) && cert.not_after() > now &&
           cert.extended_key_usages() == std::vector<std::string>{std::string(trust::kOidTimeStampingPurpose)};
  } catch (const trust::TrustError&) {
    return false;
  }
}

}  // namespace

bool ensure_tsa_credential(const fs::path& dir, std::chrono::system_clock::time_point now) {
  if (usable(dir, now)) return false;
  const auto root = trust::Certificate::from_pem(read_text_file(dir / "root.pem"));
  const auto root_key = trust::Sm2Key::from_pem(read_text_file(dir / "root.key"));
  trust::CertificateRequest request;
  request.subject.attributes = {{"C", "CN"},
                                {"O", "Zhaoyin Sandbox"},
                                {"CN", "Zhaoyin Sandbox Time-Stamping Authority (SANDBOX)"}};
  request.subject_key = trust::Sm2Key::generate();
  request.profile = trust::CertProfile::TimeStamping;
  request.not_before = now - std::chrono::hours(24);
  request.not_after = now + kTsaLifetime;
  const auto cert = trust::issue_certificate(request, root_key, &root);
  write_file(dir / "tsa.pem", cert.pem());
  write_file(dir / "tsa.key", request.subject_key.private_pem(), FileMode::Secret);
  return true;
}

trust::TsaCredential load_tsa_credential(const fs::path& sandbox_dir) {
  const fs::path dir = sandbox_dir / "authority";
  if (!fs::exists(dir / "tsa.pem") || !fs::exists(dir / "tsa.key"))
    throw SandboxError(sandbox_dir.string() + " has no time-stamping authority (run `zhaoyin sandbox init` again)");
  trust::TsaCredential tsa;
  tsa.cert = trust::Certificate::from_pem(read_text_file(dir / "tsa.pem"));
  tsa.key = trust::Sm2Key::from_pem(read_text_file(dir / "tsa.key"));
  return tsa;
}

}  // namespace zhaoyin::sandbox
