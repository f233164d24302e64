// zhaoyin-wallet: the wallet simulator's command line. Exceptions stop here
// and become a message on stderr and an exit code.
#include <chrono>
#include <iostream>
#include <zhaoyin/wallet/wallet.h>
#include "arguments.h"

namespace {

constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kUsage = 2;
constexpr int kWrongPassword = 3;

int show(const zhaoyin::wallet::Arguments& args) {
  auto wallet = zhaoyin::wallet::Wallet::load(args.wallet);
  wallet.unlock(*args.password);  // `show` proves the password, as the phone app asks for it
  std::cout << wallet.describe(std::chrono::system_clock::now()).dump(2, ' ', false) << "\n";
  return kOk;
}

int not_available(const std::string& verb) {
  std::cerr << "zhaoyin-wallet: '" << verb
            << "' is not available in this version: its protocol with the host comes with a later release\n";
  return kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  using zhaoyin::wallet::UsageError;
  using zhaoyin::wallet::WalletError;
  zhaoyin::wallet::Arguments args;
  try {
    args = zhaoyin::wallet::parse_arguments(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::cerr << "zhaoyin-wallet: " << e.what() << "\n\n" << zhaoyin::wallet::usage_text();
    return kUsage;
  }
  if (args.help) {
    std::cout << zhaoyin::wallet::usage_text();
    return kOk;
  }
  try {
    if (args.verb == "show") return show(args);
    return not_available(args.verb);
  } catch (const WalletError& e) {
    std::cerr << "zhaoyin-wallet: " << e.what() << "\n";
    if (e.code() == "wrong_password") return kWrongPassword;
    if (e.code() == "unreadable" || e.code() == "malformed") return kUsage;
    return kFailure;
  } catch (const std::exception& e) {
    std::cerr << "zhaoyin-wallet: " << e.what() << "\n";
    return kFailure;
  }
}
