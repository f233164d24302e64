#pragma once
// A signing task as the host keeps it (docs/api/signing.md):
//
//   pending ──scan──▶ scanned ──sign──▶ signed
//      │                 │  └──(all_of, more seals due)──▶ partially_signed ──sign──▶ … ▶ signed
//      │                 └────reject───▶ rejected
//      └──── any open state ──▶ expired (at expires_at) | cancelled (DELETE)
//
// A task carries either a PDF (each signature is an incremental update) or
// business data (each signature is a detached SES_Signature over its SM3).
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <zhaoyin/flow/status_event.h>
#include <vector>
#include <zhaoyin/pdf/pdf_signing.h>

namespace zhaoyin::signing {

using TimePoint = std::chrono::system_clock::time_point;
using Bytes = std::vector<std::uint8_t>;

// The requirement type of a license signature (电子签名 with the holder's
// license key, no seal): it stands among the seal types a task or party is
// due, so one table of requirements drives seals and license signatures alike.
inline constexpr const char* kLicenseSignature = "license";

// One enterprise of a multi-party document (docs/api/signing.md "Parties"):
// what it must apply — seals of the listed types (any_of / all_of), or a
// license signature — and optionally the one holder who may sign for it.
struct Party {
  std::string uscc;
  std::optional<std::string> name;           // as the relying party lists it (display only)
  std::string signature = "seal";            // seal | license
  std::string seal_mode = "all_of";          // any_of | all_of (license: all_of ["license"])
  std::vector<std::string> seal_types;       // license: {"license"}
  std::optional<std::string> signer_serial;  // bound holder (upper-case hex)
  std::vector<std::string> chosen_seals;     // parties[].seals.es_ids: only these of its seals may sign (empty: any)
  std::optional<pdf::Placement> placement;   // where this party's seals go
  nlohmann::json to_json() const;
  static Party from_json(const nlohmann::json& j);
};

struct SignTaskRequest {
  std::string document_kind;                 // pdf | ofd | data
  std::string signature = "seal";            // single party: seal | license (seal_types then {"license"})
  std::vector<Party> parties;                // empty: one signer (the fields below)
  std::string party_order = "sequential";    // sequential | parallel (with parties)
  std::string document_name;
  std::string seal_mode = "any_of";          // any_of | all_of
  std::vector<std::string> seal_types;       // as asked (company, contract, ...)
  std::vector<std::string> required_types;   // added by extensions (sign_task_created): always all of them
  std::vector<std::string> chosen_seals;     // esIDs picked on the relying party's page: only these may sign (empty: any)
  std::optional<pdf::Placement> placement;   // one for every seal type
  std::map<std::string, pdf::Placement> placements;  // per seal type
  std::optional<std::string> signer_uscc;
  std::optional<std::string> signer_role;    // legal_representative | administrator | agent
  // Bound to one holder: the license certificate serial (upper-case hex) that
  // alone may sign or reject, given directly or taken from a confirmed login.
  std::optional<std::string> signer_serial;
  std::optional<std::string> signer_login;   // the login session it was taken from
  std::optional<std::string> matter;
  std::optional<std::string> correlation_id;
  std::optional<std::string> callback_url;
  std::optional<std::string> return_url;     // where the hosted page /sign/{id} sends the browser once signed
  std::chrono::seconds ttl{600};
  int pages = 0;                             // pdf and ofd
  std::string document_sm3;                  // hex, of the original document

  nlohmann::json to_json() const;
  static SignTaskRequest from_json(const nlohmann::json& j);
  // {"uscc"?, "role"?, "license_serial"?, "login_session"?}: the constraint as
  // relying parties, wallets and extensions see it.
  nlohmann::json signer_json() const;
};

// One signature made on the task.
struct SignatureMade {
  std::string es_id;
  std::string seal_type;
  std::string seal_name;
  std::string uscc;
  std::string holder_serial;
  std::string holder_name;
  std::string field_name;                    // pdf only
  std::string signed_at;                     // RFC 3339
  std::string data_hash;                     // hex SM3 the SES_Signature covers
  std::string ses_signature;                 // base64 DER
  nlohmann::json to_json() const;
  static SignatureMade from_json(const nlohmann::json& j);
};

// A wallet's first step, waiting for its signature over tbs_sign.
struct Preparation {
  std::string id;
  std::string es_id;
  std::string seal_type;
  std::string holder_serial;
  std::string tbs_sign;                      // base64 DER
  std::string signing_time;                  // RFC 3339
  std::string data_hash;                     // hex
  std::string property_info;
  // pdf only: where the prepared update reserved /Contents
  std::array<std::size_t, 4> byte_range{};
  std::size_t contents_offset = 0;
  std::size_t contents_capacity = 0;
  std::string field_name;
  std::string expires_at;                    // RFC 3339: the preparation's own short life
  nlohmann::json to_json() const;
  static Preparation from_json(const nlohmann::json& j);
};

using SignTaskEvent = flow::StatusEvent;

struct SignTask {
  std::string id;
  std::string client_id;
  std::string ticket;
  std::string nonce;
  std::string status;                        // pending | scanned | partially_signed | signed | rejected | expired | cancelled
  int version = 0;                           // bumped by every change (optimistic concurrency)
  SignTaskRequest request;
  std::string qr_text;
  TimePoint created_at{};
  TimePoint expires_at{};
  std::vector<SignTaskEvent> events;
  std::vector<SignatureMade> signatures;
  std::optional<Preparation> preparation;

  // A state with no way out in the signing flow's definition (sign_flow.cpp):
  // signed, rejected, expired, cancelled.
  bool final() const;
  bool open() const { return !final(); }

  // Seal types still to be signed: the all-of ones not signed yet, and — while
  // no any-of type has signed — the any-of ones.
  // With parties: the union of what the parties that may sign now are due.
  std::vector<std::string> types_due() const;
  std::vector<std::string> signed_types() const;
  // Would a signature of this type by this enterprise finish the task?
  bool complete_after(const std::string& seal_type, const std::string& uscc) const;

  // Parties (request.parties non-empty): the index of the enterprise's party;
  // what it is still due; whether it is done; whether it may sign now (in a
  // sequential task only the first party not done may).
  std::optional<std::size_t> party_of(const std::string& uscc) const;
  std::vector<std::string> party_due(std::size_t index) const;
  bool party_done(std::size_t index) const;
  bool party_may_sign(std::size_t index) const;
  // The types the holder of enterprise `uscc` may sign now (for one-party tasks: types_due()).
  std::vector<std::string> due_for(const std::string& uscc) const;
  // Where a seal of this type goes: its party's placement, its type's, the
  // common one, or a default spot — moved clear of `occupied` (the
  // impressions already in the document, any party's): left by its width
  // + 4 mm while it overlaps one, then a row up, so no seal covers another.
  pdf::Placement placement_for(const std::string& seal_type, const std::vector<pdf::PageSize>& pages,
                               const std::string& uscc = "", const std::vector<pdf::Placement>& occupied = {}) const;
};

// The known seal types and their Chinese labels (法定名称章, ...). Accepts either
// form; nullopt for an unknown one.
std::optional<std::string> normalise_seal_type(const std::string& type_or_label);
std::string seal_type_label(const std::string& type);
// What a hosted page says for a task's status, in Chinese and English.
std::string sign_status_label(const std::string& status);

}  // namespace zhaoyin::signing
