// zhaoyin-wallet scan TEXT | --image PNG [--approve | --reject] [--seal TYPE]
//
// A sign request (type "sign") is checked the same way, then handed to
// run_sign_request (sign_command.cpp).
//
// What the phone does with a login QR code (docs/protocol/login.md):
//  1. read the QR text (from the argument, or decoded from the PNG image);
//  2. GET the request it points at; check the host's signature over it with
//     the host certificate's key, and that the host certificate is a
//     relying-party host certificate for the scanned host, issued by a
//     relying-party CA under the root this wallet trusts (the last certificate
//     of its chain), in its validity period — a forged QR code, or one signed
//     with a license certificate, is refused here (exit 1);
//  3. show what is asked (relying party, matter) on stderr;
//  4. with --approve / --reject: sign the answer with the holder's license key,
//     POST it, print the host's JSON reply on stdout.
// Without --approve / --reject it stops after 3 (the confirm screen), printing
// the verified request on stdout; the host has recorded the scan by then.
//
// Same-device flow (docs/protocol/login.md): TEXT may also be the link a
// relying party's app opens the wallet with, zhaoyin-wallet://request?url=<the
// request URL>; the wallet then acts exactly as if it had scanned that URL.
// Once answered, the host's reply names the return link; the wallet opens it
// (here: prints it as "return_url") only when it lies under the return_url the
// host signed in the request — any other destination is refused.
#include <chrono>
#include <string_view>
#include <iostream>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/host_certificate.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/chain.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/wallet/same_device_link.h>
#include <zhaoyin/wallet/wallet.h>

#include "commands.h"
#include "host_client.h"
#include "qr_image.h"

namespace zhaoyin::wallet {

namespace {

class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string text_of(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

// The return link in the host's reply must lie under the return_url the host
// signed in its request ("?" or "&" right after it): the wallet sends the
// holder nowhere else.
void check_return(const nlohmann::json& request, const nlohmann::json& reply) {
  if (!reply.contains("return_url")) return;
  const std::string signed_url = text_of(request, "return_url");
  const std::string link = text_of(reply, "return_url");
  if (!return_link_allowed(signed_url, link))
    throw Refused("forged_return: the host's return link is not under the return_url it signed");
  std::cerr << "返回应用 Returning to the relying party's app: " << link << "\n";
}

// The signed request, checked: host signature, host certificate chain, ticket, expiry.
nlohmann::json verified_request(const HostReply& reply, const std::string& ticket, const std::string& url,
                                const Wallet& wallet, trust::Certificate& host_certificate) {
  const auto& body = reply.body;
  if (!body.is_object() || !body.contains("request") || !body["request"].is_object() || !body.contains("signature") ||
      !body["signature"].is_string() || !body.contains("host_certificates") || !body["host_certificates"].is_array() ||
      body["host_certificates"].empty())
    throw Refused("forged_request: the host's reply is not a signed wallet request");
  std::vector<trust::Certificate> host_chain;
  try {
    for (const auto& pem : body["host_certificates"]) host_chain.push_back(trust::Certificate::from_pem(pem.get<std::string>()));
  } catch (const std::exception&) {
    throw Refused("forged_request: the host certificates are malformed");
  }
  const nlohmann::json& request = body["request"];
  if (!protocol::verify_message(request, body["signature"].get<std::string>(), host_chain.front().public_key()))
    throw Refused("forged_request: the request's signature does not verify with the host certificate");

  // docs/PROTOCOL.md §2.3: the signer must hold a relying-party host
  // certificate (from a relying-party CA, under the root this wallet trusts)
  // that names the host the QR code points at. A license certificate — which
  // chains to the same root — is refused here. The wallet has no CRLs (a
  // phone would ask the platform): validity, path and profile only.
  const auto now = std::chrono::system_clock::now();
  const auto host_check = protocol::check_host_certificate(host_chain, wallet.chain().back(), *protocol::url_host(url), now);
  if (!host_check.ok) throw Refused(host_check.code + ": " + host_check.message);
  host_certificate = host_chain.front();

  if (text_of(request, "protocol") != protocol::kWalletProtocol) throw Refused("unsupported_request: protocol is not zhaoyin-wallet/1");
  if (text_of(request, "ticket") != ticket) throw Refused("forged_request: the request is for another ticket");
  if (text_of(request, "answer_url") != url + "/answer") throw Refused("forged_request: the answer URL is not on the scanned host");
  const auto expires = protocol::parse_rfc3339(text_of(request, "expires_at"));
  if (!expires || *expires <= now) throw Refused("session_expired: the request has expired");
  if (text_of(request, "type") != "login" && text_of(request, "type") != "sign")
    throw Refused("unsupported_request: this wallet version answers login and sign requests only");
  return request;
}

void show_request(const nlohmann::json& request) {
  const auto& rp = request["relying_party"];
  std::cerr << "登录请求 Login request\n"
            << "  relying party: " << text_of(rp, "name") << " (" << text_of(rp, "client_id") << ", "
            << text_of(rp, "department") << ")\n"
            << "  matter:        " << (request["matter"].is_string() ? request["matter"].get<std::string>() : "(none)") << "\n"
            << "  expires at:    " << text_of(request, "expires_at") << "\n";
}

}  // namespace

int run_scan(const Arguments& args) {
  auto wallet = Wallet::load(args.wallet);
  wallet.unlock(*args.password);  // the phone asks for the license password first

  try {
    std::string text;
    try {
      text = request_url_of(trimmed(args.image ? decode_qr_png(*args.image) : *args.scan_text));
    } catch (const WalletLinkError& e) {
      throw Refused(e.what());
    }
    const auto ticket = protocol::ticket_from_qr_text(text);
    // docs/PROTOCOL.md §3.1 check 1: an http(s) URL without userinfo, ending in the ticket.
    if (!ticket || !protocol::url_host(text))
      throw Refused("not_a_wallet_request: the QR code is not a Zhaoyin wallet request: " + text);

    const HostReply fetched = http_get_json(text);
    if (!fetched.ok()) throw Refused(fetched.error_code() + ": " + fetched.error_message());
    trust::Certificate host_certificate;
    const nlohmann::json request = verified_request(fetched, *ticket, text, wallet, host_certificate);
    if (text_of(request, "type") == "sign")
      return run_sign_request(args, wallet, request, host_certificate);  // sign_command.cpp
    show_request(request);

    if (!args.approve && !args.reject) {
      std::cout << request.dump(2, ' ', false) << "\n";
      return kExitOk;
    }
    const nlohmann::json answer = wallet.login_answer(request, args.approve);
    const HostReply reply = http_post_json(text_of(request, "answer_url"), wallet.signed_answer(answer));
    if (!reply.ok()) throw Refused(reply.error_code() + ": " + reply.error_message());
    check_return(request, reply.body);
    std::cout << reply.body.dump(2, ' ', false) << "\n";
    return kExitOk;
  } catch (const Refused& e) {
    std::cerr << "zhaoyin-wallet: refused: " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace zhaoyin::wallet
