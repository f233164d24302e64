#include "api_handlers.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/usage_check.h>
#include <zhaoyin/protocol/canonical_json.h>
#include <zhaoyin/render/qr.h>
#include <zhaoyin/trust/sm3.h>

#include "request_parser.h"
#include "sign_repository.h"
#include "sign_service.h"

namespace zhaoyin::signing {

namespace {

const char* const kScope = "signature";

// The caller's own task, or 404 (another application's task does not exist for it).
SignTask owned_task(http::Exchange& ex, const std::shared_ptr<http::HostContext>& ctx, SignService& service) {
  const auto client = http::authenticate_bearer(ex, *ctx);
  http::require_scope(client, kScope);
  auto t = service.find_for(client.application.client_id, ex.param("id"));
  if (!t) throw http::ApiError::not_found("no sign task " + ex.param("id"));
  return *t;
}

// The public image routes: the 128-bit task id is the capability.
SignTask public_task(http::Exchange& ex, SignService& service) {
  auto t = service.find(ex.param("id"));
  if (!t) throw http::ApiError::not_found("no sign task " + ex.param("id"));
  return *t;
}

void write_sse(std::ostream& out, const nlohmann::json& data, std::size_t id) {
  out << "id: " << id << "\nevent: status\ndata: " << data.dump() << "\n\n";
  out.flush();
}

}  // namespace

std::chrono::seconds wait_seconds(const http::Exchange& ex) {
  const auto wait = ex.query("wait");
  if (!wait) return std::chrono::seconds(0);
  int s = -1;
  try {
    std::size_t used = 0;
    s = std::stoi(*wait, &used);
    if (used != wait->size()) s = -1;
  } catch (const std::exception&) {
    s = -1;
  }
  if (s < 0 || s > 30) throw http::ApiError::bad_request("wait must be a whole number of seconds from 0 to 30");
  return std::chrono::seconds(s);
}

void CreateSignTask::handle(http::Exchange& ex) {
  ex.body();  // read (within the size limit) before any refusal, so a client still sending sees the answer
  const auto client = http::authenticate_bearer(ex, *ctx_);
  http::require_scope(client, kScope);
  http::admit_usage(ex, *ctx_, client.application, kScope);
  auto parsed = parse_create_body(ex.json_body());
  SignService service(ctx_);
  const auto task = service.create(client.application, std::move(parsed.request), parsed.document);
  ex.response().set("Location", "/api/v1/sign-tasks/" + task.id);
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(201, service.to_json(task));
}

void GetSignTask::handle(http::Exchange& ex) {
  SignService service(ctx_);
  auto task = owned_task(ex, ctx_, service);
  const auto wait = wait_seconds(ex);
  const auto last = ex.query("last");
  if (wait.count() > 0 && last && *last == task.status) {
    if (auto changed = service.wait_for_change(task.id, *last, std::chrono::steady_clock::now() + wait)) task = *changed;
  }
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, service.to_json(task));
}

void CancelSignTask::handle(http::Exchange& ex) {
  SignService service(ctx_);
  const auto task = owned_task(ex, ctx_, service);
  ex.send_json(200, service.to_json(service.cancel(task)));
}

void SignTaskEvents::handle(http::Exchange& ex) {
  SignService service(ctx_);
  auto task = owned_task(ex, ctx_, service);
  auto& response = ex.response();
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("text/event-stream; charset=utf-8");
  response.set("Cache-Control", "no-store");
  response.set("X-Accel-Buffering", "no");
  response.setChunkedTransferEncoding(true);
  response.setKeepAlive(false);
  std::ostream& out = response.send();
  // One event per state change in the log, then one per new change; the
  // stream ends after a final state (or when the host stops).
  std::size_t sent = 0;
  try {
    while (true) {
      const auto view = service.to_json(task);
      for (; sent < task.events.size(); ++sent) {
        nlohmann::json data = view;
        data["status"] = task.events[sent].status;
        data["at"] = view["events"][sent]["at"];
        write_sse(out, data, sent + 1);
      }
      if (task.final() || ctx_->events->closed() || !out) break;
      auto next = service.wait_for_change(task.id, task.status, std::chrono::steady_clock::now() + std::chrono::seconds(15));
      if (!next) break;
      if (next->events.size() == sent) {
        out << ": keep-alive\n\n";
        out.flush();
      }
      task = *next;
    }
  } catch (const std::exception& e) {
    ctx_->log->debug("sign task event stream ended", {{"task", task.id}, {"error", e.what()}});
  }
}

void SignTaskQrPng::handle(http::Exchange& ex) {
  SignService service(ctx_);
  const auto task = public_task(ex, service);
  ex.response().set("Cache-Control", "private, max-age=600");
  ex.send_text(200, "image/png", render::qr_png(render::encode_qr(task.qr_text)));
}

void SignTaskQrSvg::handle(http::Exchange& ex) {
  SignService service(ctx_);
  const auto task = public_task(ex, service);
  ex.response().set("Cache-Control", "private, max-age=600");
  ex.send_text(200, "image/svg+xml", render::qr_svg(render::encode_qr(task.qr_text)));
}

namespace {

// RFC 6266 §4.3: an ASCII `filename` for every client (the extension kept:
// .pdf, .ofd, .p7s, .ses) and `filename*` (RFC 8187) with the document's own,
// often Chinese, name percent-encoded as UTF-8.
std::string content_disposition(const std::string& file_name) {
  const auto dot = file_name.rfind('.');
  const std::string extension = dot == std::string::npos ? "" : file_name.substr(dot);
  const bool plain_extension = std::all_of(extension.begin(), extension.end(), [](char c) {
    return c == '.' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
  std::string encoded;
  for (const unsigned char c : file_name) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      encoded += buf;
    }
  }
  const bool signature = extension == ".p7s" || extension == ".ses";
  return "attachment; filename=\"" + std::string(signature ? "signature" : "signed") + (plain_extension ? extension : std::string()) +
         "\"; filename*=UTF-8''" + encoded;
}

}  // namespace

void SignTaskDocument::handle(http::Exchange& ex) {
  SignService service(ctx_);
  const auto task = owned_task(ex, ctx_, service);
  std::optional<std::size_t> index;
  if (const auto n = ex.query("signature")) {
    try {
      std::size_t used = 0;
      const int i = std::stoi(*n, &used);
      if (used != n->size() || i < 1) throw std::invalid_argument("range");
      index = static_cast<std::size_t>(i - 1);
    } catch (const std::exception&) {
      throw http::ApiError::bad_request("signature must be a number from 1");
    }
  }
  const auto d = service.document(task, index);
  ex.response().set("Cache-Control", "no-store");
  ex.response().set("Content-Disposition", content_disposition(d.file_name));
  ex.response().set("X-Zhaoyin-Document-SM3", trust::hex_encode(trust::sm3(d.bytes)));
  ex.send_text(200, d.content_type, std::string_view(reinterpret_cast<const char*>(d.bytes.data()), d.bytes.size()));
}

void SealUsageRecords::handle(http::Exchange& ex) {
  const auto client = http::authenticate_bearer(ex, *ctx_);
  http::require_scope(client, kScope);
  const auto records = SignRepository(*ctx_).usage(ex.param("esid"), client.application.client_id);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& u : records)
    list.push_back({{"es_id", u.es_id},
                    {"seal_type", u.seal_type},
                    {"uscc", u.uscc},
                    {"holder", {{"license_serial", u.holder_serial}, {"name", u.holder_name}}},
                    {"relying_party", u.client_id},
                    {"task_id", u.task_id},
                    {"document", {{"name", u.document_name}, {"sm3", u.document_sm3}}},
                    {"signed_at", protocol::rfc3339(u.signed_at)}});
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, {{"es_id", ex.param("esid")}, {"records", list}});
}

}  // namespace zhaoyin::signing
