// zhaoyin-wallet display-code / revoke-display-code: the static display code
// (亮照码) an enterprise prints at its premises or shows on its web shop, and
// its revocation at the host that publishes it (docs/PROTOCOL.md §6).
#include <fstream>
#include <iostream>
#include <zhaoyin/render/qr.h>
#include <zhaoyin/wallet/wallet.h>
#include "commands.h"
#include "display_messages.h"
#include "host_client.h"

namespace zhaoyin::wallet {

int run_display_code(const Arguments& args) {
  auto wallet = Wallet::load(args.wallet);
  wallet.unlock(*args.password);
  protocol::DisplayCode code;
  std::string text;
  try {
    text = make_display_code(wallet, *args.label, code);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--label: ") + e.what());
  }
  // Self-check: what a host will decode is what was signed.
  const auto back = protocol::decode_display_code(text);
  if (back.signature != code.signature || back.label != code.label)
    throw std::runtime_error("the display code does not decode to what was signed");

  const std::string url = *args.host_url + std::string(protocol::kDisplayPagePath) + text;
  if (args.png_file) {
    // Byte mode (the URL has lower case); level M so a printed sticker stays readable.
    const auto qr = render::encode_qr(url, render::QrLevel::M);
    std::ofstream out(*args.png_file, std::ios::binary | std::ios::trunc);
    const std::string png = render::qr_png(qr);
    out.write(png.data(), static_cast<std::streamsize>(png.size()));
    if (!out) throw std::runtime_error("cannot write " + *args.png_file);
  }
  std::cout << url << "\n";
  return kExitOk;
}

int run_revoke_display_code(const Arguments& args) {
  auto wallet = Wallet::load(args.wallet);
  wallet.unlock(*args.password);
  const nlohmann::json body =
      args.revoke_all
          ? display_cutoff_revocation(wallet, *args.host_url, std::chrono::system_clock::now())
          : display_code_revocation(wallet, *args.host_url, display_code_text_of(*args.display_code));
  const HostReply reply = http_post_json(*args.host_url + "/wallet/v1/display-codes/revocations", body);
  if (!reply.ok()) {
    std::cerr << "zhaoyin-wallet: refused: " << reply.error_code() << ": " << reply.error_message() << "\n";
    return kExitFailure;
  }
  std::cout << reply.body.dump(2, ' ', false) << "\n";
  return kExitOk;
}

}  // namespace zhaoyin::wallet
