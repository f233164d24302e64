#pragma once
// What the generator builds in memory before it writes anything: the plan of
// each demo enterprise (hand-written data, enterprises.cpp) and the material
// made from it (keys, certificates, seals, grants).
#include <optional>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include <zhaoyin/domain/license.h>
#include <zhaoyin/trust/crl.h>
#include <zhaoyin/trust/sm2.h>
#include <zhaoyin/trust/x509.h>

namespace zhaoyin::sandbox {

// When an administrator's or agent's authorisation is valid, relative to the
// moment the sandbox is created.
enum class AuthorisationWindow { Current, Expired };

struct HolderPlan {
  std::string name;
  domain::HolderRole role = domain::HolderRole::Agent;
  std::string scope = "full";              // full | precise (the legal representative: full)
  std::vector<std::string> matters;        // precise only
  std::vector<std::string> seal_types;     // the seals this holder may use (legal representative: all)
  AuthorisationWindow window = AuthorisationWindow::Current;
  std::optional<int> revoke_reason;        // RFC 5280 CRLReason: revoke the license certificate
  std::string note;                        // for the operator, in sandbox.json
};

struct EnterprisePlan {
  std::string province;                    // 42, 41, 44, 37
  std::string region;                      // six-digit GB/T 2260 code for the USCC
  char entity_type = '1';                  // '1' enterprise, '2' individual business
  unsigned long seed = 0;                  // organisation-code body of the USCC
  domain::FaceInfo face;                   // everything but the USCC
  std::vector<std::string> seal_types;     // company, finance, contract, invoice[, legal_rep]
  std::vector<HolderPlan> holders;         // the legal representative first
};

struct Seal {
  std::string es_id;
  std::string type;        // company | finance | contract | invoice | legal_rep
  std::string type_label;  // 法定名称章 ...
  std::string name;        // the name in the SESeal
  trust::Bytes der;        // the SESeal
  trust::Bytes png;        // its impression
};

struct Holder {
  HolderPlan plan;
  trust::Sm2Key key;
  trust::Certificate cert;
  domain::Authorisation authorisation;
  nlohmann::json grant = nullptr;          // null for the legal representative
  std::string password;                    // the license password that encrypts the wallet's key
  std::string wallet_path;                 // relative to the sandbox folder
  std::optional<trust::RevokedEntry> revocation;
};

struct Enterprise {
  EnterprisePlan plan;
  domain::FaceInfo face;                   // with the USCC
  std::vector<Holder> holders;             // the legal representative first
  std::vector<Seal> seals;
};

}  // namespace zhaoyin::sandbox
