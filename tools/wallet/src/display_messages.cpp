#include "display_messages.h"

#include <stdexcept>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/sm2.h>

namespace zhaoyin::wallet {

namespace {

nlohmann::json revocation_answer(const Wallet& wallet, const std::string& host_url,
                                 std::chrono::system_clock::time_point at) {
  return {{"protocol", protocol::kWalletProtocol},
          {"type", "display_code_revocation"},
          {"answer_url", host_url + "/wallet/v1/display-codes/revocations"},
          {"license_serial", wallet.license_serial()},
          {"answered_at", protocol::rfc3339(at)}};
}

}  // namespace

std::string make_display_code(const Wallet& wallet, const std::string& label, protocol::DisplayCode& code,
                              std::chrono::system_clock::time_point issued) {
  if (!protocol::valid_display_label(label))
    throw std::invalid_argument("the label must be UTF-8 text of at most 64 bytes without control characters");
  code = protocol::DisplayCode{};
  code.serial_hex = wallet.license_serial();
  code.issued_at = std::chrono::duration_cast<std::chrono::seconds>(issued.time_since_epoch()).count();
  code.display_id = trust::random_bytes(protocol::kDisplayIdBytes);
  code.grant_digest = protocol::grant_digest(wallet.grant());
  code.label = label;
  // The key never leaves Wallet: sign the bytes protocol::DisplayCode defines.
  code.signature = trust::sm2_signature_to_raw(wallet.sign(code.signed_bytes()));
  return code.text();
}

std::string display_code_text_of(const std::string& code_or_url) {
  const auto at = code_or_url.rfind(protocol::kDisplayPagePath);
  return at == std::string::npos ? code_or_url : code_or_url.substr(at + protocol::kDisplayPagePath.size());
}

nlohmann::json display_code_revocation(const Wallet& wallet, const std::string& host_url, const std::string& code_text,
                                       std::chrono::system_clock::time_point at) {
  nlohmann::json answer = revocation_answer(wallet, host_url, at);
  answer["scope"] = "code";
  answer["code"] = code_text;
  return wallet.signed_answer(answer);
}

nlohmann::json display_cutoff_revocation(const Wallet& wallet, const std::string& host_url,
                                         std::chrono::system_clock::time_point issued_before,
                                         std::chrono::system_clock::time_point at) {
  nlohmann::json answer = revocation_answer(wallet, host_url, at);
  answer["scope"] = "all";
  answer["issued_before"] = protocol::rfc3339(issued_before);
  return wallet.signed_answer(answer);
}

}  // namespace zhaoyin::wallet
