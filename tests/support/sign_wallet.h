#pragma once
// The phone's side of a sign request, for tests (docs/protocol/signing.md):
// the two steps the real wallet makes — prepare with the chosen seal (or none,
// for a license signature), then sign the host's TBS — built with the wallet
// core (tools/wallet/src/sign_answers.h) and posted to the request's
// answer_url. Shared by the one-host signing tests (signing_env.h) and the
// two-host tests (tests/cluster), so a prepare answered by one host and a
// final answer taken by another are made exactly alike.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <zhaoyin/trust/x509.h>
#include <zhaoyin/wallet/wallet.h>

#include "http_client.h"
#include "sign_answers.h"

namespace zhaoyin::test {

// The relying-party host certificate a sandbox's hosts sign wallet requests
// and preparations with (its authority/host.pem, first certificate).
inline trust::Certificate sandbox_host_certificate(const std::filesystem::path& sandbox) {
  std::ifstream in(sandbox / "authority" / "host.pem");
  std::stringstream pem;
  pem << in.rdbuf();
  return trust::Certificate::bundle_from_pem(pem.str()).front();
}

// The holder's seal of `type` (authorised or not), from its wallet file.
inline const wallet::WalletSeal& seal_of(const wallet::Wallet& w, const std::string& type) {
  for (const auto& s : w.seals())
    if (s.type == type) return s;
  throw std::runtime_error("the wallet has no " + type + " seal");
}

// Both steps as the real wallet makes them, to an already fetched request;
// `seal` null makes a license signature. Returns the reply to the last step made.
inline Reply sign_with(const json& request, const wallet::Wallet& w, const wallet::WalletSeal* seal,
                       const trust::Certificate& host_certificate) {
  const auto prepared = post_answer(request, wallet::sign_prepare_body(w, request, seal));
  if (prepared.status != 200) return prepared;
  return post_answer(request, wallet::sign_final_body(w, request, seal, prepared.as_json(), host_certificate));
}

}  // namespace zhaoyin::test
