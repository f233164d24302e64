#pragma once
// The wallet's side of a sign request (docs/protocol/signing.md): which seals
// it may offer, and the three answers it signs — prepare (the chosen seal),
// sign (its SM2 signature over the host's TBS_Sign) and reject. Shared by
// `zhaoyin-wallet scan` and by tests and benchmarks that act as the phone.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>
#include <zhaoyin/wallet/wallet.h>

namespace zhaoyin::wallet {

// The TBS_Sign the host returned is not what this wallet agreed to sign.
class SignRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The holder's seals it may use whose type the request accepts now, in wallet order.
std::vector<const WalletSeal*> usable_seals(const Wallet& wallet, const nlohmann::json& request);
// The types this wallet's enterprise is due on the request: its party's
// `due` in a multi-party request (none when it is not a party or not its
// turn), else seals.accepted. "license" means a license signature (no seal).
std::vector<std::string> accepted_types(const Wallet& wallet, const nlohmann::json& request);

// Step 1: the chosen seal. The body to POST to request["answer_url"].
// seal null: a license signature (es_id null).
nlohmann::json sign_prepare_body(const Wallet& wallet, const nlohmann::json& request, const WalletSeal* seal);
inline nlohmann::json sign_prepare_body(const Wallet& wallet, const nlohmann::json& request, const WalletSeal& seal) {
  return sign_prepare_body(wallet, request, &seal);
}

// Step 2: checks the host's reply to step 1 — the "prepared" envelope signed
// with `host_certificate` (the certificate that signed the request, already
// checked by the caller), bound to this ticket, nonce, document and seal; the
// TBS_Sign's SM3; that it holds the chosen seal exactly and the stated data
// hash (for business data, the document's digest) — signs the TBS_Sign and
// returns the body to POST. Throws SignRefused.
nlohmann::json sign_final_body(const Wallet& wallet, const nlohmann::json& request, const WalletSeal* seal,
                               const nlohmann::json& prepare_reply, const trust::Certificate& host_certificate);
inline nlohmann::json sign_final_body(const Wallet& wallet, const nlohmann::json& request, const WalletSeal& seal,
                                      const nlohmann::json& prepare_reply, const trust::Certificate& host_certificate) {
  return sign_final_body(wallet, request, &seal, prepare_reply, host_certificate);
}

nlohmann::json sign_reject_body(const Wallet& wallet, const nlohmann::json& request);

// The inbox request (待签章): the body to POST to <host_url>/wallet/v1/inbox,
// signed with the holder's license key, answered with the open tasks bound to
// this holder (each with the request_url to fetch and answer as if scanned).
nlohmann::json inbox_body(const Wallet& wallet, const std::string& host_url);

}  // namespace zhaoyin::wallet
