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
          {"matter", request.at("matter")},
          {"answer_url", request.at("answer_url")},
          {"license_serial", wallet.license_serial()},
          {"answered_at", protocol::rfc3339(std::chrono::system_clock::now())}};
}

bool contains_bytes(const trust::Bytes& haystack, const trust::Bytes& needle) {
  return !needle.empty() && std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

}  // namespace

std::vector<std::string> accepted_types(const Wallet& wallet, const nlohmann::json& request) {
  std::vector<std::string> accepted;
  if (request.contains("parties") && request["parties"].is_array()) {
    for (const auto& p : request["parties"])
      if (p.is_object() && p.value("uscc", std::string()) == wallet.face_info().uscc && p.value("status", std::string()) == "due" &&
          p.contains("due") && p["due"].is_array())
        for (const auto& t : p["due"])
          if (t.is_string()) accepted.push_back(t.get<std::string>());
    return accepted;
  }
  if (request.contains("seals") && request["seals"].contains("accepted"))
    for (const auto& a : request["seals"]["accepted"])
      if (a.is_object() && a.contains("type") && a["type"].is_string()) accepted.push_back(a["type"].get<std::string>());
  return accepted;
}

std::vector<const WalletSeal*> usable_seals(const Wallet& wallet, const nlohmann::json& request) {
  const std::vector<std::string> accepted = accepted_types(wallet, request);
  // seals.es_ids: the seals the relying party had the enterprise choose; only those (docs/protocol/signing.md).
  // With parties, the holder's own party's parties[].seals.es_ids.
  std::vector<std::string> chosen;
  const auto take = [&](const nlohmann::json& seals) {
    if (seals.is_object() && seals.contains("es_ids") && seals["es_ids"].is_array())
      for (const auto& id : seals["es_ids"])
        if (id.is_string()) chosen.push_back(id.get<std::string>());
  };
  if (request.contains("parties") && request["parties"].is_array()) {
    for (const auto& p : request["parties"])
      if (p.is_object() && p.value("uscc", std::string()) == wallet.face_info().uscc && p.contains("seals")) take(p["seals"]);
  } else if (request.contains("seals")) {
    take(request["seals"]);
  }
  std::vector<const WalletSeal*> out;
  for (const auto& s : wallet.seals())
    if (s.authorised && std::find(accepted.begin(), accepted.end(), s.type) != accepted.end() &&
        (chosen.empty() || std::find(chosen.begin(), chosen.end(), s.es_id) != chosen.end()))
      out.push_back(&s);
  return out;
}

nlohmann::json inbox_body(const Wallet& wallet, const std::string& host_url) {
  const nlohmann::json answer = {{"protocol", std::string(protocol::kWalletProtocol)},
                                 {"type", "inbox"},
                                 {"answer_url", host_url + "/wallet/v1/inbox"},
                                 {"license_serial", wallet.license_serial()},
                                 {"answered_at", protocol::rfc3339(std::chrono::system_clock::now())}};
  return wallet.signed_answer(answer);
}

nlohmann::json sign_prepare_body(const Wallet& wallet, const nlohmann::json& request, const WalletSeal* seal) {
  auto answer = base_answer(wallet, request, "prepare");
  answer["es_id"] = seal ? nlohmann::json(seal->es_id) : nlohmann::json(nullptr);
  return wallet.signed_answer(answer);
}

namespace {

std::string text_at(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The host's "prepared" envelope, checked (docs/protocol/signing.md,
// "Prepared"): signed by the same host certificate that signed the request, for
// this ticket and nonce, this document and the seal the holder chose; the
// TBS_Sign it carries has the SM3 stated, holds the chosen seal unchanged and
// the stated data hash. Returns the prepared object.
const nlohmann::json& checked_preparation(const nlohmann::json& request, const WalletSeal* seal,
                                          const nlohmann::json& reply, const trust::Certificate& host_certificate,
                                          trust::Bytes& tbs) {
  if (!reply.is_object() || !reply.contains("prepared") || !reply["prepared"].is_object() ||
      !reply.contains("signature") || !reply["signature"].is_string())
    throw SignRefused("bad_preparation: the host's reply is not a signed preparation");
  const nlohmann::json& p = reply["prepared"];
  if (!protocol::verify_message(p, reply["signature"].get<std::string>(), host_certificate.public_key()))
    throw SignRefused("bad_preparation: the preparation is not signed by the host that signed the request");
  if (text_at(p, "protocol") != protocol::kWalletProtocol || text_at(p, "type") != "sign" ||
      text_at(p, "step") != "prepared" || text_at(p, "ticket") != text_at(request, "ticket") ||
      text_at(p, "nonce") != text_at(request, "nonce") || text_at(p, "answer_url") != text_at(request, "answer_url"))
    throw SignRefused("bad_preparation: the preparation is for another request");
  const auto& doc = request.at("document");
  if (text_at(p, "document_sm3") != text_at(doc, "sm3"))
    throw SignRefused("bad_preparation: the preparation is for another document");
  if (seal == nullptr) {
    // A license signature: the host must prepare one, with no seal; what the
    // phone signs is the CMS signed attributes holding the stated digest.
    if (text_at(p, "signature") != "license" || !p.contains("seal") || !p["seal"].is_null())
      throw SignRefused("bad_preparation: a license signature was asked, the host prepared a seal signature");
  } else if (!p.contains("seal") || !p["seal"].is_object() || text_at(p["seal"], "es_id") != seal->es_id ||
             text_at(p["seal"], "sm3") != trust::hex_encode(trust::sm3(seal->der))) {
    throw SignRefused("bad_preparation: the preparation is for another seal");
  }
  try {
    tbs = trust::base64_decode(text_at(p, "tbs_sign"));
  } catch (const trust::TrustError&) {
    throw SignRefused("bad_preparation: the TBS_Sign is not base64");
  }
  if (tbs.empty() || text_at(p, "tbs_sm3") != trust::hex_encode(trust::sm3(tbs)))
    throw SignRefused("bad_preparation: the TBS_Sign's SM3 does not match");
  // What the phone checks before it signs: its own seal, unchanged, inside the
  // TBS_Sign, and the data hash the host signed for (for business data, the
  // very digest it was shown).
  if (seal != nullptr && !contains_bytes(tbs, seal->der)) throw SignRefused("bad_preparation: the TBS_Sign does not hold the chosen seal");
  trust::Bytes data_hash;
  try {
    data_hash = trust::hex_decode(text_at(p, "data_hash"));
  } catch (const trust::TrustError&) {
    throw SignRefused("bad_preparation: the data hash is not hex");
  }
  if (!contains_bytes(tbs, data_hash)) throw SignRefused("bad_preparation: the TBS_Sign does not sign the stated data hash");
  if (text_at(doc, "kind") == "data" && text_at(p, "data_hash") != text_at(doc, "sm3"))
    throw SignRefused("bad_preparation: the TBS_Sign does not sign the document's digest");
  return p;
}

}  // namespace

nlohmann::json sign_final_body(const Wallet& wallet, const nlohmann::json& request, const WalletSeal* seal,
                               const nlohmann::json& reply, const trust::Certificate& host_certificate) {
  trust::Bytes tbs;
  const nlohmann::json& p = checked_preparation(request, seal, reply, host_certificate, tbs);
  auto answer = base_answer(wallet, request, "sign");
  answer["preparation"] = p["preparation"];
  answer["tbs_sm3"] = p["tbs_sm3"];
  answer["seal_signature"] = trust::base64_encode(wallet.sign(tbs));
  return wallet.signed_answer(answer);
}

nlohmann::json sign_reject_body(const Wallet& wallet, const nlohmann::json& request) {
  return wallet.signed_answer(base_answer(wallet, request, "reject"));
}

}  // namespace zhaoyin::wallet
