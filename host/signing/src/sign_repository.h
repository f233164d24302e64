#pragma once
// Storage of sign tasks and the seal usage records (tables of migration 8):
// signing's own columns. Status changes and the event log go through the
// engine's generic repository (flow/flow_repository.h) on the same tables.
// Every change is one conditional UPDATE (on the status, and for the signing
// steps on the task's version) plus its event row in one transaction, so a
// step happens at most once even with several hosts sharing the store.
#include <optional>
#include <string>
#include <vector>
#include <zhaoyin/flow/flow_repository.h>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/database.h>

#include "sign_task.h"

namespace zhaoyin::signing {

struct SignatureEvidence;
// A signature value and the evidence to keep with it (long_term.h).
struct SignatureEvidenceRecord {
  Bytes signature_value;
  const SignatureEvidence* evidence = nullptr;
};

using Deadline = flow::Deadline;

struct SealUsage {
  std::string es_id, seal_type, uscc, holder_serial, holder_name, client_id, task_id, document_name, document_sm3;
  TimePoint signed_at{};
};

class SignRepository {
 public:
  explicit SignRepository(const http::HostContext& ctx);

  void insert(const SignTask& task, const Bytes& original);

  std::optional<SignTask> find(const std::string& id) const;
  std::optional<SignTask> find_by_ticket(const std::string& ticket) const;

  Bytes original(const std::string& id) const;
  std::optional<Bytes> current_document(const std::string& id) const;  // null until the first signature
  std::optional<Bytes> prepared_document(const std::string& id) const;

  // Status change from one of `from` (and the deadline condition at `at`); false if it did not apply.
  bool transition(const std::string& id, const std::vector<std::string>& from, const std::string& to, TimePoint at,
                  Deadline deadline);

  // Stores a wallet's first step, if the task is still at `version` and open before its expiry.
  bool save_preparation(const std::string& id, int version, const Preparation& prep, const std::optional<Bytes>& prepared,
                        TimePoint at);

  // Records a signature: the new status (an event when it changed), the
  // signatures list, the new current document, the usage record; clears the
  // preparation. Only if the task is still at `version`, open, before expiry.
  // With `evidence`, the signature's revocation evidence too (long_term.h), in the same transaction.
  // `party_completed`: a party of a multi-party task finished its part — an
  // event (and callback) even when the status stays partially_signed.
  bool record_signature(const SignTask& task, const std::string& new_status, const Bytes& current_document,
                        const SealUsage& usage, TimePoint at, const SignatureEvidenceRecord* evidence = nullptr,
                        bool party_completed = false);

  std::vector<SealUsage> usage(const std::string& es_id, const std::string& client_id) const;

  // The callback delivery the last successful status change held in its own
  // transaction (http/callback_outbox.h), for SignService::announce to send;
  // nullopt when the task has no callback URL or the status did not change.
  const std::optional<std::string>& held_callback() const { return flow_.held_callback(); }

  // Open tasks bound to the holder of `license_serial` (upper-case hex), not
  // expired at `at`, oldest first: the wallet inbox.
  std::vector<std::string> open_for_holder(const std::string& license_serial, TimePoint at, std::size_t limit) const;

  std::vector<std::string> overdue_with_callback(TimePoint at, std::size_t limit) const;

 private:
  std::optional<SignTask> find_where(const std::string& column, const std::string& value) const;
  std::optional<Bytes> blob(const std::string& column, const std::string& id) const;
  store::Database& db_;
  std::string public_url_;
  flow::FlowRepository flow_;
};

}  // namespace zhaoyin::signing
