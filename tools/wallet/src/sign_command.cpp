// zhaoyin-wallet scan ... on a sign request (docs/protocol/signing.md):
//  shows the relying party, the document (name, pages, SM3), the accepted
//  seal types and the matter, and the seals this holder may use for it;
//  --approve --seal TYPE: chooses the holder's seal of that type, asks the host
//  for the TBS_Sign, checks it, signs it and sends the signature;
//  --reject: declines. Without either it stops at the confirm screen.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <zhaoyin/protocol/canonical_json.h>

#include "commands.h"
#include "host_client.h"
#include "sign_answers.h"

namespace zhaoyin::wallet {

namespace {

std::string text_of(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

void show_sign_request(const nlohmann::json& request, const std::vector<const WalletSeal*>& usable) {
  const auto& rp = request["relying_party"];
  const auto& doc = request["document"];
  std::cerr << "签章请求 Sign request\n"
            << "  relying party: " << text_of(rp, "name") << " (" << text_of(rp, "client_id") << ")\n"
            << "  document:      " << text_of(doc, "name") << " (" << text_of(doc, "kind");
  if (doc.contains("pages") && doc["pages"].is_number()) std::cerr << ", " << doc["pages"].get<int>() << " pages";
  std::cerr << ")\n  SM3:           " << text_of(doc, "sm3") << "\n  seals accepted:";
  for (const auto& a : request["seals"]["accepted"]) std::cerr << " " << text_of(a, "type") << "(" << text_of(a, "label") << ")";
  std::cerr << " [" << text_of(request["seals"], "mode") << "]\n"
            << "  matter:        " << (request["matter"].is_string() ? request["matter"].get<std::string>() : "(none)") << "\n"
            << "  your seals:   ";
  if (usable.empty()) std::cerr << " (none this task accepts)";
  for (const auto* s : usable) std::cerr << " " << s->type << "=" << s->es_id << "(" << s->name << ")";
  std::cerr << "\n";
}

}  // namespace

int sign_with(const Arguments& args, const Wallet& wallet, const nlohmann::json& request, const WalletSeal* seal,
              const trust::Certificate& host_certificate);

int run_sign_request(const Arguments& args, const Wallet& wallet, const nlohmann::json& request,
                     const trust::Certificate& host_certificate) {
  // A task bound to one holder (docs/protocol/signing.md, "signer"): a wallet of
  // another license does not offer it (the host would refuse with wrong_holder).
  if (request.contains("signer") && request["signer"].is_object() && request["signer"].contains("license_serial")) {
    std::string bound = text_of(request["signer"], "license_serial"), own = wallet.license_serial();
    for (auto* s : {&bound, &own})
      for (auto& ch : *s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (bound != own) {
      std::cerr << "zhaoyin-wallet: refused: wrong_holder: this task is for the holder of license certificate "
                << bound << ", not this wallet's " << own << "\n";
      return kExitFailure;
    }
  }
  const auto usable = usable_seals(wallet, request);
  show_sign_request(request, usable);
  const std::string answer_url = text_of(request, "answer_url");
  if (args.reject) {
    const HostReply reply = http_post_json(answer_url, sign_reject_body(wallet, request));
    if (!reply.ok()) {
      std::cerr << "zhaoyin-wallet: refused: " << reply.error_code() << ": " << reply.error_message() << "\n";
      return kExitFailure;
    }
    std::cout << reply.body.dump(2, ' ', false) << "\n";
    return kExitOk;
  }
  if (!args.approve) {
    nlohmann::json shown = request;
    shown["usable_seals"] = nlohmann::json::array();
    for (const auto* s : usable) shown["usable_seals"].push_back({{"es_id", s->es_id}, {"type", s->type}, {"name", s->name}});
    std::cout << shown.dump(2, ' ', false) << "\n";
    return kExitOk;
  }
  // A license signature (电子签名, no seal): chosen when the task — or this
  // enterprise's party — asks for one; --seal license says so explicitly.
  const auto accepted = accepted_types(wallet, request);
  const bool license_due = std::find(accepted.begin(), accepted.end(), "license") != accepted.end();
  if (license_due && (!args.seal_type || *args.seal_type == "license")) return sign_with(args, wallet, request, nullptr, host_certificate);
  if (args.seal_type && *args.seal_type == "license") {
    // Asked for anyway (to show the host's refusal): a license signature where a seal is due.
    return sign_with(args, wallet, request, nullptr, host_certificate);
  }
  if (usable.empty()) {
    std::cerr << "zhaoyin-wallet: no_usable_seal: this holder may use none of the seal types the task accepts\n";
    return kExitNoUsableSeal;
  }
  const WalletSeal* seal = nullptr;
  if (args.seal_type) {
    for (const auto* s : usable)
      if (s->type == *args.seal_type) seal = s;
    if (!seal) {
      std::cerr << "zhaoyin-wallet: no_usable_seal: this holder has no " << *args.seal_type
                << " seal it may use that the task accepts (usable:";
      for (const auto* s : usable) std::cerr << " " << s->type;
      std::cerr << ")\n";
      return kExitNoUsableSeal;
    }
  } else if (usable.size() == 1) {
    seal = usable.front();
  } else {
    std::cerr << "zhaoyin-wallet: choose a seal with --seal TYPE (usable:";
    for (const auto* s : usable) std::cerr << " " << s->type;
    std::cerr << ")\n";
    return kExitUsage;
  }

  return sign_with(args, wallet, request, seal, host_certificate);
}

int sign_with(const Arguments& args, const Wallet& wallet, const nlohmann::json& request, const WalletSeal* seal,
              const trust::Certificate& host_certificate) {
  (void)args;
  const std::string answer_url = text_of(request, "answer_url");
  const HostReply prepared = http_post_json(answer_url, sign_prepare_body(wallet, request, seal));
  if (!prepared.ok()) {
    std::cerr << "zhaoyin-wallet: refused: " << prepared.error_code() << ": " << prepared.error_message() << "\n";
    return kExitFailure;
  }
  nlohmann::json body;
  try {
    body = sign_final_body(wallet, request, seal, prepared.body, host_certificate);
  } catch (const SignRefused& e) {
    std::cerr << "zhaoyin-wallet: refused: " << e.what() << "\n";
    return kExitFailure;
  }
  const HostReply reply = http_post_json(answer_url, body);
  if (!reply.ok()) {
    std::cerr << "zhaoyin-wallet: refused: " << reply.error_code() << ": " << reply.error_message() << "\n";
    return kExitFailure;
  }
  std::cout << reply.body.dump(2, ' ', false) << "\n";
  return kExitOk;
}

int run_inbox(const Arguments& args) {
  auto wallet = Wallet::load(args.wallet);
  wallet.unlock(*args.password);
  const HostReply reply = http_post_json(*args.host_url + "/wallet/v1/inbox", inbox_body(wallet, *args.host_url));
  if (!reply.ok()) {
    std::cerr << "zhaoyin-wallet: refused: " << reply.error_code() << ": " << reply.error_message() << "\n";
    return kExitFailure;
  }
  std::cout << reply.body.dump(2, ' ', false) << "\n";
  return kExitOk;
}

}  // namespace zhaoyin::wallet
