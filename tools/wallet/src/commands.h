#pragma once
// The verbs of zhaoyin-wallet, one file each. Each returns the process exit
// code; WalletError and other exceptions are turned into messages by main().
#include "arguments.h"

namespace zhaoyin::wallet {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;    // the host refused, or the network failed
inline constexpr int kExitUsage = 2;
inline constexpr int kExitWrongPassword = 3;

int run_show(const Arguments& args);     // main.cpp
int run_scan(const Arguments& args);     // scan_command.cpp
int run_present(const Arguments& args);  // present_command.cpp

}  // namespace zhaoyin::wallet
