#pragma once
// The sandbox's time-stamping authority (RFC 3161): a certificate issued by
// the sandbox root CA with the TimeStamping profile (critical extendedKeyUsage
// id-kp-timeStamping, RFC 3161 §2.3), CN "Zhaoyin Sandbox Time-Stamping
// Authority (SANDBOX)", and its SM2 key:
//   <sandbox>/authority/tsa.pem   the TSA certificate
//   <sandbox>/authority/tsa.key   its key (PKCS#8, owner-only)
// `zhaoyin tsa serve --sandbox DIR` answers time-stamp queries with them.
#include <chrono>
#include <filesystem>
#include <zhaoyin/trust/timestamp.h>

namespace zhaoyin::sandbox {

// Issues the TSA credential when authority/tsa.{pem,key} are missing or the
// certificate is no longer a valid time-stamping certificate under the root
// in authority/root.{pem,key}; returns true if it did.
bool ensure_tsa_credential(const std::filesystem::path& authority_dir, std::chrono::system_clock::time_point now);

// Reads the credential (SandboxError when the sandbox has none).
trust::TsaCredential load_tsa_credential(const std::filesystem::path& sandbox_dir);

}  // namespace zhaoyin::sandbox
