// The application-facing API: verify a presentation code, read its archive
// (JSON or printable PDF), publish it for display (亮照).
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/usage_check.h>
#include <zhaoyin/presentation/license_copies.h>
#include "archive_view.h"
#include "handlers.h"
#include "presentation_verifier.h"

namespace zhaoyin::presentation {

namespace {

// The archive named by the path, if it belongs to the calling application.
// Another application's archive is "not found": its existence is not disclosed.
Archive owned_archive(const http::HostContext& ctx, const http::AuthenticatedClient& client, const std::string& id) {
  auto a = ArchiveRepository(*ctx.db).find(id);
  if (!a || a->client_id != client.application.client_id)
    throw http::ApiError(404, "archive_not_found", "no archive " + id + " for this application");
  return *a;
}

http::AuthenticatedClient presentation_client(http::Exchange& ex, const http::HostContext& ctx) {
  auto client = http::authenticate_bearer(ex, ctx);
  http::require_scope(client, "presentation");
  return client;
}

}  // namespace

void CreatePresentation::handle(http::Exchange& ex) {
  const auto client = presentation_client(ex, *ctx_);
  http::admit_usage(ex, *ctx_, client.application, "presentation");
  const auto body = ex.json_body();
  if (!body.is_object()) throw http::ApiError::bad_request("the body must be a JSON object");
  const auto code = body.find("code");
  if (code == body.end() || !code->is_string() || code->get<std::string>().empty())
    throw http::ApiError::bad_request("'code' (the scanned presentation code) is required");
  std::optional<std::string> matter;
  if (const auto m = body.find("matter"); m != body.end() && !m->is_null()) {
    if (!m->is_string() || m->get<std::string>().empty())
      throw http::ApiError::bad_request("'matter' must be a non-empty string when given");
    matter = m->get<std::string>();
  }

  // include_permits: the enterprise's associated permits (关联证照) beside the
  // license, each with its status at the authority now (a revoked one says so).
  bool include_permits = false;
  if (const auto p = body.find("include_permits"); p != body.end() && !p->is_null()) {
    if (!p->is_boolean()) throw http::ApiError::bad_request("'include_permits' is true or false");
    include_permits = p->get<bool>();
  }

  auto& outcomes = ctx_->metrics->counter("zhaoyin_presentations_total", "Presentation codes verified, by result.",
                                          {"result"});
  PresentationResult result;
  try {
    result = verify_and_archive(*ctx_, client.application, code->get<std::string>(), matter,
                                std::chrono::system_clock::now());
  } catch (const http::ApiError& e) {
    outcomes.inc({e.code()});
    ctx_->log->info("presentation refused", {{"request_id", ex.request_id()},
                                             {"client_id", client.application.client_id},
                                             {"code", e.code()}});
    throw;
  }
  outcomes.inc({"accepted"});
  const Archive& a = result.archive;
  ctx_->log->info("presentation accepted", {{"request_id", ex.request_id()},
                                            {"client_id", a.client_id},
                                            {"archive_id", a.id},
                                            {"uscc", a.uscc}});
  // Read after the code was accepted (the USCC is known only now): if the
  // authority cannot answer at this moment the presentation still stands,
  // answered with "permits": null and why, rather than a 503 for a used code.
  nlohmann::json permits = nullptr;
  std::string permits_error;
  if (include_permits) {
    try {
      permits = nlohmann::json::array();
      for (const auto& p : ctx_->authority->permits_of(a.uscc)) {
        auto item = authority::to_json(p);
        if (!p.record.empty())
          item["authority_record"] = {{"record", p.record}, {"signature", p.signature}, {"signer_serial", p.signer_serial}};
        permits.push_back(std::move(item));
      }
    } catch (const authority::AuthorityUnavailable&) {
      permits = nullptr;
      permits_error = "authority_unavailable";
    }
  }
  ex.response().set("Location", "/api/v1/archives/" + a.id);
  nlohmann::json answer = {{"archive_id", a.id},
                     {"license_serial", a.license_serial},
                     {"face_info", a.subject["face_info"]},
                     {"holder", a.subject["holder"]},
                     {"checks", a.subject["checks"]},
                     {"verified_at", a.subject["verified_at"]},
                     {"matter", matter ? nlohmann::json(*matter) : nlohmann::json(nullptr)},
                     {"verification_url", public_page_url(*ctx_, a.public_token)}};
  if (include_permits) {
    answer["permits"] = permits;
    if (!permits_error.empty()) answer["permits_error"] = permits_error;
  }
  ex.send_json(201, answer);
}

void GetArchive::handle(http::Exchange& ex) {
  const auto client = presentation_client(ex, *ctx_);
  const auto a = owned_archive(*ctx_, client, ex.param("id"));
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, archive_json(*ctx_, a));
}

void GetArchivePdf::handle(http::Exchange& ex) {
  const auto client = presentation_client(ex, *ctx_);
  const auto a = owned_archive(*ctx_, client, ex.param("id"));
  const std::string pdf = archive_pdf(*ctx_, a, client.application.name);
  // The data interface's verify recognises an archived copy by these bytes.
  record_issued_copy(*ctx_, a.id, client.application.client_id, pdf);
  ex.response().set("Cache-Control", "no-store");
  ex.response().set("Content-Disposition", "inline; filename=\"" + a.id + ".pdf\"");
  ex.send_text(200, "application/pdf", pdf);
}

void PublishArchive::handle(http::Exchange& ex) {
  const auto client = presentation_client(ex, *ctx_);
  auto a = owned_archive(*ctx_, client, ex.param("id"));
  // Publishing twice keeps the URL the website already embeds.
  const bool created = !a.display_token;
  if (created) {
    a.display_token = random_id("");
    ArchiveRepository(*ctx_->db).set_display_token(a.id, a.display_token);
  }
  const std::string url = public_page_url(*ctx_, *a.display_token);
  ex.send_json(created ? 201 : 200, {{"archive_id", a.id},
                                     {"token", *a.display_token},
                                     {"url", url},
                                     {"badge_url", url + "/badge.svg"}});
}

void UnpublishArchive::handle(http::Exchange& ex) {
  const auto client = presentation_client(ex, *ctx_);
  const auto a = owned_archive(*ctx_, client, ex.param("id"));
  if (!a.display_token) throw http::ApiError(404, "not_published", "archive " + a.id + " is not published");
  ArchiveRepository(*ctx_->db).set_display_token(a.id, std::nullopt);
  ex.send_empty(204);
}

}  // namespace zhaoyin::presentation
