#pragma once
// The wallet's side of static display codes (docs/PROTOCOL.md §6): the code
// itself, signed with the holder's key, and the signed revocation a holder
// posts to the host named in the code's URL. Shared by zhaoyin-wallet and the
// tests that act as the phone.
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <zhaoyin/protocol/display_code.h>
#include <zhaoyin/wallet/wallet.h>

namespace zhaoyin::wallet {

// A fresh code of this holder: a random display id, the grant's digest, the
// label (throws std::invalid_argument when it is not ≤ 64 bytes of UTF-8
// text), signed. `code` receives the fields.
std::string make_display_code(const Wallet& wallet, const std::string& label, protocol::DisplayCode& code,
                              std::chrono::system_clock::time_point issued = std::chrono::system_clock::now());

// The code text of "<host>/v/<code>" or of a bare code text.
std::string display_code_text_of(const std::string& code_or_url);

// The body of POST <host>/wallet/v1/display-codes/revocations: an answer
// envelope (§3.2) around {"protocol","type":"display_code_revocation",
// "answer_url","license_serial","answered_at","scope", "code"|"issued_before"}.
nlohmann::json display_code_revocation(const Wallet& wallet, const std::string& host_url, const std::string& code_text,
                                       std::chrono::system_clock::time_point at = std::chrono::system_clock::now());
nlohmann::json display_cutoff_revocation(const Wallet& wallet, const std::string& host_url,
                                         std::chrono::system_clock::time_point issued_before,
                                         std::chrono::system_clock::time_point at = std::chrono::system_clock::now());

}  // namespace zhaoyin::wallet
