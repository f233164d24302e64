// Face-info prefill (照面信息获取): a form's fields filled from a verified
// subject — an archive of this application, or (once the login feature
// provides it) a confirmed login session of this application.
#include <functional>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/login/login_service.h>
#include "archive_repository.h"
#include "handlers.h"

namespace zhaoyin::presentation {

namespace {

// A form field and where its value comes from in the verified subject JSON
// ({"face_info": ..., "holder": ...}).
struct FormField {
  std::string key;
  std::string label;  // the label a field carries whatever the enterprise kind
  std::function<std::string(const nlohmann::json& subject)> value;
  const char* kind_label_field = nullptr;  // face field whose kind-specific label replaces `label`
};

std::string face(const nlohmann::json& s, const char* key) {
  const auto& f = s.value("face_info", nlohmann::json::object());
  return f.contains(key) && f[key].is_string() ? f[key].get<std::string>() : std::string();
}
std::string holder(const nlohmann::json& s, const char* key) {
  const auto& h = s.value("holder", nlohmann::json::object());
  return h.contains(key) && h[key].is_string() ? h[key].get<std::string>() : std::string();
}

// The built-in generic form; department forms come with their plugins.
const std::vector<FormField>& generic_form() {
  static const std::vector<FormField> fields = {
      {"uscc", "统一社会信用代码", [](const auto& s) { return face(s, "uscc"); }},
      {"name", "名称", [](const auto& s) { return face(s, "name"); }},
      {"type", "类型", [](const auto& s) { return face(s, "type"); }},
      {"legal_representative", "法定代表人", [](const auto& s) { return face(s, "legal_representative"); },
       "legal_representative"},
      {"registered_capital", "注册资本", [](const auto& s) { return face(s, "registered_capital"); },
       "registered_capital"},
      {"established", "成立日期", [](const auto& s) { return face(s, "established"); }, "established"},
      {"term", "营业期限",
       [](const auto& s) {
         const std::string to = face(s, "term_to_text").empty() ? face(s, "term_to") : face(s, "term_to_text");
         return face(s, "term_from") + " 至 " + to;
       }},
      {"address", "住所", [](const auto& s) { return face(s, "address"); }, "address"},
      {"business_scope", "经营范围", [](const auto& s) { return face(s, "business_scope"); }},
      {"registration_authority", "登记机关", [](const auto& s) { return face(s, "registration_authority"); }},
      {"approval_date", "核准日期", [](const auto& s) { return face(s, "approval_date"); }},
      {"status", "登记状态", [](const auto& s) { return face(s, "status_label"); }},
      {"handler_name", "经办人", [](const auto& s) { return holder(s, "name"); }},
      {"handler_role", "经办人角色", [](const auto& s) { return holder(s, "role_label"); }},
  };
  return fields;
}

std::string kind_label(const nlohmann::json& subject, const FormField& f) {
  if (!f.kind_label_field) return f.label;
  const auto& labels = subject.value("face_info", nlohmann::json::object()).value("labels", nlohmann::json::object());
  const auto it = labels.find(f.kind_label_field);
  return it != labels.end() && it->is_string() ? it->get<std::string>() : f.label;
}

}  // namespace

void PrefillForm::handle(http::Exchange& ex) {
  const auto client = http::authenticate_bearer(ex, *ctx_);
  const std::string form_id = ex.param("form_id");
  if (form_id != "generic") throw http::ApiError(404, "unknown_form", "no form '" + form_id + "' (built in: generic)");
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

  nlohmann::json fields = nlohmann::json::array();
  nlohmann::json values = nlohmann::json::object();
  for (const auto& f : generic_form()) {
    const std::string v = f.value(subject);
    fields.push_back({{"key", f.key}, {"label", kind_label(subject, f)}, {"value", v}});
    values[f.key] = v;
  }
  ex.send_json(200, {{"form_id", form_id},
                     {"subject_ref", ref},
                     {"source", source},
                     {"verified_at", subject.value("verified_at", "")},
                     {"fields", fields},
                     {"values", values}});
}

}  // namespace zhaoyin::presentation
