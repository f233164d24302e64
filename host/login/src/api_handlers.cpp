#include "api_handlers.h"

#include <thread>
#include <zhaoyin/http/api_error.h>
#include <zhaoyin/http/auth.h>
#include <zhaoyin/http/usage_check.h>
#include <zhaoyin/login/login_service.h>
#include <zhaoyin/render/qr.h>

namespace zhaoyin::login {

namespace {

const char* const kScope = "login";

std::optional<std::string> optional_string(const nlohmann::json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) throw http::ApiError::bad_request(std::string(name) + " must be a string");
  return it->get<std::string>();
}

LoginSessionRequest parse_request(const nlohmann::json& body) {
  if (!body.is_object()) throw http::ApiError::bad_request("the body must be a JSON object");
  static const std::vector<std::string> known = {"matter", "correlation_id", "channel", "ttl", "callback_url", "return_url",
                                                 "same_device"};
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw http::ApiError::bad_request("unknown field \"" + key + "\"");
  }
  LoginSessionRequest r;
  r.matter = optional_string(body, "matter");
  r.correlation_id = optional_string(body, "correlation_id");
  r.channel = optional_string(body, "channel");
  r.callback_url = optional_string(body, "callback_url");
  r.return_url = optional_string(body, "return_url");
  if (body.contains("same_device") && !body["same_device"].is_null()) {
    if (!body["same_device"].is_boolean()) throw http::ApiError::bad_request("same_device must be true or false");
    r.same_device = body["same_device"].get<bool>();
  }
  if (body.contains("ttl") && !body["ttl"].is_null()) {
    if (!body["ttl"].is_number_integer()) throw http::ApiError::bad_request("ttl must be an integer number of seconds");
    const auto ttl = body["ttl"].get<long long>();
    if (ttl < 10 || ttl > 600) throw http::ApiError::bad_request("ttl must be 10 to 600 seconds");
    r.ttl = std::chrono::seconds(ttl);
  }
  return r;
}

// The caller's own session, or 404 (another application's session does not exist for it).
LoginSession owned_session(http::Exchange& ex, const std::shared_ptr<http::HostContext>& ctx, LoginService& service,
                           std::string& client_id) {
  const auto client = http::authenticate_bearer(ex, *ctx);
  http::require_scope(client, kScope);
  client_id = client.application.client_id;
  auto s = service.find_for(client_id, ex.param("id"));
  if (!s) throw http::ApiError::not_found("no login session " + ex.param("id"));
  return *s;
}

// A session by id for the public image and page routes: the 128-bit id is the capability.
LoginSession public_session(http::Exchange& ex, LoginService& service) {
  auto s = service.find(ex.param("id"));
  if (!s) throw http::ApiError::not_found("no login session " + ex.param("id"));
  return *s;
}

void write_sse(std::ostream& out, const std::string& event, const nlohmann::json& data, std::size_t id) {
  out << "id: " << id << "\nevent: " << event << "\ndata: " << data.dump() << "\n\n";
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

void CreateLoginSession::handle(http::Exchange& ex) {
  const auto client = http::authenticate_bearer(ex, *ctx_);
  http::require_scope(client, kScope);
  http::admit_usage(ex, *ctx_, client.application, kScope);
  const nlohmann::json body = ex.body().empty() ? nlohmann::json::object() : ex.json_body();
  LoginService service(ctx_);
  const auto session = service.create(client.application, parse_request(body));
  ex.response().set("Location", "/api/v1/login-sessions/" + session.id);
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(201, service.to_json(session));
}

void GetLoginSession::handle(http::Exchange& ex) {
  LoginService service(ctx_);
  std::string client_id;
  auto session = owned_session(ex, ctx_, service, client_id);
  const auto wait = wait_seconds(ex);
  const auto last = ex.query("last");
  if (wait.count() > 0 && last && *last == session.status) {
    if (auto changed = service.wait_for_change(session.id, *last, std::chrono::steady_clock::now() + wait))
      session = *changed;
  }
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, service.to_json(session));
}

void RedeemLoginReturn::handle(http::Exchange& ex) {
  LoginService service(ctx_);
  std::string client_id;
  const auto session = owned_session(ex, ctx_, service, client_id);
  const nlohmann::json body = ex.json_body();
  if (!body.is_object() || body.size() != 1 || !body.contains("return_token") || !body["return_token"].is_string())
    throw http::ApiError::bad_request("the body must be {\"return_token\": \"...\"}");
  const auto redeemed = service.redeem_return(session, body["return_token"].get<std::string>());
  ex.response().set("Cache-Control", "no-store");
  ex.send_json(200, service.to_json(redeemed));
}

void CancelLoginSession::handle(http::Exchange& ex) {
  LoginService service(ctx_);
  std::string client_id;
  const auto session = owned_session(ex, ctx_, service, client_id);
  ex.send_json(200, service.to_json(service.cancel(session)));
}

void LoginSessionEvents::handle(http::Exchange& ex) {
  LoginService service(ctx_);
  std::string client_id;
  auto session = owned_session(ex, ctx_, service, client_id);
  auto& response = ex.response();
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType("text/event-stream; charset=utf-8");
  response.set("Cache-Control", "no-store");
  response.set("X-Accel-Buffering", "no");
  response.setChunkedTransferEncoding(true);
  response.setKeepAlive(false);
  std::ostream& out = response.send();
  // One event per state change already in the log, then one per new change;
  // the stream ends after a final state (or when the host stops).
  std::size_t sent = 0;
  try {
    while (true) {
      for (; sent < session.events.size(); ++sent) {
        nlohmann::json data = service.to_json(session);
        data["status"] = session.events[sent].status;
        data["at"] = service.to_json(session)["events"][sent]["at"];
        if (session.events[sent].status != session.status) data.erase("subject");
        write_sse(out, "status", data, sent + 1);
      }
      if (session.final() || ctx_->events->closed() || !out) break;
      // Wait for a change; a comment line every 15 s keeps proxies from closing the stream.
      auto next = service.wait_for_change(session.id, session.status,
                                          std::chrono::steady_clock::now() + std::chrono::seconds(15));
      if (!next) break;
      if (next->events.size() == sent) {
        out << ": keep-alive\n\n";
        out.flush();
      }
      session = *next;
    }
  } catch (const std::exception& e) {  // the client went away
    ctx_->log->debug("login event stream ended", {{"session", session.id}, {"error", e.what()}});
  }
}

void LoginQrPng::handle(http::Exchange& ex) {
  LoginService service(ctx_);
  const auto session = public_session(ex, service);
  ex.response().set("Cache-Control", "private, max-age=600");
  ex.send_text(200, "image/png", render::qr_png(render::encode_qr(session.qr_text)));
}

void LoginQrSvg::handle(http::Exchange& ex) {
  LoginService service(ctx_);
  const auto session = public_session(ex, service);
  ex.response().set("Cache-Control", "private, max-age=600");
  ex.send_text(200, "image/svg+xml", render::qr_svg(render::encode_qr(session.qr_text)));
}

}  // namespace zhaoyin::login
