#pragma once
// The verbs of zhaoyin-wallet, one file each. Each returns the process exit
// code; WalletError and other exceptions are turned into messages by main().
#include <nlohmann/json.hpp>
#include <zhaoyin/trust/x509.h>

#include "arguments.h"

namespace zhaoyin::wallet {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // the host refused, or the network failed
inline constexpr int kExitUsage = 2;
inline constexpr int kExitWrongPassword = 3;
inline constexpr int kExitNoUsableSeal = 4;  // scan --approve on a sign request: no seal (of --seal TYPE) this holder may use

int run_show(const Arguments& args);     // main.cpp
int run_scan(const Arguments& args);     // scan_command.cpp
int run_present(const Arguments& args);  // present_command.cpp
int run_inbox(const Arguments& args);    // sign_command.cpp
int run_display_code(const Arguments& args);         // display_command.cpp
int run_revoke_display_code(const Arguments& args);  // display_command.cpp

class Wallet;
// A verified sign request (scan_command.cpp hands it over): sign_command.cpp.
// host_certificate: the relying-party host certificate that signed the request;
// the host's "prepared" reply must be signed with it too.
int run_sign_request(const Arguments& args, const Wallet& wallet, const nlohmann::json& request,
                     const trust::Certificate& host_certificate);

}  // namespace zhaoyin::wallet
