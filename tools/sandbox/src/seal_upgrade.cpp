#include "seal_upgrade.h"

#include <map>
#include <nlohmann/json.hpp>
#include <zhaoyin/sandbox/error.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/der.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/seal.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/x509.h>
#include "files.h"

namespace zhaoyin::sandbox {

namespace {

trust::Bytes read_bytes(const fs::path& path) {
  const std::string text = read_text_file(path);
  return trust::Bytes(text.begin(), text.end());
}

// The re-issued seal for `old_der`, or an empty Bytes when it already
// verifies as GB/T 38540-2020 §6.1 says.
trust::Bytes reissue(const fs::path& file, const trust::Bytes& old_der, const trust::Sm2Key& maker_key,
                     const trust::Certificate& maker_cert) {
  const auto fail = [&](const std::string& why) -> trust::Bytes {
    throw SandboxError(file.string() + ": " + why + "; recreate the sandbox with `zhaoyin sandbox init --force`");
  };
  trust::ParsedSeal seal;
  try {
    seal = trust::parse_seal(old_der);
  } catch (const trust::TrustError& e) {
    return fail(std::string("not a seal (") + e.what() + ")");
  }
  if (seal.version != 4) return fail("not a GB/T 38540 v4 seal");
  const trust::Sm2Key key = seal.maker_cert.public_key();
  if (key.verify(seal.signed_data, seal.signature)) return {};  // §6.1 already
  const auto parts = trust::der::parse(old_der).children();
  const trust::Bytes info = parts[0].raw_bytes();
  const trust::Bytes wrapped = trust::der::sequence({info, parts[1].raw_bytes(), parts[2].raw_bytes()});
  if (!key.verify(wrapped, seal.signature)) return fail("the seal maker's signature verifies in no known form");
  if (seal.maker_cert.der() != maker_cert.der()) return fail("made by another seal maker than authority/seal-maker.pem");
  // Same SES_SealInfo, certificate and algorithm; only signedValue changes.
  return trust::der::sequence({info, parts[1].raw_bytes(), parts[2].raw_bytes(),
                               trust::der::bit_string(maker_key.sign(info))});
}

}  // namespace

std::size_t reissue_pre_standard_seals(const fs::path& dir) {
  const fs::path seals_dir = dir / "seals";
  if (!fs::is_directory(seals_dir)) return 0;
  std::map<fs::path, trust::Bytes> files;  // seal file → its DER
  for (const auto& entry : fs::directory_iterator(seals_dir))
    if (entry.is_regular_file() && entry.path().extension() == ".seal") files[entry.path()] = read_bytes(entry.path());
  if (files.empty()) return 0;

  trust::Certificate maker_cert;
  trust::Sm2Key maker_key;
  bool loaded = false;
  std::map<std::string, std::string> replaced;  // base64 old → base64 new (as wallets carry them)
  std::map<fs::path, trust::Bytes> rewritten;
  for (const auto& [path, der] : files) {
    if (!loaded) {
      // Only read the key when there is a seal to look at.
      maker_cert = trust::Certificate::from_pem(read_text_file(dir / "authority" / "seal-maker.pem"));
      maker_key = trust::Sm2Key::from_pem(read_text_file(dir / "authority" / "seal-maker.key"));
      loaded = true;
    }
    trust::Bytes fresh = reissue(path, der, maker_key, maker_cert);
    if (fresh.empty()) continue;
    replaced[trust::base64_encode(der)] = trust::base64_encode(fresh);
    rewritten[path] = std::move(fresh);
  }
  if (rewritten.empty()) return 0;

  // Wallets first, seal files last: an interrupted upgrade leaves old seal
  // files behind, so the next init finds them and finishes the job.
  const fs::path wallets_dir = dir / "wallets";
  if (fs::is_directory(wallets_dir)) {
    for (const auto& entry : fs::recursive_directory_iterator(wallets_dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
      nlohmann::json wallet = nlohmann::json::parse(read_text_file(entry.path()), nullptr, false);
      if (!wallet.is_object() || !wallet.contains("seals") || !wallet["seals"].is_array()) continue;
      bool changed = false;
      for (auto& s : wallet["seals"]) {
        if (!s.is_object() || !s.contains("seal") || !s["seal"].is_string()) continue;
        const auto it = replaced.find(s["seal"].get<std::string>());
        if (it == replaced.end()) continue;
        s["seal"] = it->second;
        changed = true;
      }
      if (changed) write_json(entry.path(), wallet, FileMode::Secret);
    }
  }
  for (const auto& [path, der] : rewritten) write_file(path, der);
  return rewritten.size();
}

}  // namespace zhaoyin::sandbox
