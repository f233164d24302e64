#include <iostream>
#include "commands.h"

namespace zhaoyin::wallet {

int run_scan(const Arguments& /*args*/) {
  std::cerr << "zhaoyin-wallet: 'scan' is not available in this version\n";
  return kExitUsage;
}

}  // namespace zhaoyin::wallet
