// Wallet files (docs/SANDBOX.md "Wallet file", zhaoyin-wallet/1 JSON): the
// simulator loads whatever file it is pointed at, and tests and benchmarks
// load wallets an operator exported. Wallet::parse must answer or throw
// WalletError; a parsed wallet must describe itself (what `zhaoyin-wallet
// show` prints) without throwing, since every field it shows was checked.
// Unlocking (scrypt, about 50 ms) is left out: it would cap the fuzzer at a
// few runs per second, and the encrypted key is OpenSSL's PKCS#8 reader.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <zhaoyin/wallet/wallet.h>

using namespace zhaoyin;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const wallet::Wallet w = wallet::Wallet::parse(text, "fuzz.wallet");
    (void)w.describe(std::chrono::system_clock::now());
    (void)w.authorisation_status(std::chrono::system_clock::now());
    for (const char* type : {"company", "finance", "contract", "invoice", "legal_rep"}) (void)w.authorised_seal(type);
  } catch (const wallet::WalletError&) {
  }
  return 0;
}
