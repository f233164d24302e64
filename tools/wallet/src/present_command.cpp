// zhaoyin-wallet present: a one-time presentation code for the counter
// (线下出示执照), signed with the holder's license key; --qr FILE.png also
// writes it as a QR code (version 10 or lower at level M, so a phone screen and
// a scanner gun read it reliably).
#include <chrono>
#include <fstream>
#include <iostream>
#include <zhaoyin/protocol/grant.h>
#include <zhaoyin/protocol/presentation_code.h>
#include <zhaoyin/render/qr.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/wallet/wallet.h>
#include "commands.h"

namespace zhaoyin::wallet {

namespace {

// The QR version the code must fit (docs/PROTOCOL.md, "Presentation code").
constexpr int kMaxQrVersion = 10;

// The key never leaves Wallet, so the code is assembled here the way
// protocol::encode_presentation_code does it: the layout, then the raw r||s
// signature over the context string and the layout.
std::string sign_presentation_code(const Wallet& wallet, protocol::PresentationCode& code) {
  const trust::Bytes signed_bytes = code.signed_bytes();
  code.signature = trust::sm2_signature_to_raw(wallet.sign(signed_bytes));
  trust::Bytes layout(signed_bytes.begin() + static_cast<std::ptrdiff_t>(protocol::kPresentationContext.size()),
                      signed_bytes.end());
  layout.insert(layout.end(), code.signature.begin(), code.signature.end());
  return std::string(protocol::kPresentationPrefix) + protocol::base32_encode(layout);
}

}  // namespace

int run_present(const Arguments& args) {
  auto wallet = Wallet::load(args.wallet);
  wallet.unlock(*args.password);

  protocol::PresentationCode code;
  code.serial_hex = wallet.license_serial();
  code.issued_at = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  code.validity = protocol::kDefaultPresentationValidity;
  code.nonce = trust::random_bytes(12);
  code.grant_digest = protocol::grant_digest(wallet.grant());
  const std::string text = sign_presentation_code(wallet, code);

  // Self-check: what the host will decode is what was signed.
  const auto round_trip = protocol::decode_presentation_code(text);
  if (round_trip.signature != code.signature || round_trip.nonce != code.nonce)
    throw std::runtime_error("the presentation code does not decode to what was signed");

  if (args.qr_file) {
    const auto qr = render::encode_qr(text, render::QrLevel::M);
    if (qr.version > kMaxQrVersion)
      throw std::runtime_error("the presentation code needs QR version " + std::to_string(qr.version) +
                               ", more than " + std::to_string(kMaxQrVersion));
    std::ofstream out(*args.qr_file, std::ios::binary | std::ios::trunc);
    const std::string png = render::qr_png(qr);
    out.write(png.data(), static_cast<std::streamsize>(png.size()));
    if (!out) throw std::runtime_error("cannot write " + *args.qr_file);
  }
  std::cout << text << "\n";
  return kExitOk;
}

}  // namespace zhaoyin::wallet
