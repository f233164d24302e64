#include <iostream>
#include "commands.h"

namespace zhaoyin::wallet {

int run_present(const Arguments& /*args*/) {
  std::cerr << "zhaoyin-wallet: 'present' is not available in this version\n";
  return kExitUsage;
}

}  // namespace zhaoyin::wallet
