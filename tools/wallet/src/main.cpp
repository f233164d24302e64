// zhaoyin-wallet: the wallet simulator's command line. Exceptions stop here
// and become a message on stderr and an exit code.
#include <chrono>
#include <iostream>
#include <zhaoyin/wallet/wallet.h>
#include "arguments.h"
#include "commands.h"

namespace zhaoyin::wallet {

int run_show(const Arguments& args) {
  auto wallet = Wallet::load(args.wallet);
  wallet.unlock(*args.password);  // `show` proves the password, as the phone app asks for it
  std::cout << wallet.describe(std::chrono::system_clock::now()).dump(2, ' ', false) << "\n";
  return kExitOk;
}

}  // namespace zhaoyin::wallet

int main(int argc, char** argv) {
  using zhaoyin::wallet::UsageError;
  using zhaoyin::wallet::WalletError;
  zhaoyin::wallet::Arguments args;
  try {
    args = zhaoyin::wallet::parse_arguments(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::cerr << "zhaoyin-wallet: " << e.what() << "\n\n" << zhaoyin::wallet::usage_text();
    return zhaoyin::wallet::kExitUsage;
  }
  if (args.help) {
    std::cout << zhaoyin::wallet::usage_text();
    return zhaoyin::wallet::kExitOk;
  }
  try {
    if (args.verb == "show") return zhaoyin::wallet::run_show(args);
    if (args.verb == "scan") return zhaoyin::wallet::run_scan(args);
    if (args.verb == "inbox") return zhaoyin::wallet::run_inbox(args);
    if (args.verb == "display-code") return zhaoyin::wallet::run_display_code(args);
    if (args.verb == "revoke-display-code") return zhaoyin::wallet::run_revoke_display_code(args);
    return zhaoyin::wallet::run_present(args);
  } catch (const WalletError& e) {
    std::cerr << "zhaoyin-wallet: " << e.what() << "\n";
    if (e.code() == "wrong_password") return zhaoyin::wallet::kExitWrongPassword;
    if (e.code() == "unreadable" || e.code() == "malformed") return zhaoyin::wallet::kExitUsage;
    return zhaoyin::wallet::kExitFailure;
  } catch (const std::exception& e) {
    std::cerr << "zhaoyin-wallet: " << e.what() << "\n";
    return zhaoyin::wallet::kExitFailure;
  }
}
