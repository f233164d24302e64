#pragma once
// The wallet simulator's core: one holder's license wallet file
// (docs/SANDBOX.md, "Wallet file"), its key unlocked with the license password.
//
// Reusable by every verb of zhaoyin-wallet (show, and later scan and present)
// and by tests that need to act as an enterprise's phone. Key material never
// leaves this class except as signatures.
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include <zhaoyin/domain/license.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::wallet {

class WalletError : public std::runtime_error {
 public:
  // code: unreadable | malformed | wrong_password | locked
  WalletError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

struct WalletHolder {
  std::string name;
  domain::HolderRole role = domain::HolderRole::Agent;
  std::string role_label;  // as the wallet shows it: 法定代表人, 经营者, 证照管理员, 办事人 ...
};

struct WalletSeal {
  std::string es_id;
  std::string type;        // company | finance | contract | invoice | legal_rep
  std::string type_label;
  std::string name;
  bool authorised = false;  // whether this holder may use it
  trust::Bytes der;         // the GB/T 38540 SESeal
};

class Wallet {
 public:
  // Throws WalletError("unreadable") when the file cannot be read,
  // WalletError("malformed") when it is not a zhaoyin-wallet/1 file.
  static Wallet load(const std::filesystem::path& file);
  static Wallet parse(const std::string& json_text, const std::string& origin);

  // Decrypts the holder's key with the license password and checks it belongs
  // to the certificate. Throws WalletError("wrong_password") on a wrong one.
  void unlock(std::string_view password);
  bool unlocked() const { return key_.valid(); }

  bool sandbox() const { return sandbox_; }
  const WalletHolder& holder() const { return holder_; }
  const std::string& license_serial() const { return license_serial_; }
  const domain::FaceInfo& face_info() const { return face_info_; }
  const nlohmann::json& face_info_json() const { return face_info_json_; }  // with labels
  const trust::Certificate& certificate() const { return certificate_; }
  const std::vector<trust::Certificate>& chain() const { return chain_; }  // issuing CA, root
  const domain::Authorisation& authorisation() const { return authorisation_; }
  const nlohmann::json& grant() const { return grant_; }  // null for the legal representative
  const std::vector<WalletSeal>& seals() const { return seals_; }
  // The holder's usable seal of this type, or nullptr.
  const WalletSeal* authorised_seal(std::string_view type) const;

  // "valid", "expired" or "not_yet_valid" for the authorisation window at `now`.
  std::string authorisation_status(std::chrono::system_clock::time_point now) const;

  // SM2/SM3 signature (default ID) with the holder's key. Throws
  // WalletError("locked") before unlock().
  trust::Bytes sign(const trust::Bytes& message) const;

  // The body a wallet POSTs to a request's answer_url (docs/protocol/login.md):
  // {"answer": answer, "certificate": "<PEM>", "chain": ["<PEM>", ...],
  //  "grant": null|{...}, "signature": "<b64 DER SM2 over canonical_json(answer)>"}.
  nlohmann::json signed_answer(const nlohmann::json& answer) const;

  // The unsigned answer to a verified login request (docs/PROTOCOL.md §3.2):
  // it repeats the request's binding (ticket, nonce, client_id, matter,
  // answer_url) and adds the decision, this holder's license serial and the
  // time now. Sign it with signed_answer().
  nlohmann::json login_answer(const nlohmann::json& request, bool approve) const;

  // What `zhaoyin-wallet show` prints: license face info with labels, holder,
  // authorisation and grant validity, seals. Never any key material.
  nlohmann::json describe(std::chrono::system_clock::time_point now) const;

 private:
  bool sandbox_ = false;
  WalletHolder holder_;
  std::string license_serial_;
  domain::FaceInfo face_info_;
  nlohmann::json face_info_json_;
  trust::Certificate certificate_;
  std::vector<trust::Certificate> chain_;
  std::string encrypted_key_pem_;
  trust::Sm2Key key_;
  domain::Authorisation authorisation_;
  nlohmann::json grant_;
  std::vector<WalletSeal> seals_;
};

}  // namespace zhaoyin::wallet
