#include "sign_answers.h"

#include <algorithm>
#include <chrono>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/protocol/wallet_messages.h>
#include <zhaoyin/trust/bytes.h>
#include <zhaoyin/trust/error.h>
#include <zhaoyin/trust/sm3.h>

namespace zhaoyin::wallet {

namespace {

nlohmann::json base_answer(const Wallet& wallet, const nlohmann::json& request, const std::string& step) {
  return {{"protocol", std::string(protocol::kWalletProtocol)},
          {"type", "sign"},
          {"step", step},
          {"ticket", request.at("ticket")},
          {"nonce", request.at("nonce")},
          {"client_id", request.at("relying_party").at("client_id")},
          {"license_serial", wallet.license_serial()},
          {"answered_at", protocol::rfc3339(std::chrono::system_clock::now())}};
}

bool contains_bytes(const trust::Bytes& haystack, const trust::Bytes& needle) {
  return !needle.empty() && std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

}  // namespace

std::vector<const WalletSeal*> usable_seals(const Wallet& wallet, const nlohmann::json& request) {
  std::vector<std::string> accepted;
  if (request.contains("seals") && request["seals"].contains("accepted"))
    for (const auto& a : request["seals"]["accepted"])
      if (a.is_object() && a.contains("type") && a["type"].is_string()) accepted.push_back(a["type"].get<std::string>());
  std::vector<const WalletSeal*> out;
  for (const auto& s : wallet.seals())
    if (s.authorised && std::find(accepted.begin(), accepted.end(), s.type) != accepted.end()) out.push_back(&s);
  return out;
}

nlohmann::json sign_prepare_body(const Wallet& wallet, const nlohmann::json& request, const WalletSeal& seal) {
  auto answer = base_answer(wallet, request, "prepare");
  answer["es_id"] = seal.es_id;
  return wallet.signed_answer(answer);
}

nlohmann::json sign_final_body(const Wallet& wallet, const nlohmann::json& request, const WalletSeal& seal,
                               const nlohmann::json& reply) {
  if (!reply.is_object() || !reply.contains("tbs_sign") || !reply["tbs_sign"].is_string() ||
      !reply.contains("preparation") || !reply["preparation"].is_string())
    throw SignRefused("bad_preparation: the host's reply carries no TBS_Sign");
  trust::Bytes tbs;
  try {
    tbs = trust::base64_decode(reply["tbs_sign"].get<std::string>());
  } catch (const trust::TrustError&) {
    throw SignRefused("bad_preparation: the TBS_Sign is not base64");
  }
  const std::string tbs_sm3 = trust::hex_encode(trust::sm3(tbs));
  if (reply.value("tbs_sm3", "") != tbs_sm3) throw SignRefused("bad_preparation: the TBS_Sign's SM3 does not match");
  // What the phone checks before it signs: its own seal, unchanged, inside the
  // TBS_Sign, and for business data the very digest it was shown.
  if (!contains_bytes(tbs, seal.der)) throw SignRefused("bad_preparation: the TBS_Sign does not hold the chosen seal");
  const auto& doc = request.at("document");
  if (doc.value("kind", "") == "data" &&
      !contains_bytes(tbs, trust::hex_decode(doc.value("sm3", ""))))
    throw SignRefused("bad_preparation: the TBS_Sign does not sign the document's digest");
  auto answer = base_answer(wallet, request, "sign");
  answer["preparation"] = reply["preparation"];
  answer["tbs_sm3"] = tbs_sm3;
  answer["seal_signature"] = trust::base64_encode(wallet.sign(tbs));
  return wallet.signed_answer(answer);
}

nlohmann::json sign_reject_body(const Wallet& wallet, const nlohmann::json& request) {
  return wallet.signed_answer(base_answer(wallet, request, "reject"));
}

}  // namespace zhaoyin::wallet
