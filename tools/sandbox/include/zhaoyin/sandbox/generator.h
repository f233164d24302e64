#pragma once
// `zhaoyin sandbox init DIR`: creates the sandbox authority in DIR — CA
// hierarchy and CRLs, demo enterprises and their holders, seals, wallets and
// demo relying-party applications — in the layout of docs/SANDBOX.md, ending
// with DIR/sandbox.json, the contract scripts and tests read.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>
#include <zhaoyin/sandbox/authority_url.h>
#include <zhaoyin/sandbox/error.h>
#include <zhaoyin/sandbox/impression.h>

namespace zhaoyin::sandbox {

struct InitOptions {
  bool force = false;            // recreate even when DIR/sandbox.json exists
  ImpressionOptions impression;  // font and resolution of the seal images
  // Host names (DNS names or IP addresses) the sandbox's relying-party host
  // certificate names besides localhost, 127.0.0.1 and ::1: the host of
  // http.public_url when the demo host is reached under another name. Added to
  // an existing sandbox too (its host certificate is then re-issued).
  std::vector<std::string> host_names;
  // Base URL of the authority service (`zhaoyin authority serve`) that the
  // certificates' CRL distribution points name; new sandboxes only.
  std::string authority_url = kDefaultAuthorityUrl;
};

enum class InitOutcome {
  Created,        // there was no sandbox
  Recreated,      // there was one and --force replaced it
  AlreadyPresent, // there was one and nothing was touched
};

struct InitResult {
  InitOutcome outcome = InitOutcome::AlreadyPresent;
  std::filesystem::path manifest;  // DIR/sandbox.json
  std::size_t enterprises = 0;
  std::size_t wallets = 0;
  std::size_t seals = 0;
  std::size_t applications = 0;
  bool upgraded = false;  // AlreadyPresent, but files a newer version needs were added
  // AlreadyPresent: seals made before the maker's signature followed GB/T
  // 38540-2020 §6.1 (signedValue over DER(SES_SealInfo)), re-issued in place.
  std::size_t seals_reissued = 0;
};

// True when DIR/sandbox.json exists (it is written last, so its presence
// means a complete sandbox).
bool sandbox_exists(const std::filesystem::path& dir);

// Idempotent: an existing sandbox is left alone unless options.force (apart
// from upgrades a newer version needs: the host credential, the admin files,
// and seals re-issued whose maker signature predates GB/T 38540 §6.1). A
// half-written one (no sandbox.json) is always replaced. Only DIR/authority,
// DIR/seals, DIR/wallets and DIR/sandbox.json are ever removed. Throws
// SandboxError (or the trust core's TrustError) when generation fails.
InitResult init_sandbox(const std::filesystem::path& dir, const InitOptions& options = {});

}  // namespace zhaoyin::sandbox
