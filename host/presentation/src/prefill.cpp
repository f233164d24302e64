// Face-info prefill (照面信息获取): a form's fields filled from a verified
// subject — an archive of this application or a confirmed login session of
// this application. Which forms exist is up to flow::Extensions: the built-in
// generic form (builtin_forms.cpp), department plugins' forms, and scripts
// that map or add fields (on_prefill).
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/extension_gate.h>
#include <zhaoyin/login/login_service.h>
#include "archive_repository.h"
#include "handlers.h"

namespace zhaoyin::presentation {

namespace {

std::string form_ids(const std::vector<flow::FormDefinition>& forms) {
  std::string ids;
  for (const auto& f : forms) ids += (ids.empty() ? "" : ", ") + f.id;
  return ids;
}

}  // namespace

void ListForms::handle(http::Exchange& ex) {
  const auto client = http::authenticate_bearer(ex, *ctx_);
  nlohmann::json forms = nlohmann::json::array();
  for (const auto& f : ctx_->extensions->forms_for(client.application.client_id)) forms.push_back(f.to_json());
  ex.send_json(200, {{"forms", forms}});
}

void PrefillForm::handle(http::Exchange& ex) {
  const auto client = http::authenticate_bearer(ex, *ctx_);
  const std::string form_id = ex.param("form_id");
  const auto forms = ctx_->extensions->forms_for(client.application.client_id);
  if (std::none_of(forms.begin(), forms.end(), [&](const auto& f) { return f.id == form_id; }))
    throw http::ApiError(404, "unknown_form", "no form '" + form_id + "' for this application (forms: " +
                                                  form_ids(forms) + ")");
  const auto body = ex.json_body();
  if (!body.is_object() || !body.contains("subject_ref") || !body["subject_ref"].is_string() ||
      body["subject_ref"].get<std::string>().empty())
    throw http::ApiError::bad_request("'subject_ref' (an archive id or a confirmed login session id) is required");
  const std::string ref = body["subject_ref"].get<std::string>();

  nlohmann::json subject;
  std::string source;
  if (const auto a = ArchiveRepository(*ctx_->db).find(ref); a && a->client_id == client.application.client_id) {
    subject = a->subject;
    source = "archive";
  } else if (const auto session = login::LoginService(ctx_).find_for(client.application.client_id, ref)) {
    if (session->status != "confirmed")
      throw http::ApiError(409, "subject_not_confirmed",
                           "login session " + ref + " is " + session->status + ", not confirmed");
    subject = session->subject;
    source = "login_session";
  } else {
    throw http::ApiError(404, "subject_not_found", "no archive or login session " + ref + " for this application");
  }

  const auto event = http::flow_event(flow::FlowPoint::form_prefill, client.application, subject,
                                      {{"form_id", form_id}, {"subject_ref", ref}, {"source", source}});
  const auto outcome = ctx_->extensions->prefill(event);
  if (!outcome.decision.allowed) http::throw_refusal(*ctx_, event, outcome.decision);
  if (!outcome.fill) throw http::ApiError(404, "unknown_form", "no extension fills form '" + form_id + "'");
  const auto& fill = *outcome.fill;

  // Fields in the form's order, then any a script added.
  nlohmann::json fields = nlohmann::json::array();
  std::vector<std::string> listed;
  for (const auto& f : fill.form.fields) {
    nlohmann::json field = f.to_json();
    field["label"] = fill.labels.value(f.key, f.label);
    field["value"] = fill.values.contains(f.key) ? fill.values[f.key] : nlohmann::json("");
    fields.push_back(std::move(field));
    listed.push_back(f.key);
  }
  for (auto it = fill.values.begin(); it != fill.values.end(); ++it) {
    if (std::find(listed.begin(), listed.end(), it.key()) != listed.end()) continue;
    fields.push_back({{"key", it.key()}, {"label", fill.labels.value(it.key(), it.key())}, {"value", *it}});
  }
  ex.send_json(200, {{"form_id", form_id},
                     {"title", fill.form.title},
                     {"department", fill.form.department},
                     {"subject_ref", ref},
                     {"source", source},
                     {"verified_at", subject.value("verified_at", "")},
                     {"fields", fields},
                     {"values", fill.values},
                     {"filled_by", fill.filled_by}});
}

}  // namespace zhaoyin::presentation
