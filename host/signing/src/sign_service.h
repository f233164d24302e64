#pragma once
// Sign tasks: /api/v1/sign-tasks, the wallet's two-step answer
// (docs/protocol/signing.md) and the hosted pages. A flow on the engine
// (host/flow, docs/FLOWS.md) whose states are declared in sign_flow.cpp: the
// engine stores every change with its time in the task's event log, publishes
// it on the event bus as topic "sign:<id>" and tells tasks with a callback URL
// through the "sign task" http::CallbackDispatcher. What is signing's own: the
// document and seal checks, the prepare/sign steps, documents, seal usage.
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <zhaoyin/http/host_context.h>
#include <zhaoyin/store/application_repository.h>
#include <zhaoyin/trust/x509.h>
#include <zhaoyin/verification/subject_verifier.h>

#include "sign_task.h"

namespace zhaoyin::signing {

// The name of signing's http::CallbackDispatcher (and of its log lines: "sign task callback delivered").
inline constexpr const char* kCallbackFlow = "sign task";

class SignService {
 public:
  explicit SignService(std::shared_ptr<http::HostContext> ctx);

  // Validates, runs the sign_task_created extensions and stores the task.
  // Throws http::ApiError (403 insufficient_scope / matter_not_approved, 422
  // malformed_pdf / encrypted_pdf / placement_off_page / unknown_login_session /
  // signer_mismatch / seal_type_unavailable, 409 login_not_confirmed, 400
  // invalid_request, ...).
  SignTask create(const store::Application& app, SignTaskRequest request, const Bytes& document);

  std::optional<SignTask> find(const std::string& id) const;  // an overdue open task is recorded as expired
  std::optional<SignTask> find_for(const std::string& client_id, const std::string& id) const;
  std::optional<SignTask> find_by_ticket(const std::string& ticket) const;
  std::optional<SignTask> wait_for_change(const std::string& id, const std::string& last,
                                          std::chrono::steady_clock::time_point deadline) const;

  SignTask cancel(const SignTask& task);        // 409 already_final
  SignTask mark_scanned(const SignTask& task);  // pending → scanned

  // The wallet's answer: step "prepare", "sign" or "reject". Throws ApiError with the refusal's code.
  nlohmann::json answer(const std::string& ticket, const nlohmann::json& body);

  // The holder and enterprise a confirmed login session of `client_id`
  // verified. 422 unknown_login_session (none of this application's),
  // 409 login_not_confirmed.
  struct LoginHolder {
    std::string session_id, license_serial, uscc;  // serial upper-case hex
    std::string client_id;                         // the application the login belongs to
  };
  LoginHolder confirmed_login_holder(const std::string& client_id, const std::string& session_id) const;

  nlohmann::json wallet_request(const SignTask& task) const;  // unsigned; the route signs it
  nlohmann::json to_json(const SignTask& task) const;          // the relying party's view
  std::string callback_body(const SignTask& task) const;       // {"event": "sign_task.status", "task": to_json}

  // GET .../document: the PDF with every signature so far, or the detached
  // SES_Signature (index into the signatures; the last by default). 409 not_signed before any.
  struct Download {
    std::string content_type;
    std::string file_name;
    Bytes bytes;
  };
  Download document(const SignTask& task, std::optional<std::size_t> index) const;

  // Tells the event bus, and sends the callback `held` (the delivery the
  // status change held in its transaction, SignRepository::held_callback).
  void announce(const SignTask& task, const std::optional<std::string>& held = std::nullopt) const;

  // The flow's metric families: registered with the routes (so /metrics lists
  // them from the start), updated on each change.
  static http::Counter& changes_metric(http::HostContext& ctx);
  static http::Histogram& duration_metric(http::HostContext& ctx);

 private:
  nlohmann::json prepare(const SignTask& task, const nlohmann::json& body);
  nlohmann::json sign(const SignTask& task, const nlohmann::json& body);
  nlohmann::json reject(const SignTask& task, const nlohmann::json& body);
  // The same two steps for a license signature (license_answer.cpp): no seal,
  // a CMS SignedData over the PDF's byte range or the data.
  nlohmann::json prepare_license(const SignTask& task, const trust::Certificate& holder,
                                 const verification::VerifiedSubject& subject, TimePoint at);
  nlohmann::json sign_license(const SignTask& task, const store::Application& app, const trust::Certificate& holder,
                              const verification::VerifiedSubject& subject, const Bytes& signed_attributes,
                              const Bytes& signature, TimePoint at);
  // <public_url>/wallet/v1/requests/<ticket>/answer: where the wallet posts, and
  // what its signed answers must name.
  std::string answer_url(const SignTask& task) const;
  // signer.login_session: the confirmed login of this application whose holder
  // alone may sign (its license serial and enterprise go into the request).
  void bind_to_login(const store::Application& app, SignTaskRequest& request) const;
  // With a known enterprise: it must hold the seal types asked for (all of
  // them for all_of, one for any_of), else 422 seal_type_unavailable now
  // rather than a task nobody can ever sign.
  void require_seal_types_held(const SignTaskRequest& request) const;
  // seals.es_ids: seals of the signer's enterprise (422 unknown_seal), usable
  // now (422 seal_unusable); only they may then sign (prepare: 422 seal_not_chosen).
  void check_chosen_seals(const SignTaskRequest& request) const;
  // After the extensions: the chosen seals' types against seals.types and
  // seals.required_types (400, or 422 required_seal_not_chosen).
  void check_chosen_seal_types(const SignTaskRequest& request) const;
  std::shared_ptr<http::HostContext> ctx_;
};

}  // namespace zhaoyin::signing
